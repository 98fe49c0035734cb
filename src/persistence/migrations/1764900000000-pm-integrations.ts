import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * S15: the hospital's project-management platforms. One row per integration (its mapping is data, its API key or
 * HMAC secret lives sealed in the vault and is named here by id only); one link per platform item Wardline made a
 * record of, keyed by the item's id so a repeat changes nothing; an outbox of progress to post back, keyed so each
 * piece is delivered once; the inbox of signed events pushed by webhook platforms (their ids refuse replays); and
 * every status conflict, kept to be shown.
 */
export class PmIntegrations1764900000000 implements MigrationInterface {
  name = 'PmIntegrations1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE pm_integrations (
        id uuid PRIMARY KEY,
        name text NOT NULL UNIQUE,
        kind text NOT NULL CHECK (kind IN ('redmine', 'webhook')),
        base_url text,
        project text,
        progress_url text,
        secret_id uuid NOT NULL REFERENCES secrets(id),
        mapping jsonb NOT NULL,
        poll_interval_ms int NOT NULL CHECK (poll_interval_ms >= 100),
        tolerance_ms int NOT NULL CHECK (tolerance_ms > 0),
        user_id uuid NOT NULL REFERENCES users(id),
        platform_user_id text,
        workflow_id text NOT NULL UNIQUE,
        active boolean NOT NULL DEFAULT true,
        cursor jsonb,
        inbound_more boolean NOT NULL DEFAULT false,
        last_poll_at timestamptz,
        last_success_at timestamptz,
        last_error text,
        last_error_at timestamptz,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'redmine' AND base_url IS NOT NULL AND project IS NOT NULL) OR (kind = 'webhook' AND progress_url IS NOT NULL))
      )`);
    await q.query(`
      CREATE TABLE pm_links (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        integration_id uuid NOT NULL REFERENCES pm_integrations(id),
        external_id text NOT NULL,
        external_url text,
        record_kind text NOT NULL CHECK (record_kind IN ('incident', 'modification')),
        record_id uuid NOT NULL UNIQUE,
        record_number text NOT NULL,
        workflow_id text NOT NULL,
        opened boolean NOT NULL DEFAULT false,
        platform_status text,
        platform_updated_at timestamptz,
        last_journal_id bigint NOT NULL DEFAULT 0,
        queued_seq int NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (integration_id, external_id)
      )`);
    await q.query(`
      CREATE TABLE pm_outbox (
        id bigserial PRIMARY KEY,
        integration_id uuid NOT NULL REFERENCES pm_integrations(id),
        link_id uuid NOT NULL REFERENCES pm_links(id),
        key text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('progress', 'conflict')),
        event_seq int,
        status text,
        body text NOT NULL,
        fields jsonb NOT NULL DEFAULT '{}'::jsonb,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered')),
        attempts int NOT NULL DEFAULT 0,
        outcome text,
        warnings text[] NOT NULL DEFAULT '{}',
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        UNIQUE (integration_id, key)
      )`);
    await q.query(`CREATE INDEX pm_outbox_pending ON pm_outbox (integration_id, id) WHERE state = 'pending'`);
    await q.query(`
      CREATE TABLE pm_inbox (
        seq bigserial PRIMARY KEY,
        integration_id uuid NOT NULL REFERENCES pm_integrations(id),
        event_id text NOT NULL,
        external_id text NOT NULL,
        sent_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        body jsonb NOT NULL,
        UNIQUE (integration_id, event_id)
      )`);
    await q.query(`CREATE INDEX pm_inbox_item ON pm_inbox (integration_id, external_id, seq)`);
    await q.query(`
      CREATE TABLE pm_conflicts (
        id bigserial PRIMARY KEY,
        integration_id uuid NOT NULL REFERENCES pm_integrations(id),
        link_id uuid NOT NULL REFERENCES pm_links(id),
        journal_id bigint NOT NULL,
        at timestamptz NOT NULL,
        author text NOT NULL,
        platform_status text NOT NULL,
        wardline_state text NOT NULL,
        reason text NOT NULL CHECK (reason IN ('unmapped', 'refused')),
        command text,
        restored_status text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (link_id, journal_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['pm_conflicts', 'pm_inbox', 'pm_outbox', 'pm_links', 'pm_integrations']) await q.query(`DROP TABLE ${t}`);
  }
}
