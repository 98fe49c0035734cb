import { MigrationInterface, QueryRunner } from 'typeorm';

/** S8: how the survey link reached the reporter: by SMS (with the gateway's answer), or not (no gateway, no mobile). */
export class SurveyInvitations1764860000001 implements MigrationInterface {
  name = 'SurveyInvitations1764860000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE satisfaction_surveys
        ADD COLUMN invitation_status text NOT NULL DEFAULT 'pending' CHECK (invitation_status IN ('pending', 'sent', 'failed', 'no_channel')),
        ADD COLUMN invitation_at timestamptz,
        ADD COLUMN invitation_detail text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE satisfaction_surveys DROP COLUMN invitation_status, DROP COLUMN invitation_at, DROP COLUMN invitation_detail`);
  }
}
