import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16: people sign in with a password (argon2id, never stored in clear) or through the hospital's directory
 * (LDAP/AD bind); sessions are server-side rows behind an httpOnly cookie, with their CSRF token and both timeouts;
 * repeated failures lock a username for a while (counted per name, so an unknown name locks like a known one);
 * directory groups map to roles as data.
 */
export class PeopleSignIn1765000000000 implements MigrationInterface {
  name = 'PeopleSignIn1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users
        ADD COLUMN password_hash text,
        ADD COLUMN password_changed_at timestamptz,
        ADD COLUMN auth_source text NOT NULL DEFAULT 'local' CHECK (auth_source IN ('local', 'directory')),
        ADD COLUMN directory_dn text,
        ADD COLUMN last_sign_in_at timestamptz`);
    await q.query(`
      CREATE TABLE sign_in_failures (
        username text PRIMARY KEY,
        failures int NOT NULL,
        first_failed_at timestamptz NOT NULL,
        locked_until timestamptz
      )`);
    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash char(64) NOT NULL UNIQUE,
        csrf_token text NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        auth_source text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        ended_at timestamptz,
        ended_reason text,
        address text,
        user_agent text
      )`);
    await q.query(`CREATE INDEX sessions_user_open ON sessions (user_id) WHERE ended_at IS NULL`);
    await q.query(`
      CREATE TABLE directory_group_roles (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        group_dn text NOT NULL,
        role text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid REFERENCES users(id)
      )`);
    await q.query(`CREATE UNIQUE INDEX directory_group_roles_unique ON directory_group_roles (lower(group_dn), role)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE directory_group_roles`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE sign_in_failures`);
    await q.query(`ALTER TABLE users DROP COLUMN password_hash, DROP COLUMN password_changed_at, DROP COLUMN auth_source, DROP COLUMN directory_dn, DROP COLUMN last_sign_in_at`);
  }
}
