import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * S10/S2: an incident whose deadlines were computed on a provisional calendar (the statutory holidays of a year
 * whose official schedule with its 调休 was not loaded) says so on its row.
 * S4: the line diff between a revision's scripts and the previous revision's is computed once, when the revision is
 * submitted, and kept here (no foreign key: the first revision is stored before the change's row is projected).
 */
export class CalendarProvisionalAndScriptDiffs1764330000000 implements MigrationInterface {
  name = 'CalendarProvisionalAndScriptDiffs1764330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE incidents ADD COLUMN calendar_provisional boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE change_script_diffs (
        change_id uuid NOT NULL,
        revision int NOT NULL CHECK (revision >= 2),
        forward jsonb NOT NULL,
        rollback jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (change_id, revision)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE change_script_diffs`);
    await q.query(`ALTER TABLE incidents DROP COLUMN calendar_provisional`);
  }
}
