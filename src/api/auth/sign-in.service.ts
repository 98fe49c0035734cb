import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Directory } from '../../adapters/directory/ldap-directory';
import { DirectoryUnavailableError, normalizeDn } from '../../adapters/directory/ldap-directory';
import { decoyHash, hashPassword, verifyPassword } from '../../infra/passwords';
import { ApiError, conflict, forbidden, tooManyRequests, unauthorized } from '../common/errors';
import { CONFIG, WardlineConfig } from '../common/tokens';
import { Principal } from './principal';
import { ROLES, Role } from './roles';
import { OpenedSession, endSession, endSessionsOf, openSession } from './sessions';
import { ChangePasswordDto, GroupRolesDto, SessionResponse, SignInDto } from './sign-in.dto';

export const DIRECTORY_PORT = Symbol('Directory');

interface LocalUser {
  id: string;
  username: string;
  display_name: string;
  roles: Role[];
  active: boolean;
  password_hash: string | null;
  auth_source: 'local' | 'directory';
}

/** People's sign-in (issue 16): local argon2id passwords or a directory bind, lock-out per name, server-side sessions. */
@Injectable()
export class SignInService {
  constructor(
    private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: WardlineConfig,
    @Inject(DIRECTORY_PORT) private readonly directory: Directory | null,
  ) {}

  async signIn(dto: SignInDto, seen: { address?: string; userAgent?: string }): Promise<{ session: OpenedSession; body: SessionResponse }> {
    const cfg = this.config.signIn;
    const username = dto.username.trim().toLowerCase();
    await this.refuseWhileLocked(username);
    const [local]: LocalUser[] = await this.ds.query(
      `SELECT id, username, display_name, roles, active, password_hash, auth_source FROM users WHERE username = $1`,
      [username],
    );
    let user: LocalUser | null = null;
    if (local && local.auth_source === 'local') {
      // A local account never falls through to the directory: a directory entry of the same name cannot take it over.
      const ok = await verifyPassword(local.password_hash ?? (await decoyHash()), dto.password);
      user = ok && local.password_hash && local.active ? local : null;
    } else if (this.directory) {
      user = await this.directorySignIn(username, dto.password, local ?? null);
    } else {
      await verifyPassword(await decoyHash(), dto.password);
    }
    if (!user) return this.failed(username);
    await this.ds.query(`DELETE FROM sign_in_failures WHERE username = $1`, [username]);
    await this.ds.query(`UPDATE users SET last_sign_in_at = now() WHERE id = $1`, [user.id]);
    const session = await openSession(this.ds, cfg, user.id, user.auth_source, seen);
    return {
      session,
      body: {
        user: { id: user.id, username: user.username, displayName: user.display_name, roles: user.roles },
        via: 'session',
        authSource: user.auth_source,
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt,
        idleExpiresAt: new Date(Math.min(session.expiresAt.getTime(), Date.now() + cfg.idleSeconds * 1000)),
        idleTimeoutSeconds: cfg.idleSeconds,
      },
    };
  }

  async signOut(auth: Principal): Promise<{ signedOut: boolean }> {
    if (!auth.sessionId) return { signedOut: false };
    await endSession(this.ds, auth.sessionId, 'signed_out');
    return { signedOut: true };
  }

  /** The caller's session (the page asks on load) or, for a token, who it is with no CSRF token. */
  async current(auth: Principal): Promise<SessionResponse> {
    const cfg = this.config.signIn;
    const user = { id: auth.userId, username: auth.username, displayName: auth.displayName, roles: auth.roles };
    if (!auth.sessionId) return { user, via: 'token', authSource: null, csrfToken: null, expiresAt: null, idleExpiresAt: null, idleTimeoutSeconds: cfg.idleSeconds };
    const [s] = await this.ds.query(`SELECT csrf_token, expires_at, last_seen_at, auth_source FROM sessions WHERE id = $1`, [auth.sessionId]);
    return {
      user,
      via: 'session',
      authSource: s.auth_source,
      csrfToken: s.csrf_token,
      expiresAt: s.expires_at,
      idleExpiresAt: new Date(Math.min(s.expires_at.getTime(), s.last_seen_at.getTime() + cfg.idleSeconds * 1000)),
      idleTimeoutSeconds: cfg.idleSeconds,
    };
  }

  async changePassword(auth: Principal, dto: ChangePasswordDto): Promise<{ changed: boolean }> {
    const [u]: LocalUser[] = await this.ds.query(`SELECT id, password_hash, auth_source FROM users WHERE id = $1`, [auth.userId]);
    if (u.auth_source === 'directory') throw conflict('DIRECTORY_ACCOUNT', '目录账号的密码在医院目录（AD/LDAP）中修改', 'a directory account changes its password in the hospital directory (AD/LDAP)');
    if (!u.password_hash || !(await verifyPassword(u.password_hash, dto.currentPassword))) {
      throw forbidden('WRONG_PASSWORD', '当前密码不正确', 'the current password is wrong', { field: 'currentPassword' });
    }
    await this.ds.query(`UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1`, [u.id, await hashPassword(dto.newPassword)]);
    // Whoever else holds a session of this account loses it; the caller keeps theirs.
    await endSessionsOf(this.ds, u.id, 'password_changed', auth.sessionId ?? undefined);
    return { changed: true };
  }

  async directoryView() {
    const d = this.config.signIn.directory;
    const rows = await this.ds.query(`SELECT group_dn, role FROM directory_group_roles ORDER BY lower(group_dn), role`);
    return { configured: !!d, url: d?.url ?? null, baseDn: d?.baseDn ?? null, mappings: rows.map((r: { group_dn: string; role: string }) => ({ groupDn: r.group_dn, role: r.role })) };
  }

  /** The whole mapping replaced at once: what an administrator saves is what applies at the next sign-in. */
  async replaceGroupRoles(auth: Principal, dto: GroupRolesDto) {
    await this.ds.transaction(async (tx) => {
      await tx.query(`DELETE FROM directory_group_roles`);
      const seen = new Set<string>();
      for (const m of dto.mappings) {
        const key = `${normalizeDn(m.groupDn)}|${m.role}`;
        if (seen.has(key)) continue;
        seen.add(key);
        await tx.query(`INSERT INTO directory_group_roles (group_dn, role, created_by) VALUES ($1, $2, $3)`, [m.groupDn.trim(), m.role, auth.userId]);
      }
    });
    return this.directoryView();
  }

  private async directorySignIn(username: string, password: string, existing: LocalUser | null): Promise<LocalUser | null> {
    let person;
    try {
      person = await this.directory!.authenticate(username, password);
    } catch (err) {
      if (!(err instanceof DirectoryUnavailableError)) throw err;
      throw new ApiError(503, 'DIRECTORY_UNAVAILABLE', { zh: '无法连接医院目录（LDAP/AD），请稍后再试或联系管理员', en: 'the hospital directory (LDAP/AD) cannot be reached: try again later or ask an administrator' });
    }
    if (!person) return null;
    const groups = new Set(person.groups.map(normalizeDn));
    const rows: { group_dn: string; role: Role }[] = await this.ds.query(`SELECT group_dn, role FROM directory_group_roles`);
    const roles = [...new Set(rows.filter((r) => groups.has(normalizeDn(r.group_dn))).map((r) => r.role))].filter((r) => ROLES.includes(r)).sort();
    if (roles.length === 0) {
      throw forbidden('NO_MAPPED_ROLE', '目录账号所在的组没有映射到任何角色，请联系管理员', 'none of your directory groups maps to a role: ask an administrator');
    }
    if (existing && !existing.active) return null;
    // The directory is the source of truth for a directory account: names and roles follow it at every sign-in.
    const [row]: LocalUser[] = await this.ds.query(
      `INSERT INTO users (username, display_name, roles, email, phone, auth_source, directory_dn)
       VALUES ($1, $2, $3, $4, $5, 'directory', $6)
       ON CONFLICT (username) DO UPDATE SET display_name = EXCLUDED.display_name, roles = EXCLUDED.roles,
         email = COALESCE(EXCLUDED.email, users.email), phone = COALESCE(EXCLUDED.phone, users.phone), directory_dn = EXCLUDED.directory_dn
         WHERE users.auth_source = 'directory'
       RETURNING id, username, display_name, roles, active, password_hash, auth_source`,
      [username, person.displayName.slice(0, 100), roles, person.email, person.phone, person.dn],
    );
    return row && row.active ? row : null;
  }

  private async refuseWhileLocked(username: string): Promise<void> {
    const [row] = await this.ds.query(
      `SELECT ceil(extract(epoch FROM locked_until - now()))::int AS left FROM sign_in_failures WHERE username = $1 AND locked_until > now()`,
      [username],
    );
    if (row) throw this.locked(row.left);
  }

  private locked(seconds: number): ApiError {
    const minutes = Math.max(1, Math.ceil(seconds / 60));
    return tooManyRequests('SIGN_IN_LOCKED', `登录失败次数过多，账号已锁定，请 ${minutes} 分钟后再试`, `too many failed sign-ins: the account is locked, try again in ${minutes} min`, {
      details: { retryAfterSeconds: seconds },
    });
  }

  /** Counted per name, known or not (so the answer says nothing about which names exist). */
  private async failed(username: string): Promise<never> {
    const cfg = this.config.signIn;
    const [row] = await this.ds.query(
      `INSERT INTO sign_in_failures AS f (username, failures, first_failed_at) VALUES ($1, 1, now())
       ON CONFLICT (username) DO UPDATE SET
         failures = CASE WHEN f.first_failed_at < now() - make_interval(secs => $2) OR f.locked_until IS NOT NULL THEN 1 ELSE f.failures + 1 END,
         first_failed_at = CASE WHEN f.first_failed_at < now() - make_interval(secs => $2) OR f.locked_until IS NOT NULL THEN now() ELSE f.first_failed_at END,
         locked_until = NULL
       RETURNING failures`,
      [username, cfg.failureWindowSeconds],
    );
    if (row.failures >= cfg.maxFailures) {
      await this.ds.query(`UPDATE sign_in_failures SET locked_until = now() + make_interval(secs => $2) WHERE username = $1`, [username, cfg.lockSeconds]);
      throw this.locked(cfg.lockSeconds);
    }
    const left = cfg.maxFailures - row.failures;
    throw unauthorized('INVALID_CREDENTIALS', `用户名或密码错误（再失败 ${left} 次将锁定 ${Math.ceil(cfg.lockSeconds / 60)} 分钟）`, `wrong username or password (${left} more failures lock the account for ${Math.ceil(cfg.lockSeconds / 60)} min)`);
  }
}
