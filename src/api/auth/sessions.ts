import { randomBytes, timingSafeEqual } from 'node:crypto';
import { parse as parseCookies, serialize } from 'cookie';
import { DataSource } from 'typeorm';
import { hashToken } from '../../infra/api-tokens';
import { CSRF_HEADER, SESSION_COOKIE, SignInConfig } from '../../infra/sign-in-config';
import { forbidden, unauthorized } from '../common/errors';
import type { Principal } from './principal';
import type { Role } from './roles';

/** What a signed-in person's browser holds: the session token (cookie) and, in memory, the CSRF token. */
export interface OpenedSession {
  id: string;
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function openSession(
  ds: DataSource,
  cfg: SignInConfig,
  userId: string,
  authSource: 'local' | 'directory',
  seen: { address?: string; userAgent?: string },
): Promise<OpenedSession> {
  const token = `wls_${randomBytes(32).toString('base64url')}`;
  const csrfToken = randomBytes(24).toString('base64url');
  const [row] = await ds.query(
    `INSERT INTO sessions (token_hash, csrf_token, user_id, auth_source, expires_at, address, user_agent)
     VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5), $6, $7) RETURNING id, expires_at`,
    [hashToken(token), csrfToken, userId, authSource, cfg.absoluteSeconds, seen.address?.slice(0, 100) ?? null, seen.userAgent?.slice(0, 300) ?? null],
  );
  return { id: row.id, token, csrfToken, expiresAt: row.expires_at };
}

export async function endSession(ds: DataSource, sessionId: string, reason: string): Promise<void> {
  await ds.query(`UPDATE sessions SET ended_at = now(), ended_reason = $2 WHERE id = $1 AND ended_at IS NULL`, [sessionId, reason]);
}

/** Every open session of a person: deactivation, a new password or new roles end them. */
export async function endSessionsOf(ds: DataSource, userId: string, reason: string, except?: string): Promise<void> {
  await ds.query(`UPDATE sessions SET ended_at = now(), ended_reason = $2 WHERE user_id = $1 AND ended_at IS NULL AND ($3::uuid IS NULL OR id <> $3)`, [userId, reason, except ?? null]);
}

export interface SessionView {
  id: string;
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
  idleExpiresAt: Date;
  authSource: string;
}

interface SessionRow {
  id: string;
  csrf_token: string;
  created_at: Date;
  expires_at: Date;
  last_seen_at: Date;
  auth_source: string;
  user_id: string;
  username: string;
  display_name: string;
  roles: Role[];
  idle_for: number;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sessionTokenOf(cookieHeader: string | string[] | undefined): string | null {
  const header = Array.isArray(cookieHeader) ? cookieHeader.join('; ') : cookieHeader;
  if (!header) return null;
  const value = parseCookies(header)[SESSION_COOKIE];
  return value && /^wls_[A-Za-z0-9_-]{20,100}$/.test(value) ? value : null;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The principal of a session cookie, or a 401 when the session is unknown, ended, past its absolute lifetime or idle
 * too long. Unsafe methods need the session's CSRF token in `X-CSRF-Token` (403 otherwise): a page of another site
 * can make the browser send the cookie, but cannot read the token (synchronizer token pattern).
 */
export async function authenticateSession(
  ds: DataSource,
  cfg: SignInConfig,
  token: string,
  method: string,
  csrfHeader: string | string[] | undefined,
  opts: { background?: boolean } = {},
): Promise<{ principal: Principal; session: SessionView }> {
  const rows: SessionRow[] = await ds.query(
    `SELECT s.id, s.csrf_token, s.created_at, s.expires_at, s.last_seen_at, s.auth_source,
            u.id AS user_id, u.username, u.display_name, u.roles,
            extract(epoch FROM now() - s.last_seen_at)::float8 AS idle_for
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.ended_at IS NULL AND u.active`,
    [hashToken(token)],
  );
  const row = rows[0];
  const expired = () => unauthorized('SESSION_EXPIRED', '登录已失效，请重新登录', 'your session has ended: sign in again');
  if (!row) throw unauthorized('UNAUTHORIZED', '未登录或登录已失效，请重新登录', 'not signed in, or the session has ended: sign in again');
  if (row.expires_at.getTime() <= Date.now()) {
    await endSession(ds, row.id, 'absolute_timeout');
    throw expired();
  }
  if (row.idle_for >= cfg.idleSeconds) {
    await endSession(ds, row.id, 'idle_timeout');
    throw expired();
  }
  if (!SAFE_METHODS.has(method.toUpperCase())) {
    const sent = Array.isArray(csrfHeader) ? csrfHeader[0] : csrfHeader;
    if (!sent || !sameText(sent, row.csrf_token)) {
      throw forbidden('CSRF_FAILED', `缺少或错误的 CSRF 令牌：使用登录会话的写操作须带 ${CSRF_HEADER} 请求头`, `missing or wrong CSRF token: a change made with a session cookie needs the ${CSRF_HEADER} header`);
    }
  }
  // Last use is written at most every tenth of the idle limit (a minute at most), so reads stay reads. A read the page
  // made by itself (BACKGROUND_HEADER) is not use: an unattended board does not keep its session alive.
  let lastSeen = row.last_seen_at;
  const background = opts.background === true && SAFE_METHODS.has(method.toUpperCase());
  if (!background && row.idle_for >= Math.min(60, cfg.idleSeconds / 10)) {
    await ds.query(`UPDATE sessions SET last_seen_at = now() WHERE id = $1`, [row.id]);
    lastSeen = new Date();
  }
  return {
    principal: { userId: row.user_id, username: row.username, displayName: row.display_name, roles: row.roles, tokenId: null, sessionId: row.id },
    session: {
      id: row.id,
      csrfToken: row.csrf_token,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      idleExpiresAt: new Date(Math.min(row.expires_at.getTime(), lastSeen.getTime() + cfg.idleSeconds * 1000)),
      authSource: row.auth_source,
    },
  };
}

/** The cookie's attributes: httpOnly (no script reads it), SameSite=Strict (no other site sends it), Path=/. */
export function sessionCookie(cfg: SignInConfig, token: string, expiresAt: Date): string {
  return serialize(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', expires: expiresAt, secure: cfg.cookieSecure });
}

export function clearedSessionCookie(cfg: SignInConfig): string {
  return serialize(SESSION_COOKIE, '', { path: '/', httpOnly: true, sameSite: 'strict', expires: new Date(0), secure: cfg.cookieSecure });
}
