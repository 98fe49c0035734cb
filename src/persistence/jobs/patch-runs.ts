import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainError, DomainErrorCode } from '../../domain/errors';
import { RunActor } from '../../domain/jobs/job-run';
import { PatchRunInput, Verification } from '../../domain/jobs/patch';
import { PATCH_RUN_WORKFLOW_TYPE, jobRunWorkflowId } from '../../shared/job-messages';
import { allocateNumber } from '../numbering';
import { audit } from '../ssh-store';
import { RunOptions, insertRunHosts, runInputOptions } from './runs';
import { TargetSelector, resolveTargets } from './targets';

export interface PatchRunRequest extends RunOptions {
  targets: TargetSelector;
  /** Every patch run needs an approved change; the run applies nothing before its window opens (S4). */
  changeId: string;
  include?: string[];
  exclude?: string[];
  verification?: Verification;
  allowReboot?: boolean;
  rebootTimeoutSeconds?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A patch run's rows and workflow input: targets from the CMDB, the change approved and its window not yet over. */
export async function createPatchRun(ds: DataSource, request: PatchRunRequest, actor: RunActor, now: number, utcOffsetMinutes: number) {
  const targets = await resolveTargets(ds, request.targets);
  const [c] = await ds.query(`SELECT id, number, state, window_start, window_end FROM changes WHERE ${UUID.test(request.changeId) ? 'id = $1::uuid' : 'number = upper($1)'}`, [request.changeId]);
  if (!c) throw new DomainError(DomainErrorCode.InvalidInput, `changeId: no change ${request.changeId}`, { field: 'changeId', reason: `no change ${request.changeId}`, messageZh: `没有变更 ${request.changeId}` });
  if (!['approved', 'implemented'].includes(c.state)) {
    throw new DomainError(DomainErrorCode.IllegalTransition, `changeId: change ${c.number} is ${c.state}, not approved (S4)`, { field: 'changeId', state: c.state, allowedActions: [], messageZh: `变更 ${c.number} 尚未批准，不能推送补丁（S4）` });
  }
  const windowStart = new Date(c.window_start).getTime();
  const windowEnd = new Date(c.window_end).getTime();
  if (now > windowEnd) {
    throw new DomainError(DomainErrorCode.IllegalTransition, `changeId: change ${c.number}'s window has closed (S4)`, { field: 'changeId', state: c.state, allowedActions: [], messageZh: `变更 ${c.number} 的窗口已结束（S4）` });
  }
  const runId = randomUUID();
  const number = await allocateNumber(ds, 'JOB', now, utcOffsetMinutes);
  const workflowId = jobRunWorkflowId(number, runId).replace(/^job-/, 'patch-');
  const options = {
    ...runInputOptions(request),
    verification: request.verification ?? { kind: 'none' as const },
    allowReboot: request.allowReboot ?? false,
    rebootTimeoutMs: (request.rebootTimeoutSeconds ?? 900) * 1000,
  };
  const production = targets.some((t) => t.production);
  await ds.query(
    `INSERT INTO job_runs (id, number, workflow_id, kind, parameters, read_only, production, change_id, requested_by, requested_by_name, options, state)
     VALUES ($1,$2,$3,'patch',$4,false,$5,$6,$7,$8,$9,'running')`,
    [runId, number, workflowId, JSON.stringify({ include: request.include ?? null, exclude: request.exclude ?? [] }), production, c.id, UUID.test(actor.id) ? actor.id : null, actor.name, JSON.stringify(options)],
  );
  const hosts = await insertRunHosts(ds, runId, targets, options.batch, options.canaries);
  await audit(ds, {
    actor: { id: UUID.test(actor.id) ? actor.id : null, name: actor.name },
    action: 'run_requested',
    subjectType: 'job_run',
    subjectId: runId,
    data: { number, kind: 'patch', include: request.include ?? null, exclude: request.exclude ?? [], verification: options.verification.kind, hosts: targets.map((t) => ({ itemId: t.itemId, name: t.name, address: t.address, osFamily: t.osFamily })), change: { id: c.id, number: c.number } },
  });
  const input: PatchRunInput = {
    runId,
    number,
    kind: 'patch',
    hosts,
    batch: options.batch,
    canaries: options.canaries,
    parallelism: options.parallelism,
    threshold: {},
    connectTimeoutMs: options.connectTimeoutMs,
    commandTimeoutMs: options.commandTimeoutMs,
    changeWindowEnd: windowEnd,
    windowStart,
    include: request.include ?? null,
    exclude: request.exclude ?? [],
    verification: options.verification,
    allowReboot: options.allowReboot,
    rebootTimeoutMs: options.rebootTimeoutMs,
    requestedBy: actor,
  };
  return { workflowId, workflowType: PATCH_RUN_WORKFLOW_TYPE, input };
}

/**
 * For the monitoring work (alerts during maintenance): the patch runs still going on a CMDB item, with the change
 * whose window covers them. Alerts on such an item are expected while the run lasts.
 */
export async function activePatchRunsOnItem(ds: DataSource, itemId: string): Promise<{ runId: string; number: string; changeId: string; state: string }[]> {
  const rows = await ds.query(
    `SELECT DISTINCT r.id, r.number, r.change_id, r.state FROM job_runs r JOIN job_run_hosts h ON h.run_id = r.id
      WHERE r.kind = 'patch' AND r.finished_at IS NULL AND h.item_id = $1`,
    [itemId],
  );
  return rows.map((r: any) => ({ runId: r.id, number: r.number, changeId: r.change_id, state: r.state }));
}
