import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * S8: one satisfaction survey per confirmed incident, sent to its reporter as a one-time signed link (only the
 * link's hash is kept), answered once with a score of 1–5 and a comment. The engineer and system are copied at the
 * confirmation, so results per engineer and system do not move when the incident is reassigned later.
 */
export class SatisfactionSurveys1764860000000 implements MigrationInterface {
  name = 'SatisfactionSurveys1764860000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE satisfaction_surveys (
        id uuid PRIMARY KEY,
        incident_id uuid NOT NULL UNIQUE REFERENCES incidents(id),
        system_id uuid NOT NULL REFERENCES business_systems(id),
        engineer_id text,
        engineer_name text,
        reporter_name text NOT NULL,
        reporter_department text NOT NULL,
        reporter_phone text,
        token_hash char(64) NOT NULL UNIQUE,
        sent_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        score int CHECK (score BETWEEN 1 AND 5),
        comment text,
        answered_at timestamptz,
        CHECK ((score IS NULL) = (answered_at IS NULL))
      )`);
    await q.query(`CREATE INDEX satisfaction_surveys_answered ON satisfaction_surveys (answered_at) WHERE answered_at IS NOT NULL`);
    await q.query(`CREATE INDEX satisfaction_surveys_sent ON satisfaction_surveys (sent_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE satisfaction_surveys`);
  }
}
