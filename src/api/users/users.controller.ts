import { Body, Controller, Delete, Get, Param, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { CreateTokenDto, CreateUserDto, SetPasswordDto, UpdateUserDto } from './users.dto';
import { UsersService } from './users.service';
import { Idempotent } from '../common/idempotency';
import { ParseUuidPipe } from '../common/pipes';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import { ApiOp } from '../common/openapi';
import { ME, PASSWORD_SET, REVOKED, TOKENS, TOKEN_CREATED, USER, USERS } from '../misc.responses';

@ApiTags('users')
@Controller()
export class UsersController {
  constructor(private readonly service: UsersService) {}

  @ApiOp({ summary: '用户列表 / Users', ok: USERS })
  @Get('users')
  @Allow('project_manager', 'it_manager', 'dispatcher')
  list() {
    return this.service.list();
  }

  @ApiOp({ summary: '当前登录者 / Who am I', ok: ME })
  @Get('me')
  @Allow('dispatcher', 'engineer', 'project_manager', 'quality_manager', 'reviewer', 'it_manager', 'vendor_contact', 'integration')
  me(@Auth() auth: Principal) {
    return auth;
  }

  @ApiOp({ summary: '创建用户 / Create a user', ok: USER, errors: [409] })
  @Post('users')
  @Idempotent()
  @Allow()
  create(@Auth() auth: Principal, @Body() dto: CreateUserDto) {
    return this.service.create(auth, dto);
  }

  @ApiOp({ summary: '修改用户（角色、姓名、停用） / Update a user (roles, name, deactivation)', ok: USER, errors: [404, 409] })
  @Patch('users/:id')
  @Allow()
  update(@Auth() auth: Principal, @Param('id', ParseUuidPipe) id: string, @Body() dto: UpdateUserDto) {
    return this.service.update(auth, id, dto);
  }

  @ApiOp({ summary: '设置用户的登录密码 / Set a user’s sign-in password', ok: PASSWORD_SET, errors: [404, 409] })
  @Put('users/:id/password')
  @Allow()
  setPassword(@Auth() auth: Principal, @Param('id', ParseUuidPipe) id: string, @Body() dto: SetPasswordDto) {
    return this.service.setPassword(auth, id, dto);
  }

  @ApiOp({ summary: '签发 API 令牌（只显示一次） / Issue an API token (shown once)', ok: TOKEN_CREATED, errors: [404, 429] })
  @Post('users/:id/tokens')
  @UseGuards(ThrottlerGuard)
  @Throttle({ default: { limit: 10, ttl: 60_000 } })
  @Idempotent()
  @Allow()
  createToken(@Auth() auth: Principal, @Param('id', ParseUuidPipe) id: string, @Body() dto: CreateTokenDto) {
    return this.service.createToken(auth, id, dto);
  }

  @ApiOp({ summary: '用户的令牌（不含令牌本身） / A user’s tokens (never the token itself)', ok: TOKENS, errors: [404] })
  @Get('users/:id/tokens')
  @Allow()
  listTokens(@Param('id', ParseUuidPipe) id: string) {
    return this.service.listTokens(id);
  }

  @ApiOp({ summary: '吊销令牌 / Revoke a token', ok: REVOKED, errors: [404] })
  @Delete('tokens/:id')
  @Allow()
  revoke(@Auth() auth: Principal, @Param('id', ParseUuidPipe) id: string) {
    return this.service.revoke(auth, id);
  }
}
