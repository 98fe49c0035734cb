import { Body, Controller, Get, HttpCode, Inject, Post, Put, Req, Res, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { ApiOp } from '../common/openapi';
import { badRequest } from '../common/errors';
import { CONFIG, WardlineConfig } from '../common/tokens';
import { Allow, Public } from './decorators';
import { Auth, Principal } from './principal';
import { SIGNED_IN } from './roles';
import { clearedSessionCookie, sessionCookie } from './sessions';
import { ChangePasswordDto, DIRECTORY, GroupRolesDto, PASSWORD_CHANGED, SESSION, SIGNED_OUT, SignInDto } from './sign-in.dto';
import { SignInService } from './sign-in.service';

/**
 * People sign in here (issue 16); machines keep their API tokens. The session lives in an httpOnly, SameSite=Strict
 * cookie; the answer carries the CSRF token the page sends back as X-CSRF-Token on every change.
 */
@ApiTags('auth')
@Controller('auth')
export class SignInController {
  constructor(
    private readonly service: SignInService,
    @Inject(CONFIG) private readonly config: WardlineConfig,
  ) {}

  @ApiOp({
    summary: '登录（用户名与密码，或医院目录账号） / Sign in (username and password, or a directory account)',
    description: '连续失败达到上限后锁定该用户名一段时间（429）。/ Repeated failures lock the name for a while (429). Sets the httpOnly session cookie.',
    ok: SESSION,
    errors: [401, 403, 429, 503],
  })
  @Post('sign-in')
  @HttpCode(200)
  @Public()
  // Per address, generous: a whole ward may sit behind one proxy. The lock-out per name is what stops guessing.
  @UseGuards(ThrottlerGuard)
  @Throttle({ default: { limit: 60, ttl: 60_000 } })
  async signIn(@Body() dto: SignInDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    // A form of another site can post urlencoded bodies without asking; JSON needs a CORS preflight it cannot pass.
    if (!String(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      throw badRequest('SIGN_IN_NEEDS_JSON', '登录请求须为 application/json', 'a sign-in must be sent as application/json', { field: 'content-type' });
    }
    const { session, body } = await this.service.signIn(dto, { address: req.ip, userAgent: req.headers['user-agent'] });
    res.setHeader('set-cookie', sessionCookie(this.config.signIn, session.token, session.expiresAt));
    res.setHeader('cache-control', 'no-store');
    return body;
  }

  @ApiOp({ summary: '退出登录 / Sign out', ok: SIGNED_OUT })
  @Post('sign-out')
  @HttpCode(200)
  @Allow(...SIGNED_IN)
  async signOut(@Auth() auth: Principal, @Res({ passthrough: true }) res: Response) {
    res.setHeader('set-cookie', clearedSessionCookie(this.config.signIn));
    return this.service.signOut(auth);
  }

  @ApiOp({ summary: '当前登录会话（含 CSRF 令牌） / The current session (with its CSRF token)', ok: SESSION })
  @Get('session')
  @Allow(...SIGNED_IN)
  session(@Auth() auth: Principal, @Res({ passthrough: true }) res: Response) {
    res.setHeader('cache-control', 'no-store');
    return this.service.current(auth);
  }

  @ApiOp({ summary: '修改自己的密码 / Change my password', ok: PASSWORD_CHANGED, errors: [409] })
  @Post('password')
  @HttpCode(200)
  @Allow(...SIGNED_IN)
  changePassword(@Auth() auth: Principal, @Body() dto: ChangePasswordDto) {
    return this.service.changePassword(auth, dto);
  }

  @ApiOp({ summary: '目录登录设置与组→角色映射 / Directory sign-in and the group → role mapping', ok: DIRECTORY })
  @Get('directory')
  @Allow()
  directory() {
    return this.service.directoryView();
  }

  @ApiOp({ summary: '替换目录组→角色映射 / Replace the directory group → role mapping', ok: DIRECTORY })
  @Put('directory/group-roles')
  @Allow()
  replaceGroupRoles(@Auth() auth: Principal, @Body() dto: GroupRolesDto) {
    return this.service.replaceGroupRoles(auth, dto);
  }
}
