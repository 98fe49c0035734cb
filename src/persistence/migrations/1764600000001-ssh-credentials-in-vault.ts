import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SSH credentials keep their secrets in the shared vault (`secrets`, src/infra/secrets) and hold only its ids.
 * The stand-in columns sealed by the first version go: nothing outside development machines ever held a row, and
 * the old values cannot be re-sealed in SQL. Existing rows (development only) are removed with them.
 */
export class SshCredentialsInVault1764600000001 implements MigrationInterface {
  name = 'SshCredentialsInVault1764600000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE job_run_hosts SET credential_id = NULL`);
    await q.query(`DELETE FROM ssh_credentials`);
    await q.query(`ALTER TABLE ssh_credentials DROP COLUMN sealed_secret, DROP COLUMN sealed_passphrase`);
    await q.query(`ALTER TABLE ssh_credentials ADD COLUMN secret_id uuid NOT NULL REFERENCES secrets(id), ADD COLUMN passphrase_secret_id uuid REFERENCES secrets(id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM ssh_credentials`);
    await q.query(`ALTER TABLE ssh_credentials DROP COLUMN secret_id, DROP COLUMN passphrase_secret_id`);
    await q.query(`ALTER TABLE ssh_credentials ADD COLUMN sealed_secret text NOT NULL, ADD COLUMN sealed_passphrase text`);
  }
}
