import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * S8: monthly service reports, one per month: the drafted figures, the improvement plan the project manager and the
 * quality manager edit (every edit kept), the rendered PDF and XLSX of the latest version, and who published it when.
 */
export class MonthlyReports1764830000000 implements MigrationInterface {
  name = 'MonthlyReports1764830000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE monthly_reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        month text NOT NULL UNIQUE CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        workflow_id text NOT NULL UNIQUE,
        trigger text NOT NULL CHECK (trigger IN ('schedule', 'on_demand')),
        state text NOT NULL CHECK (state IN ('drafting', 'draft', 'published', 'failed')),
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        requested_by_name text NOT NULL,
        improvement_plan text,
        plan_edits jsonb NOT NULL DEFAULT '[]'::jsonb,
        version int NOT NULL DEFAULT 0,
        figures jsonb,
        sections text[] NOT NULL DEFAULT '{}',
        pdf bytea,
        pdf_sha256 char(64),
        xlsx bytea,
        xlsx_sha256 char(64),
        published_by_id text,
        published_by_name text,
        published_at timestamptz,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE monthly_reports`);
  }
}
