import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two shared pieces of the API edge (issue 9, issue 15):
 * - idempotency_keys: one row per (caller, Idempotency-Key) of a create route. `fingerprint` is SHA-256 of the
 *   method, path and canonical body; the first answer is kept sealed (it may hold a token shown once) and replayed.
 *   Rows older than 24 h are purged.
 * - secrets: values sealed with AES-256-GCM by src/infra/secrets (random IV, tag, id and kind as associated data);
 *   `key_id` names the key that sealed them so a wrong key is told apart from tampering.
 */
export class IdempotencyAndSecrets1764310000000 implements MigrationInterface {
  name = 'IdempotencyAndSecrets1764310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        caller text NOT NULL,
        key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
        fingerprint char(64) NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
        status_code int,
        response bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        PRIMARY KEY (caller, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)`);
    await q.query(`
      CREATE TABLE secrets (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        key_id text NOT NULL,
        ciphertext bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        rotated_at timestamptz
      )`);
    await q.query(`CREATE INDEX secrets_kind ON secrets (kind)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE secrets`);
    await q.query(`DROP TABLE idempotency_keys`);
  }
}
