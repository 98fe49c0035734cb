import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * S10/S2: an incident whose deadlines were computed on a provisional calendar (the statutory holidays of a year
 * whose official schedule with its 调休 was not loaded) says so on its row.
 * S4: the line diff between a revision's scripts and the previous revision's is computed once, when the revision is
 * submitted, and kept here, instead of on every GET /changes/:id.
 */
export class CalendarProvisionalAndScriptDiffs1764330000000 implements MigrationInterface {
  name = 'CalendarProvisionalAndScriptDiffs1764330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE incidents ADD COLUMN calendar_provisional boolean NOT NULL DEFAULT false`);
    // Keyed by the change_scripts row of the newer revision (change_scripts comes later in the migration order, so no
    // foreign key); computed when that revision is submitted.
    await q.query(`
      CREATE TABLE change_script_diffs (
        scripts_id uuid PRIMARY KEY,
        previous_scripts_id uuid,
        forward jsonb NOT NULL,
        rollback jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE change_script_diffs`);
    await q.query(`ALTER TABLE incidents DROP COLUMN calendar_provisional`);
  }
}
