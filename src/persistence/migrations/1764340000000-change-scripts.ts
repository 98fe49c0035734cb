import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * S4: a change's SQL lives here, one row per submitted revision; the workflow carries only the row's id and the
 * scripts' SHA-256 (a few large revisions would pass Temporal's 2 MB payload limit). No foreign key to `changes`:
 * the first revision's scripts are stored before the change's workflow projects its row.
 */
export class ChangeScripts1764340000000 implements MigrationInterface {
  name = 'ChangeScripts1764340000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE change_scripts (
        id uuid PRIMARY KEY,
        change_id uuid NOT NULL,
        revision int NOT NULL CHECK (revision >= 1),
        dialect text NOT NULL,
        forward_script text NOT NULL,
        rollback_script text NOT NULL,
        forward_sha256 char(64) NOT NULL,
        rollback_sha256 char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX change_scripts_change ON change_scripts (change_id, revision)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE change_scripts`);
  }
}
