import { MigrationInterface, QueryRunner } from 'typeorm';

/** Users and tokens, the business systems, the duty roster, incidents with their timeline, in-app notifications, calendars and SLA policies. */
export class InitialSchema1764200000000 implements MigrationInterface {
  name = 'InitialSchema1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL UNIQUE,
        display_name text NOT NULL,
        roles text[] NOT NULL CHECK (cardinality(roles) > 0),
        phone text,
        email text,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        name text NOT NULL,
        token_hash char(64) NOT NULL UNIQUE,
        token_prefix text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE business_systems (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq int NOT NULL UNIQUE,
        code text NOT NULL UNIQUE,
        source_name text NOT NULL UNIQUE,
        display_name text NOT NULL,
        entry_kind text NOT NULL CHECK (entry_kind IN ('system', 'service_fee', 'project')),
        vendor_name text,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE duty_shifts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (ends_at > starts_at)
      )`);
    await q.query(`CREATE INDEX duty_shifts_window ON duty_shifts (starts_at, ends_at)`);
    await q.query(`CREATE TABLE incident_counters (day date PRIMARY KEY, last_value int NOT NULL)`);
    await q.query(`
      CREATE TABLE incidents (
        id uuid PRIMARY KEY,
        number text NOT NULL UNIQUE,
        workflow_id text NOT NULL UNIQUE,
        system_id uuid NOT NULL REFERENCES business_systems(id),
        title text NOT NULL,
        description text NOT NULL,
        reporter_name text NOT NULL,
        reporter_department text NOT NULL,
        reporter_phone text,
        priority text NOT NULL,
        channel text NOT NULL,
        state text NOT NULL,
        tier text NOT NULL,
        reported_at timestamptz NOT NULL,
        opened_by_id text NOT NULL,
        opened_by_name text NOT NULL,
        assignee_id uuid REFERENCES users(id),
        assignee_name text,
        respond_due timestamptz,
        on_site_due timestamptz,
        repair_due timestamptz,
        acknowledged_at timestamptz,
        on_site_at timestamptz,
        resolved_at timestamptz,
        confirmed_at timestamptz,
        closed_at timestamptz,
        cancelled_at timestamptz,
        cancel_reason text,
        resolution jsonb,
        breached boolean NOT NULL DEFAULT false,
        breached_clocks text[] NOT NULL DEFAULT '{}',
        clocks jsonb NOT NULL,
        policy_version int NOT NULL,
        projected_seq int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX incidents_state ON incidents (state)`);
    await q.query(`CREATE INDEX incidents_system ON incidents (system_id)`);
    await q.query(`CREATE INDEX incidents_reported_at ON incidents (reported_at)`);
    await q.query(`CREATE INDEX incidents_assignee ON incidents (assignee_id)`);
    await q.query(`
      CREATE TABLE incident_events (
        id bigserial PRIMARY KEY,
        incident_id uuid NOT NULL REFERENCES incidents(id),
        seq int NOT NULL,
        type text NOT NULL,
        actor_id text,
        actor_name text,
        at timestamptz NOT NULL,
        from_state text,
        to_state text NOT NULL,
        note text,
        data jsonb NOT NULL DEFAULT '{}',
        UNIQUE (incident_id, seq)
      )`);
    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        idempotency_key text NOT NULL UNIQUE,
        incident_id uuid REFERENCES incidents(id),
        event text NOT NULL,
        recipient_id uuid REFERENCES users(id),
        recipient_role text,
        channel text NOT NULL DEFAULT 'in_app',
        locale text NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz
      )`);
    await q.query(`CREATE INDEX notifications_incident ON notifications (incident_id)`);
    await q.query(`
      CREATE TABLE calendar_years (
        year int PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
        holidays jsonb NOT NULL,
        workdays jsonb NOT NULL,
        source text NOT NULL,
        loaded_by text NOT NULL,
        loaded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE sla_policies (
        version int PRIMARY KEY,
        body jsonb NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'sla_policies',
      'calendar_years',
      'notifications',
      'incident_events',
      'incidents',
      'incident_counters',
      'duty_shifts',
      'business_systems',
      'api_tokens',
      'users',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
