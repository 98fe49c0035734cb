import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { PUBLIC_KEY, ROLES_KEY } from './decorators';
import { AuthedRequest, Principal } from './principal';
import type { Role } from './roles';
import { hashToken } from '../../infra/api-tokens';
import { forbidden, unauthorized } from '../common/errors';
import { CONFIG } from '../common/tokens';
import type { WardlineConfig } from '../../config';
import type { SignInConfig } from '../../infra/sign-in-config';
import { BACKGROUND_HEADER, CSRF_HEADER } from '../../infra/sign-in-config';
import { authenticateSession, sessionTokenOf } from './sessions';

interface TokenRow {
  token_id: string;
  user_id: string;
  username: string;
  display_name: string;
  roles: Role[];
  stale: boolean;
}

/** Every route: 401 without a valid bearer token or session, 403 when none of the caller's roles may act. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: WardlineConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest & { method: string }>();
    // The edge already checked the token or session of a request with a body, before reading it (src/api/edge).
    req.principal ??= await authenticateRequest(this.ds, this.config.signIn, req);
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!allowed) throw forbidden('FORBIDDEN', '此接口未设置角色策略，一律拒绝', 'this route has no role policy');
    const roles = req.principal.roles;
    if (roles.includes('admin') || roles.some((r) => allowed.includes(r))) return true;
    throw forbidden('FORBIDDEN', `需要以下角色之一：${['admin', ...allowed].join('、')}；您的角色：${roles.join('、') || '无'}`, `needs one of the roles: ${['admin', ...allowed].join(', ')}; you have: ${roles.join(', ')}`);
  }
}

/**
 * Who calls: `Authorization: Bearer <token>` (machines, and anything that sends the header) or else the session cookie
 * of a signed-in person, with its CSRF token on unsafe methods (issue 16). A 401 without either.
 */
export async function authenticateRequest(ds: DataSource, cfg: SignInConfig, req: { method: string; headers: Record<string, string | string[] | undefined> }): Promise<Principal> {
  if (req.headers.authorization === undefined) {
    const session = sessionTokenOf(req.headers.cookie);
    if (session) return (await authenticateSession(ds, cfg, session, req.method, req.headers[CSRF_HEADER], { background: req.headers[BACKGROUND_HEADER] === '1' })).principal;
    throw unauthorized('UNAUTHORIZED', '缺少令牌：请先登录，或发送 Authorization: Bearer <令牌>', 'missing bearer token: sign in, or send Authorization: Bearer <token>');
  }
  return authenticateBearer(ds, req.headers.authorization);
}

/** The principal of `Authorization: Bearer <token>`, or a 401. */
export async function authenticateBearer(ds: DataSource, header: string | string[] | undefined): Promise<Principal> {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer\s+(\S+)$/i.exec(value ?? '');
  if (!match) throw unauthorized('UNAUTHORIZED', '缺少令牌：请发送 Authorization: Bearer <令牌>', 'missing bearer token: send Authorization: Bearer <token>');
  const rows: TokenRow[] = await ds.query(
    `SELECT t.id AS token_id, u.id AS user_id, u.username, u.display_name, u.roles,
            (t.last_used_at IS NULL OR t.last_used_at < now() - interval '5 minutes') AS stale
       FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.active`,
    [hashToken(match[1])],
  );
  const row = rows[0];
  if (!row) throw unauthorized('UNAUTHORIZED', '令牌无效、已过期或已吊销', 'invalid, expired or revoked token');
  // Last use is kept to the nearest five minutes so reads do not turn into writes.
  if (row.stale) await ds.query(`UPDATE api_tokens SET last_used_at = now() WHERE id = $1`, [row.token_id]);
  return { tokenId: row.token_id, sessionId: null, userId: row.user_id, username: row.username, displayName: row.display_name, roles: row.roles };
}
