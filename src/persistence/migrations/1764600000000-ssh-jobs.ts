import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * P5: SSH credentials (sealed), pinned host keys, job templates with versions, job and patch runs with a row per
 * host, schedules, and the audit trail of who ran what where. The workflows hold the runs; these are the
 * queryable copy and the evidence.
 */
export class SshJobs1764600000000 implements MigrationInterface {
  name = 'SshJobs1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE job_run_counters (day date PRIMARY KEY, last_value int NOT NULL)`);
    // The secret is sealed by the secrets vault (AES-256-GCM); the API never returns it and activities get the id.
    await q.query(`
      CREATE TABLE ssh_credentials (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        username text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('password', 'key')),
        sealed_secret text NOT NULL,
        sealed_passphrase text,
        become text NOT NULL DEFAULT 'none' CHECK (become IN ('none', 'sudo')),
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE ssh_host_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        host text NOT NULL,
        port int NOT NULL CHECK (port BETWEEN 1 AND 65535),
        key_type text NOT NULL,
        public_key text NOT NULL,
        fingerprint text NOT NULL,
        source text NOT NULL CHECK (source IN ('scan', 'import')),
        state text NOT NULL CHECK (state IN ('accepted', 'revoked')),
        accepted_by uuid REFERENCES users(id),
        accepted_by_name text NOT NULL,
        accepted_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX ssh_host_keys_pinned ON ssh_host_keys (host, port) WHERE state = 'accepted'`);
    await q.query(`
      CREATE TABLE job_templates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        description text,
        shell text NOT NULL CHECK (shell IN ('bash', 'powershell')),
        read_only boolean NOT NULL,
        current_version int NOT NULL,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE job_template_versions (
        template_id uuid NOT NULL REFERENCES job_templates(id),
        version int NOT NULL,
        script text NOT NULL,
        script_sha256 char(64) NOT NULL,
        parameters jsonb NOT NULL,
        read_only boolean NOT NULL,
        created_by uuid REFERENCES users(id),
        created_by_name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (template_id, version)
      )`);
    await q.query(`
      CREATE TABLE job_schedules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        schedule_id text NOT NULL UNIQUE,
        template_id uuid NOT NULL REFERENCES job_templates(id),
        cron text NOT NULL,
        overlap text NOT NULL,
        request jsonb NOT NULL,
        change_id uuid REFERENCES changes(id),
        created_by uuid REFERENCES users(id),
        created_by_name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE job_runs (
        id uuid PRIMARY KEY,
        number text NOT NULL UNIQUE,
        workflow_id text NOT NULL UNIQUE,
        kind text NOT NULL CHECK (kind IN ('job', 'patch')),
        template_id uuid REFERENCES job_templates(id),
        template_version int,
        script_sha256 char(64),
        parameters jsonb NOT NULL DEFAULT '{}',
        read_only boolean NOT NULL,
        production boolean NOT NULL,
        change_id uuid REFERENCES changes(id),
        schedule_id uuid REFERENCES job_schedules(id),
        requested_by uuid REFERENCES users(id),
        requested_by_name text NOT NULL,
        options jsonb NOT NULL,
        state text NOT NULL,
        stop_reason text,
        view jsonb NOT NULL DEFAULT '{}',
        projected_seq int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX job_runs_created ON job_runs (created_at DESC)`);
    // A patch run's change: the monitoring work links alerts on these hosts to that change's maintenance window.
    await q.query(`CREATE INDEX job_runs_change ON job_runs (change_id) WHERE change_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE job_run_hosts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        run_id uuid NOT NULL REFERENCES job_runs(id),
        seq int NOT NULL,
        batch int NOT NULL,
        item_id uuid,
        name text NOT NULL,
        address text NOT NULL,
        port int NOT NULL,
        os_family text NOT NULL,
        credential_id uuid REFERENCES ssh_credentials(id),
        jump jsonb,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped')),
        attempt int NOT NULL DEFAULT 0,
        exit_code int,
        error_kind text,
        error_message text,
        duration_ms int,
        stdout_head text,
        stdout_tail text,
        stdout_omitted bigint,
        stderr_head text,
        stderr_tail text,
        stderr_omitted bigint,
        data jsonb NOT NULL DEFAULT '{}',
        started_at timestamptz,
        finished_at timestamptz,
        UNIQUE (run_id, seq)
      )`);
    await q.query(`CREATE INDEX job_run_hosts_run ON job_run_hosts (run_id, status)`);
    // Who did what to credentials, host keys, templates, runs and schedules; never a secret in `data`.
    await q.query(`
      CREATE TABLE ops_audit (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id uuid,
        actor_name text NOT NULL,
        action text NOT NULL,
        subject_type text NOT NULL,
        subject_id text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX ops_audit_subject ON ops_audit (subject_type, subject_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['ops_audit', 'job_run_hosts', 'job_runs', 'job_schedules', 'job_template_versions', 'job_templates', 'ssh_host_keys', 'ssh_credentials', 'job_run_counters']) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
