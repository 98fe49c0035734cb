import { Context } from '@temporalio/activity';
import { DataSource } from 'typeorm';
import { invocation, ScriptShell } from '../adapters/ssh/script';
import { SshRunResult, runSsh } from '../adapters/ssh/ssh-client';
import type { HostSummary, RunView } from '../domain/jobs/job-run';
import type { SecretVault } from '../infra/secrets';
import { updateReturning } from '../persistence/sql';
import { HostAccess, audit, resolveEndpoint } from '../persistence/ssh-store';
import { createJobRun } from '../persistence/jobs/runs';
import { DomainError } from '../domain/errors';
import type { JobRunInput } from '../domain/jobs/job-run';

export interface JobActivityDeps {
  dataSource: DataSource;
  vault: SecretVault;
  /** Bytes of each output stream's start and end kept per host. */
  outputHeadBytes?: number;
  outputTailBytes?: number;
  utcOffsetMinutes: number;
}

export interface RunHostInput {
  runId: string;
  runHostId: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

interface RunHostRow {
  id: string;
  status: string;
  address: string;
  port: number;
  credential_id: string | null;
  jump: HostAccess | null;
  exit_code: number | null;
  error_kind: HostSummary['errorKind'];
  duration_ms: number | null;
}

const summaryOf = (row: RunHostRow): HostSummary => ({
  status: row.status === 'succeeded' ? 'succeeded' : 'failed',
  exitCode: row.exit_code,
  errorKind: row.error_kind,
  durationMs: row.duration_ms ?? 0,
});

/** Saves one host's outcome (output stays in the database, not in workflow history) and returns its summary. */
export async function recordHostResult(ds: DataSource, runHostId: string, r: SshRunResult, data: Record<string, unknown> = {}, failed = r.errorKind !== null): Promise<HostSummary> {
  const status = failed ? 'failed' : 'succeeded';
  const errorKind = failed ? (r.errorKind ?? 'error') : null;
  await ds.query(
    `UPDATE job_run_hosts SET status = $2, exit_code = $3, error_kind = $4, error_message = $5, duration_ms = $6,
       stdout_head = $7, stdout_tail = $8, stdout_omitted = $9, stderr_head = $10, stderr_tail = $11, stderr_omitted = $12,
       data = data || $13::jsonb, finished_at = now()
     WHERE id = $1`,
    [
      runHostId,
      status,
      r.exitCode,
      errorKind,
      r.errorMessage,
      r.durationMs,
      r.stdout.head,
      r.stdout.tail,
      r.stdout.omittedBytes,
      r.stderr.head,
      r.stderr.tail,
      r.stderr.omittedBytes,
      JSON.stringify({ ...data, ...(r.hostKeyProblem ? { hostKeyProblem: r.hostKeyProblem } : {}) }),
    ],
  );
  return { status, exitCode: r.exitCode, errorKind, durationMs: r.durationMs };
}

/**
 * Claims a host for this attempt. A host already finished gives its stored result; a host an earlier attempt
 * left `running` (the worker died mid-command) is NOT run again: its outcome is unknown and recorded as such.
 */
export async function claimHost(ds: DataSource, input: { runId: string; runHostId: string }): Promise<{ row: RunHostRow } | { done: HostSummary }> {
  const attempt = Context.current().info.attempt;
  const [row] = await updateReturning<RunHostRow>(
    ds,
    `UPDATE job_run_hosts SET status = 'running', attempt = $3, started_at = now()
      WHERE id = $1 AND run_id = $2 AND status = 'pending'
      RETURNING id, status, address, port, credential_id, jump, exit_code, error_kind, duration_ms`,
    [input.runHostId, input.runId, attempt],
  );
  if (row) return { row };
  const [seen] = await ds.query(`SELECT id, status, exit_code, error_kind, duration_ms FROM job_run_hosts WHERE id = $1 AND run_id = $2`, [input.runHostId, input.runId]);
  if (!seen) throw new Error(`run host ${input.runHostId} of run ${input.runId} does not exist`);
  if (seen.status === 'running') {
    await ds.query(
      `UPDATE job_run_hosts SET status = 'failed', error_kind = 'error', finished_at = now(),
         error_message = 'the worker stopped while the command ran; not run a second time (it may have completed on the host)'
       WHERE id = $1 AND status = 'running'`,
      [input.runHostId],
    );
    return { done: { status: 'failed', exitCode: null, errorKind: 'error', durationMs: 0 } };
  }
  return { done: summaryOf(seen) };
}

export async function connectionFor(ds: DataSource, vault: SecretVault, row: RunHostRow) {
  if (!row.credential_id) throw new Error(`run host ${row.id} has no credential`);
  const target = await resolveEndpoint(ds, vault, { address: row.address, port: row.port, credentialId: row.credential_id });
  const jump = row.jump ? (await resolveEndpoint(ds, vault, row.jump)).endpoint : undefined;
  return { ...target, jump };
}

/** A host the run could not even try (no credential, an activity that kept failing): a failed result, never a crashed run. */
export async function failHost(ds: DataSource, runHostId: string, kind: NonNullable<HostSummary['errorKind']>, message: string): Promise<HostSummary> {
  await ds.query(`UPDATE job_run_hosts SET status = 'failed', error_kind = $2, error_message = $3, finished_at = now() WHERE id = $1 AND status IN ('pending', 'running')`, [runHostId, kind, message]);
  return { status: 'failed', exitCode: null, errorKind: kind, durationMs: 0 };
}

/** Job runs (P5): one host's script over SSH, and the run's projection and audit. */
export function createJobActivities(deps: JobActivityDeps) {
  const ds = deps.dataSource;
  return {
    async runJobHost(input: RunHostInput): Promise<HostSummary> {
      const claimed = await claimHost(ds, input);
      if ('done' in claimed) return claimed.done;
      const [run] = await ds.query(
        `SELECT r.parameters, v.script, t.shell FROM job_runs r
           JOIN job_template_versions v ON v.template_id = r.template_id AND v.version = r.template_version
           JOIN job_templates t ON t.id = r.template_id
          WHERE r.id = $1`,
        [input.runId],
      );
      if (!run) throw new Error(`run ${input.runId} has no template version`);
      let access: Awaited<ReturnType<typeof connectionFor>>;
      try {
        access = await connectionFor(ds, deps.vault, claimed.row);
      } catch (err) {
        return failHost(ds, input.runHostId, 'auth', `cannot use the host's credential: ${(err as Error).message}`);
      }
      const { endpoint, become, jump } = access;
      const { command } = invocation(run.shell as ScriptShell, run.script, run.parameters, become);
      const result = await runSsh(endpoint, command, {
        connectTimeoutMs: input.connectTimeoutMs,
        commandTimeoutMs: input.commandTimeoutMs,
        headBytes: deps.outputHeadBytes,
        tailBytes: deps.outputTailBytes,
        jump,
      });
      return recordHostResult(ds, input.runHostId, result);
    },

    /**
     * A schedule fired: the run is made exactly as the API makes one (template, parameters, CMDB targets now, and
     * the change rule checked at this moment, S4). A run the rules refuse is audited and skipped, not retried.
     */
    async startScheduledRun(input: { scheduleRowId: string; firedAt: number }): Promise<{ workflowId: string; input: JobRunInput } | { refused: string }> {
      const [s] = await ds.query(`SELECT id, name, request, change_id, created_by, created_by_name FROM job_schedules WHERE id = $1`, [input.scheduleRowId]);
      if (!s) return { refused: 'the schedule no longer exists' };
      const [already] = await ds.query(`SELECT id, workflow_id FROM job_runs WHERE schedule_id = $1 AND created_at >= to_timestamp($2 / 1000.0) ORDER BY created_at LIMIT 1`, [s.id, input.firedAt]);
      // A retry after the run was made (the worker died before answering): no second run for one firing.
      if (already) return { refused: `run ${already.id} was already made for this firing` };
      try {
        const request = { ...s.request, changeId: s.change_id ?? undefined };
        return await createJobRun(ds, request, { id: s.created_by ?? 'schedule', name: `${s.created_by_name} (schedule ${s.name})` }, input.firedAt, deps.utcOffsetMinutes, s.id);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        await audit(ds, { actor: { id: null, name: `schedule ${s.name}` }, action: 'scheduled_run_refused', subjectType: 'job_schedule', subjectId: s.id, data: { reason: err.message, firedAt: input.firedAt } });
        return { refused: err.message };
      }
    },

    async markHostFailed(input: { runHostId: string; message: string }): Promise<HostSummary> {
      return failHost(ds, input.runHostId, 'error', input.message);
    },

    /** The run's queryable copy; hosts never started become `skipped`; the finish is audited with the counts. */
    async projectJobRun(input: { view: RunView; skipped: string[]; final: boolean }): Promise<void> {
      const v = input.view;
      await ds.transaction(async (tx) => {
        if (input.skipped.length) await tx.query(`UPDATE job_run_hosts SET status = 'skipped' WHERE run_id = $1 AND id = ANY($2) AND status = 'pending'`, [v.runId, input.skipped]);
        await tx.query(
          `UPDATE job_runs SET state = $2, stop_reason = $3, view = $4, projected_seq = $5, updated_at = now(),
             finished_at = CASE WHEN $6 THEN coalesce(finished_at, now()) ELSE finished_at END
           WHERE id = $1 AND projected_seq <= $5`,
          [v.runId, v.state, v.stopReason, JSON.stringify(v), v.seq, input.final],
        );
      });
      if (input.final) {
        const [done] = await ds.query(`SELECT 1 FROM ops_audit WHERE subject_type = 'job_run' AND subject_id = $1 AND action = 'run_finished'`, [v.runId]);
        if (!done) {
          await audit(ds, { actor: { id: null, name: 'wardline' }, action: 'run_finished', subjectType: 'job_run', subjectId: v.runId, data: { state: v.state, counts: v.counts, byErrorKind: v.byErrorKind, stopReason: v.stopReason } });
        }
      }
    },
  };
}
