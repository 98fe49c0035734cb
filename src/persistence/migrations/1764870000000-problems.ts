import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * S1 problem management: problems (the queryable copy of each problem's workflow), their timeline, the incidents
 * linked to them, and the recurrence rules as data (defaults: the same alert group 3 times, the same system and cause
 * twice, the same system and fault category 3 times, each within 30 days). At most one open problem per detection
 * key, so a recurrence links to the open problem instead of proposing a second.
 */
export class Problems1764870000000 implements MigrationInterface {
  name = 'Problems1764870000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE problem_counters (day date PRIMARY KEY, last_value int NOT NULL)`);
    await q.query(`
      CREATE TABLE problems (
        id uuid PRIMARY KEY,
        number text NOT NULL UNIQUE,
        workflow_id text NOT NULL UNIQUE,
        system_id uuid NOT NULL REFERENCES business_systems(id),
        title text NOT NULL,
        description text NOT NULL,
        state text NOT NULL,
        origin_kind text NOT NULL CHECK (origin_kind IN ('recurrence', 'manual')),
        detection_key text,
        root_cause text,
        workaround text,
        fixed_by_change_id uuid,
        opened_at timestamptz NOT NULL,
        opened_by_name text NOT NULL,
        closed_at timestamptz,
        view jsonb NOT NULL,
        projected_seq int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX problems_open_key ON problems (detection_key) WHERE detection_key IS NOT NULL AND state NOT IN ('closed', 'rejected')`);
    await q.query(`CREATE INDEX problems_state ON problems (state)`);
    await q.query(`CREATE INDEX problems_system ON problems (system_id)`);
    await q.query(`
      CREATE TABLE problem_events (
        id bigserial PRIMARY KEY,
        problem_id uuid NOT NULL REFERENCES problems(id),
        seq int NOT NULL,
        type text NOT NULL,
        actor_id text,
        actor_name text,
        at timestamptz NOT NULL,
        from_state text,
        to_state text NOT NULL,
        note text,
        data jsonb NOT NULL DEFAULT '{}',
        UNIQUE (problem_id, seq)
      )`);
    await q.query(`
      CREATE TABLE problem_incidents (
        problem_id uuid NOT NULL REFERENCES problems(id),
        incident_id uuid NOT NULL REFERENCES incidents(id),
        linked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (problem_id, incident_id)
      )`);
    await q.query(`CREATE INDEX problem_incidents_incident ON problem_incidents (incident_id)`);
    await q.query(`
      CREATE TABLE problem_detection_rules (
        kind text PRIMARY KEY CHECK (kind IN ('alert_group', 'system_cause', 'system_category')),
        threshold int NOT NULL CHECK (threshold BETWEEN 2 AND 100),
        window_days int NOT NULL CHECK (window_days BETWEEN 1 AND 366),
        enabled boolean NOT NULL DEFAULT true,
        updated_by text NOT NULL DEFAULT 'migration',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      INSERT INTO problem_detection_rules (kind, threshold, window_days) VALUES
        ('alert_group', 3, 30), ('system_cause', 2, 30), ('system_category', 3, 30)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['problem_detection_rules', 'problem_incidents', 'problem_events', 'problems', 'problem_counters']) await q.query(`DROP TABLE ${t}`);
  }
}
