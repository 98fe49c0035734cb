import { DataSource, EntityManager } from 'typeorm';
import { randomBytes } from 'node:crypto';
import { hashToken, newToken, tokenPrefix } from '../infra/api-tokens';
import { hashPassword } from '../infra/passwords';

export interface IssuedToken {
  id: string;
  token: string;
  prefix: string;
}

/** Creates a token for a user and returns it in clear once; only its hash is stored. */
export async function issueToken(
  ds: DataSource | EntityManager,
  userId: string,
  name: string,
  options: { token?: string; expiresAt?: Date | null } = {},
): Promise<IssuedToken> {
  const token = options.token ?? newToken();
  const [row] = await ds.query(
    `INSERT INTO api_tokens (user_id, name, token_hash, token_prefix, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [userId, name, hashToken(token), tokenPrefix(token), options.expiresAt ?? null],
  );
  return { id: row.id, token, prefix: tokenPrefix(token) };
}

export async function revokeToken(ds: DataSource, tokenId: string): Promise<boolean> {
  const [, count] = await ds.query(`UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [tokenId]);
  return Number(count) > 0;
}

/**
 * On first start there is no admin: create one with a token (WARDLINE_ADMIN_TOKEN when set, for automation).
 * Returns the token only when Wardline generated it now, so it is printed once; a token that came from
 * WARDLINE_ADMIN_TOKEN is never returned, so never printed into logs (issue 9).
 */
export async function bootstrapAdmin(ds: DataSource, presetToken?: string): Promise<string | null> {
  return ds.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(7301)`);
    const admins = await tx.query(`SELECT id FROM users WHERE 'admin' = ANY(roles) LIMIT 1`);
    if (admins.length > 0) return null;
    const [user] = await tx.query(
      `INSERT INTO users (username, display_name, roles) VALUES ('admin', '系统管理员', ARRAY['admin']) RETURNING id`,
    );
    const issued = await issueToken(tx, user.id, 'bootstrap', { token: presetToken });
    return presetToken ? null : issued.token;
  });
}

/**
 * The console's first sign-in (issue 16): the bootstrap admin gets a password once, WARDLINE_ADMIN_PASSWORD or a
 * generated one. Returns the generated password only, so it is printed once; null when the admin has (or had) one.
 */
export async function bootstrapAdminPassword(ds: DataSource, presetPassword?: string): Promise<string | null> {
  const password = presetPassword ?? randomBytes(12).toString('base64url');
  const hashed = await hashPassword(password);
  const rows = await ds.query(
    `UPDATE users SET password_hash = $1, password_changed_at = now()
      WHERE username = 'admin' AND 'admin' = ANY(roles) AND auth_source = 'local' AND password_hash IS NULL AND password_changed_at IS NULL
      RETURNING id`,
    [hashed],
  );
  // An UPDATE … RETURNING answers [rows, count] through TypeORM's PostgreSQL driver.
  const [updated] = rows as [unknown[], number];
  return updated.length > 0 && !presetPassword ? password : null;
}

/** Sets a local user's password from the shell (`wardline user password <username>`), ending their sessions. */
export async function setUserPassword(ds: DataSource, username: string, password: string): Promise<boolean> {
  const rows = await ds.query(
    `UPDATE users SET password_hash = $2, password_changed_at = now() WHERE username = $1 AND auth_source = 'local' RETURNING id`,
    [username, await hashPassword(password)],
  );
  const [updated] = rows as [{ id: string }[], number];
  if (updated.length === 0) return false;
  await ds.query(`UPDATE sessions SET ended_at = now(), ended_reason = 'password_set' WHERE user_id = $1 AND ended_at IS NULL`, [updated[0].id]);
  await ds.query(`DELETE FROM sign_in_failures WHERE username = $1`, [username]);
  return true;
}
