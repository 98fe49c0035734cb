import { DataSource, EntityManager } from 'typeorm';
import { hashToken, newToken, tokenPrefix } from '../infra/api-tokens';

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
