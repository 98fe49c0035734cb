import { MigrationInterface, QueryRunner } from 'typeorm';

/** S4: changes, their revisions' scripts and every review decision; S3/S17: modification requests. The workflows hold the processes. */
export class Changes1764200000003 implements MigrationInterface {
  name = 'Changes1764200000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE change_counters (day date PRIMARY KEY, last_value int NOT NULL)`);
    await q.query(`
      CREATE TABLE changes (
        id uuid PRIMARY KEY,
        number text NOT NULL UNIQUE,
        workflow_id text NOT NULL UNIQUE,
        system_id uuid NOT NULL REFERENCES business_systems(id),
        kind text NOT NULL CHECK (kind IN ('standard', 'normal', 'emergency')),
        title text NOT NULL,
        state text NOT NULL,
        risk text NOT NULL,
        schema_change boolean NOT NULL,
        destructive boolean NOT NULL,
        current_revision int NOT NULL,
        approved_revision int,
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        submitted_by uuid NOT NULL REFERENCES users(id),
        implementer_id uuid REFERENCES users(id),
        linked_incident_id uuid REFERENCES incidents(id),
        view jsonb NOT NULL,
        projected_seq int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX changes_state ON changes (state)`);
    await q.query(`
      CREATE TABLE change_events (
        id bigserial PRIMARY KEY,
        change_id uuid NOT NULL REFERENCES changes(id),
        seq int NOT NULL,
        action text NOT NULL,
        actor_id text,
        actor_name text,
        at timestamptz NOT NULL,
        revision int NOT NULL,
        from_state text,
        to_state text NOT NULL,
        comment text,
        data jsonb NOT NULL DEFAULT '{}',
        UNIQUE (change_id, seq)
      )`);

    // S3, S11, S17: modification requests and their timeline.
    await q.query(`CREATE TABLE modification_counters (day date PRIMARY KEY, last_value int NOT NULL)`);
    await q.query(`
      CREATE TABLE modifications (
        id uuid PRIMARY KEY,
        number text NOT NULL UNIQUE,
        workflow_id text NOT NULL UNIQUE,
        system_id uuid NOT NULL REFERENCES business_systems(id),
        type text NOT NULL CHECK (type IN ('improvement', 'adaptation', 'interface')),
        title text NOT NULL,
        description text NOT NULL,
        department text NOT NULL,
        state text NOT NULL,
        submitted_by uuid NOT NULL REFERENCES users(id),
        submitted_at timestamptz NOT NULL,
        delivery_due timestamptz,
        delivery_breached boolean NOT NULL DEFAULT false,
        live_at timestamptz,
        acceptance_eligible_at timestamptz,
        accepted_at timestamptz,
        maintenance_ends_at timestamptz,
        view jsonb NOT NULL,
        projected_seq int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE modification_events (
        id bigserial PRIMARY KEY,
        modification_id uuid NOT NULL REFERENCES modifications(id),
        seq int NOT NULL,
        type text NOT NULL,
        actor_id text,
        actor_name text,
        at timestamptz NOT NULL,
        from_state text,
        to_state text NOT NULL,
        note text,
        data jsonb NOT NULL DEFAULT '{}',
        UNIQUE (modification_id, seq)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE modification_events`);
    await q.query(`DROP TABLE modifications`);
    await q.query(`DROP TABLE modification_counters`);
    await q.query(`DROP TABLE change_events`);
    await q.query(`DROP TABLE changes`);
    await q.query(`DROP TABLE change_counters`);
  }
}
