import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainError, DomainErrorCode } from '../../domain/errors';
import { changeProblem, needsApprovedChange } from '../../domain/jobs/approval';
import { BatchSpec, FailureThreshold, planBatches } from '../../domain/jobs/batches';
import { JobRunInput, RunActor } from '../../domain/jobs/job-run';
import { ParamSpec, resolveParameters } from '../../domain/jobs/parameters';
import { jobRunWorkflowId } from '../../shared/job-messages';
import { allocateNumber } from '../numbering';
import { audit } from '../ssh-store';
import { ResolvedTarget, TargetSelector, resolveTargets } from './targets';

/** How a run goes through its hosts; the API and schedules give the same shape. */
export interface RunOptions {
  batch?: BatchSpec;
  canaries?: number;
  parallelism?: number;
  failureThreshold?: FailureThreshold;
  connectTimeoutSeconds?: number;
  commandTimeoutSeconds?: number;
}

export interface JobRunRequest extends RunOptions {
  templateId: string;
  templateVersion?: number;
  parameters?: Record<string, unknown>;
  targets: TargetSelector;
  /** Change id or number (S4): required when the template is not read-only and a target is production. */
  changeId?: string;
}

export interface CreatedRun {
  input: JobRunInput;
  workflowId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function runInputOptions(o: RunOptions) {
  return {
    batch: o.batch ?? { percent: 100 },
    canaries: o.canaries ?? 0,
    parallelism: o.parallelism ?? 10,
    threshold: o.failureThreshold ?? {},
    connectTimeoutMs: (o.connectTimeoutSeconds ?? 10) * 1000,
    commandTimeoutMs: (o.commandTimeoutSeconds ?? 300) * 1000,
  };
}

/** S4: the change a run needs, checked approved and inside its window now; null when none is needed and none given. */
export async function linkedChange(ds: DataSource, ref: string | undefined, needed: boolean, now: number): Promise<{ id: string; number: string; windowEnd: number } | null> {
  if (!ref) {
    if (needed) {
      throw new DomainError(DomainErrorCode.InvalidInput, 'changeId: this run can change production servers; link an approved change whose window is open (S4)', {
        field: 'changeId',
        reason: 'required: the template is not read-only and a target is production (S4)',
        messageZh: '此作业会改动生产服务器：须关联一个已批准且窗口已开启的变更（S4）',
      });
    }
    return null;
  }
  const [c] = await ds.query(`SELECT id, number, state, window_start, window_end FROM changes WHERE ${UUID.test(ref) ? 'id = $1::uuid' : 'number = upper($1)'}`, [ref]);
  if (!c) throw new DomainError(DomainErrorCode.InvalidInput, `changeId: no change ${ref}`, { field: 'changeId', reason: `no change ${ref}`, messageZh: `没有变更 ${ref}` });
  const change = { number: c.number, state: c.state, windowStart: new Date(c.window_start).getTime(), windowEnd: new Date(c.window_end).getTime() };
  const problem = changeProblem(change, now);
  if (problem) throw new DomainError(DomainErrorCode.IllegalTransition, `changeId: ${problem} (S4)`, { field: 'changeId', state: c.state, allowedActions: [], messageZh: `变更 ${c.number} 未批准或不在其窗口内，不能执行（S4）` });
  return { id: c.id, number: c.number, windowEnd: change.windowEnd };
}

/** Inserts the run's host rows in run order with their batch, returning their ids in that order. */
export async function insertRunHosts(ds: DataSource, runId: string, targets: ResolvedTarget[], batch: BatchSpec, canaries: number): Promise<string[]> {
  const batches = planBatches(targets.map((_, i) => i), batch, canaries);
  const batchOf = new Map<number, number>();
  batches.forEach((b, bi) => b.forEach((i) => batchOf.set(i, bi)));
  const ids = targets.map(() => randomUUID());
  await ds.query(
    `INSERT INTO job_run_hosts (id, run_id, seq, batch, item_id, name, address, port, os_family, credential_id, jump)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::int[], $5::uuid[], $6::text[], $7::text[], $8::int[], $9::text[], $10::uuid[], $11::jsonb[])`,
    [
      ids,
      ids.map(() => runId),
      targets.map((_, i) => i),
      targets.map((_, i) => batchOf.get(i)),
      targets.map((t) => t.itemId),
      targets.map((t) => t.name),
      targets.map((t) => t.address),
      targets.map((t) => t.port),
      targets.map((t) => t.osFamily),
      targets.map((t) => t.credentialId),
      targets.map((t) => (t.jump ? JSON.stringify(t.jump) : null)),
    ],
  );
  return ids;
}

/**
 * A job run's rows and its workflow input: the template version and typed parameters checked, the CMDB targets
 * resolved, the change rule applied (S4), the request audited (who, which script version, which hosts).
 */
export async function createJobRun(ds: DataSource, request: JobRunRequest, actor: RunActor, now: number, utcOffsetMinutes: number, scheduleId: string | null = null): Promise<CreatedRun> {
  const [tpl] = await ds.query(`SELECT id, name, shell, current_version FROM job_templates WHERE ${UUID.test(request.templateId) ? 'id = $1::uuid' : 'name = $1'}`, [request.templateId]);
  if (!tpl) throw new DomainError(DomainErrorCode.InvalidInput, `templateId: no job template ${request.templateId}`, { field: 'templateId', reason: `no job template ${request.templateId}`, messageZh: `没有作业模板 ${request.templateId}` });
  const version = request.templateVersion ?? tpl.current_version;
  const [ver] = await ds.query(`SELECT version, script_sha256, parameters, read_only FROM job_template_versions WHERE template_id = $1 AND version = $2`, [tpl.id, version]);
  if (!ver) throw new DomainError(DomainErrorCode.InvalidInput, `templateVersion: ${tpl.name} has no version ${version}`, { field: 'templateVersion', reason: `no version ${version}`, messageZh: `模板 ${tpl.name} 没有第 ${version} 版` });
  const params = resolveParameters(ver.parameters as ParamSpec[], request.parameters ?? {});
  if (params.problems.length) {
    const first = params.problems[0];
    throw new DomainError(DomainErrorCode.InvalidInput, params.problems.map((p) => `${p.field}: ${p.reason}`).join('; '), {
      field: first.field,
      reason: params.problems.map((p) => `${p.field}: ${p.reason}`).join('; '),
      problems: params.problems,
      messageZh: `作业参数有误：${params.problems.map((p) => p.field).join('、')}`,
    });
  }
  const targets = await resolveTargets(ds, request.targets);
  const production = targets.some((t) => t.production);
  const change = await linkedChange(ds, request.changeId, needsApprovedChange(ver.read_only, production), now);
  const runId = randomUUID();
  const number = await allocateNumber(ds, 'JOB', now, utcOffsetMinutes);
  const workflowId = jobRunWorkflowId(number, runId);
  const options = runInputOptions(request);
  await ds.query(
    `INSERT INTO job_runs (id, number, workflow_id, kind, template_id, template_version, script_sha256, parameters, read_only, production, change_id, schedule_id,
       requested_by, requested_by_name, options, state)
     VALUES ($1,$2,$3,'job',$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,'running')`,
    [runId, number, workflowId, tpl.id, version, ver.script_sha256, JSON.stringify(params.values), ver.read_only, production, change?.id ?? null, scheduleId, UUID.test(actor.id) ? actor.id : null, actor.name, JSON.stringify(options)],
  );
  const hosts = await insertRunHosts(ds, runId, targets, options.batch, options.canaries);
  await audit(ds, {
    actor: { id: UUID.test(actor.id) ? actor.id : null, name: actor.name },
    action: 'run_requested',
    subjectType: 'job_run',
    subjectId: runId,
    data: {
      number,
      template: { id: tpl.id, name: tpl.name, version, scriptSha256: ver.script_sha256 },
      parameters: params.values,
      hosts: targets.map((t) => ({ itemId: t.itemId, name: t.name, address: t.address, port: t.port })),
      change: change ? { id: change.id, number: change.number } : null,
      scheduleId,
    },
  });
  return {
    workflowId,
    input: { runId, number, kind: 'job', hosts, ...options, changeWindowEnd: change?.windowEnd ?? null, requestedBy: actor },
  };
}
