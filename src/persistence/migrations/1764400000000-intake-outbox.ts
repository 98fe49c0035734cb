import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Intake decoupled from the engine (issue 10). An incident is committed with an outbox entry in one transaction and
 * answered at once; a dispatcher then starts, signals or updates the workflow from `workflow_outbox`, in id order per
 * workflow id. `intake_key` lets an integration (a PM platform's external id, an alert group) open one incident however
 * often it retries. Inserting outbox rows, and changing the calendar or the SLA policies, NOTIFY the processes that
 * wait on them (the dispatcher; every API replica's calendar cache).
 */
export class IntakeOutbox1764400000000 implements MigrationInterface {
  name = 'IntakeOutbox1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE workflow_outbox (
        id bigserial PRIMARY KEY,
        workflow_id text NOT NULL,
        operation text NOT NULL CHECK (operation IN ('start', 'signal', 'update')),
        workflow_type text,
        task_queue text,
        start_args jsonb,
        message_name text,
        message_args jsonb,
        dedupe_key text UNIQUE,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        run_id text,
        outcome text,
        created_at timestamptz NOT NULL DEFAULT now(),
        done_at timestamptz,
        CHECK ((start_args IS NULL) = (workflow_type IS NULL)),
        CHECK (operation = 'start' OR message_name IS NOT NULL),
        CHECK (operation <> 'start' OR (start_args IS NOT NULL AND message_name IS NULL))
      )`);
    // The dispatcher reads pending rows in id order and asks, per workflow, whether an earlier one is still pending.
    await q.query(`CREATE INDEX workflow_outbox_pending ON workflow_outbox (id) WHERE state = 'pending'`);
    await q.query(`CREATE INDEX workflow_outbox_pending_workflow ON workflow_outbox (workflow_id, id) WHERE state = 'pending'`);
    await q.query(`CREATE INDEX workflow_outbox_done ON workflow_outbox (done_at) WHERE state <> 'pending'`);
    // One notification per inserting transaction (statement trigger, empty payload: PostgreSQL folds duplicates).
    await q.query(`
      CREATE FUNCTION wardline_notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('wardline_outbox', '');
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER workflow_outbox_notify AFTER INSERT ON workflow_outbox FOR EACH STATEMENT EXECUTE FUNCTION wardline_notify_outbox()`);

    await q.query(`ALTER TABLE incidents ADD COLUMN intake_key text UNIQUE`);
    // When a timeline event reached the record (its `at` is when it happened, a breach at its deadline): the measure
    // of how late a timer fired (bench:timers) and an audit fact of its own.
    await q.query(`ALTER TABLE incident_events ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now()`);

    // Any writer of the calendar or the policies (an API replica, the CLI, plain SQL) tells every cache.
    await q.query(`
      CREATE FUNCTION wardline_notify_calendar() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('wardline_calendar', TG_TABLE_NAME);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER calendar_years_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_years FOR EACH STATEMENT EXECUTE FUNCTION wardline_notify_calendar()`);
    await q.query(`CREATE TRIGGER sla_policies_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sla_policies FOR EACH STATEMENT EXECUTE FUNCTION wardline_notify_calendar()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER sla_policies_notify ON sla_policies`);
    await q.query(`DROP TRIGGER calendar_years_notify ON calendar_years`);
    await q.query(`DROP FUNCTION wardline_notify_calendar()`);
    await q.query(`ALTER TABLE incident_events DROP COLUMN recorded_at`);
    await q.query(`ALTER TABLE incidents DROP COLUMN intake_key`);
    await q.query(`DROP TABLE workflow_outbox`);
    await q.query(`DROP FUNCTION wardline_notify_outbox()`);
  }
}
