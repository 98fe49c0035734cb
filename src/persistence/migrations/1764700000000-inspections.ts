import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inspections (P4, S16, S5): the check catalogue with every version kept, database credentials (sealed in the
 * vault), inspection runs with a row per configuration item (progress, score and its explanation), each check's
 * result with its evidence, business system scores, the stored reports with their sign-offs (S16), and the
 * incidents, changes and problems raised from a risk. The workflow holds the run; these are its queryable copy.
 */
export class Inspections1764700000000 implements MigrationInterface {
  name = 'Inspections1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE inspection_counters (day date PRIMARY KEY, last_value int NOT NULL)`);
    await q.query(`
      CREATE TABLE inspection_checks (
        check_id text NOT NULL,
        version int NOT NULL CHECK (version >= 1),
        definition jsonb NOT NULL,
        source text NOT NULL CHECK (source IN ('shipped', 'hospital')),
        created_by uuid,
        created_by_name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (check_id, version)
      )`);
    await q.query(`
      CREATE TABLE db_credentials (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        username text NOT NULL,
        secret_id uuid NOT NULL REFERENCES secrets(id),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE inspections (
        id uuid PRIMARY KEY,
        number text NOT NULL UNIQUE,
        workflow_id text NOT NULL UNIQUE,
        profile text NOT NULL CHECK (profile IN ('quarterly', 'monthly')),
        trigger text NOT NULL CHECK (trigger IN ('on_demand', 'schedule')),
        scope jsonb NOT NULL,
        state text NOT NULL CHECK (state IN ('running', 'completed', 'failed')),
        phase text NOT NULL DEFAULT 'collecting',
        catalogue jsonb NOT NULL DEFAULT '[]'::jsonb,
        previous_id uuid REFERENCES inspections(id),
        requested_by uuid,
        requested_by_name text NOT NULL,
        summary jsonb,
        error text,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX inspections_started ON inspections (started_at DESC)`);
    // No foreign key to cmdb_items: an inspection is evidence and outlives a retired or deleted item.
    await q.query(`
      CREATE TABLE inspection_items (
        inspection_id uuid NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
        item_id uuid NOT NULL,
        item_type text NOT NULL,
        item_name text NOT NULL,
        display_name text NOT NULL,
        criticality text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'running', 'done')),
        attempts int NOT NULL DEFAULT 0,
        checks_run int NOT NULL DEFAULT 0,
        findings int NOT NULL DEFAULT 0,
        reachable boolean,
        score int,
        explanation jsonb,
        previous_score int,
        started_at timestamptz,
        finished_at timestamptz,
        PRIMARY KEY (inspection_id, item_id)
      )`);
    await q.query(`CREATE INDEX inspection_items_item ON inspection_items (item_id, inspection_id)`);
    await q.query(`
      CREATE TABLE inspection_results (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        inspection_id uuid NOT NULL,
        item_id uuid NOT NULL,
        check_id text NOT NULL,
        check_version int NOT NULL,
        subject text NOT NULL,
        status text NOT NULL CHECK (status IN ('passed', 'finding', 'skipped', 'error')),
        severity text CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
        value double precision,
        compared double precision,
        unit text NOT NULL DEFAULT '',
        threshold jsonb,
        evidence jsonb NOT NULL,
        measured_at timestamptz NOT NULL,
        FOREIGN KEY (inspection_id, item_id) REFERENCES inspection_items(inspection_id, item_id) ON DELETE CASCADE,
        CHECK ((status IN ('finding', 'error')) = (severity IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX inspection_results_run ON inspection_results (inspection_id, item_id)`);
    await q.query(`CREATE INDEX inspection_results_previous ON inspection_results (item_id, check_id, subject)`);
    await q.query(`
      CREATE TABLE inspection_system_scores (
        inspection_id uuid NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
        system_id uuid NOT NULL,
        name text NOT NULL,
        display_name text NOT NULL,
        score int,
        previous_score int,
        explanation jsonb NOT NULL,
        PRIMARY KEY (inspection_id, system_id)
      )`);
    // S16: the report the hospital receives; "period" is what it covers (since the previous inspection), so the
    // acceptance pack (S17) can list the reports of a period.
    await q.query(`
      CREATE TABLE inspection_reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        inspection_id uuid NOT NULL REFERENCES inspections(id),
        version int NOT NULL,
        title text NOT NULL,
        period_start timestamptz,
        period_end timestamptz NOT NULL,
        pdf bytea NOT NULL,
        pdf_sha256 char(64) NOT NULL,
        xlsx bytea NOT NULL,
        xlsx_sha256 char(64) NOT NULL,
        renderer text NOT NULL,
        state text NOT NULL CHECK (state IN ('awaiting_signoff', 'signed_off')),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (inspection_id, version)
      )`);
    await q.query(`CREATE INDEX inspection_reports_period ON inspection_reports (period_end)`);
    await q.query(`
      CREATE TABLE inspection_report_signoffs (
        report_id uuid NOT NULL REFERENCES inspection_reports(id),
        role text NOT NULL CHECK (role IN ('project_manager', 'quality_manager')),
        user_id uuid NOT NULL,
        user_name text NOT NULL,
        note text,
        signed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (report_id, role)
      )`);
    await q.query(`
      CREATE TABLE inspection_risk_actions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        inspection_id uuid NOT NULL REFERENCES inspections(id),
        result_id uuid NOT NULL REFERENCES inspection_results(id),
        kind text NOT NULL CHECK (kind IN ('incident', 'change', 'problem')),
        ref text NOT NULL,
        created_by uuid,
        created_by_name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (result_id, kind)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['inspection_risk_actions', 'inspection_report_signoffs', 'inspection_reports', 'inspection_system_scores', 'inspection_results', 'inspection_items', 'inspections', 'db_credentials', 'inspection_checks', 'inspection_counters']) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
