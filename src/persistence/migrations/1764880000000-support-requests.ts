import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * S6 support requests: their own tickets (the queryable copy of each request's workflow), their timeline, and the
 * clock policy per request type as data (default 2 working days; data clean-ups and fixes go through a change).
 */
export class SupportRequests1764880000000 implements MigrationInterface {
  name = 'SupportRequests1764880000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE support_request_counters (day date PRIMARY KEY, last_value int NOT NULL)`);
    await q.query(`
      CREATE TABLE support_policies (
        type text PRIMARY KEY,
        working_days numeric(5, 2) NOT NULL CHECK (working_days > 0 AND working_days <= 60),
        touches_data boolean NOT NULL,
        updated_by text NOT NULL DEFAULT 'migration',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      INSERT INTO support_policies (type, working_days, touches_data) VALUES
        ('report_export', 2, false), ('data_cleanup', 2, true), ('data_fix', 2, true),
        ('account_permission', 2, false), ('configuration', 2, false), ('other', 2, false)`);
    await q.query(`
      CREATE TABLE support_requests (
        id uuid PRIMARY KEY,
        number text NOT NULL UNIQUE,
        workflow_id text NOT NULL UNIQUE,
        system_id uuid NOT NULL REFERENCES business_systems(id),
        type text NOT NULL,
        title text NOT NULL,
        state text NOT NULL,
        requester_name text NOT NULL,
        requester_department text NOT NULL,
        submitted_at timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        fulfilled_at timestamptz,
        confirmed_at timestamptz,
        breached boolean NOT NULL DEFAULT false,
        change_id uuid,
        view jsonb NOT NULL,
        projected_seq int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX support_requests_state ON support_requests (state)`);
    await q.query(`CREATE INDEX support_requests_submitted ON support_requests (submitted_at)`);
    await q.query(`
      CREATE TABLE support_request_events (
        id bigserial PRIMARY KEY,
        support_request_id uuid NOT NULL REFERENCES support_requests(id),
        seq int NOT NULL,
        type text NOT NULL,
        actor_id text,
        actor_name text,
        at timestamptz NOT NULL,
        from_state text,
        to_state text NOT NULL,
        note text,
        data jsonb NOT NULL DEFAULT '{}',
        UNIQUE (support_request_id, seq)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['support_request_events', 'support_requests', 'support_policies', 'support_request_counters']) await q.query(`DROP TABLE ${t}`);
  }
}
