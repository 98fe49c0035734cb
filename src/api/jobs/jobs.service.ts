import { Inject, Injectable } from '@nestjs/common';
import { Client, ScheduleNotFoundError } from '@temporalio/client';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RunCommand, RunView, TERMINAL_RUN_STATES } from '../../domain/jobs/job-run';
import { ParamSpec, specProblems } from '../../domain/jobs/parameters';
import { formatInZone } from '../../domain/time';
import { fixedOffsetOf } from '../../infra/china-calendar';
import { createJobRun, JobRunRequest, RunOptions } from '../../persistence/jobs/runs';
import { updateReturning } from '../../persistence/sql';
import { audit } from '../../persistence/ssh-store';
import { JOB_RUN_WORKFLOW_TYPE, SCHEDULED_JOB_WORKFLOW_TYPE, jobRunCommandUpdate } from '../../shared/job-messages';
import { Principal } from '../auth/principal';
import { conflict, invalidFields, notFound, unknownRef } from '../common/errors';
import { CLOCK, CONFIG, Clock, TEMPORAL_CLIENT, WardlineConfig } from '../common/tokens';
import { CreatePatchRunDto, CreateRunDto, CreateScheduleDto, CreateTemplateDto, RunOptionsDto, TemplateVersionDto, VerificationDto } from './jobs.dto';
import { createPatchRun } from '../../persistence/jobs/patch-runs';
import { Verification } from '../../domain/jobs/patch';

const ACTION_ZH = { pause: '暂停', resume: '继续', cancel: '取消' } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const who = (auth: Principal) => ({ id: auth.userId, name: auth.displayName });
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** How a run goes through its hosts, as the run, patch and schedule bodies give it. */
function runOptionsOf(dto: RunOptionsDto): RunOptions {
  return {
    batch: dto.batch ? (dto.batch.size !== undefined ? { size: dto.batch.size } : { percent: dto.batch.percent! }) : undefined,
    canaries: dto.canaries,
    parallelism: dto.parallelism,
    failureThreshold: dto.failureThreshold,
    connectTimeoutSeconds: dto.connectTimeoutSeconds,
    commandTimeoutSeconds: dto.commandTimeoutSeconds,
  };
}

/** The request a run or a schedule carries (no secrets: credentials stay ids in the CMDB). */
export function runRequestOf(dto: CreateRunDto): JobRunRequest {
  return { templateId: dto.templateId, templateVersion: dto.templateVersion, parameters: dto.parameters, targets: dto.targets, changeId: dto.changeId, ...runOptionsOf(dto) };
}

function verificationOf(dto: VerificationDto | undefined): Verification {
  if (!dto || dto.kind === 'none') return { kind: 'none' };
  if (dto.kind === 'command') {
    if (!dto.script) throw invalidFields([{ field: 'verification.script', zh: '命令验证须给出脚本', en: 'a command verification needs its script' }]);
    return { kind: 'command', script: dto.script };
  }
  if (!dto.url) throw invalidFields([{ field: 'verification.url', zh: `${dto.kind} 验证须给出 url`, en: `a ${dto.kind} verification needs its url` }]);
  return dto.kind === 'http' ? { kind: 'http', url: dto.url, expectStatus: dto.expectStatus } : { kind: 'prometheus', url: dto.url };
}

function checkOptions(dto: RunOptionsDto): void {
  if (dto.batch && (dto.batch.size === undefined) === (dto.batch.percent === undefined)) throw invalidFields([{ field: 'batch', zh: 'batch.size 与 batch.percent 须且只须给一个', en: 'give batch.size or batch.percent, one of them' }]);
}

/** Job templates, runs and schedules (P5). */
@Injectable()
export class JobsService {
  private readonly offset: number;

  constructor(
    private readonly ds: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(CONFIG) private readonly config: WardlineConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.offset = fixedOffsetOf(config.timeZone);
  }

  private t = (d: Date | string | number | null) => (d === null ? null : formatInZone(new Date(d).getTime(), this.offset));

  // ---------- templates ----------

  private checkVersion(dto: TemplateVersionDto) {
    const problems = specProblems(dto.parameters as ParamSpec[]);
    if (problems.length) throw invalidFields(problems.map((p) => ({ field: p.field, zh: `${p.field} 定义有误`, en: p.reason })));
  }

  async createTemplate(auth: Principal, dto: CreateTemplateDto) {
    this.checkVersion(dto);
    return this.ds.transaction(async (tx) => {
      const [row] = await tx.query(
        `INSERT INTO job_templates (name, description, shell, read_only, current_version, created_by) VALUES ($1,$2,$3,$4,1,$5) ON CONFLICT (name) DO NOTHING RETURNING id`,
        [dto.name, dto.description ?? null, dto.shell, dto.readOnly, auth.userId],
      );
      if (!row) throw conflict('DUPLICATE', `已有名为 ${dto.name} 的作业模板`, `a job template named ${dto.name} exists`, { field: 'name' });
      await tx.query(
        `INSERT INTO job_template_versions (template_id, version, script, script_sha256, parameters, read_only, created_by, created_by_name) VALUES ($1,1,$2,$3,$4,$5,$6,$7)`,
        [row.id, dto.script, sha256(dto.script), JSON.stringify(dto.parameters), dto.readOnly, auth.userId, auth.displayName],
      );
      await tx.query(`INSERT INTO ops_audit (actor_id, actor_name, action, subject_type, subject_id, data) VALUES ($1,$2,'template_created','job_template',$3,$4)`, [
        auth.userId,
        auth.displayName,
        row.id,
        JSON.stringify({ name: dto.name, version: 1, scriptSha256: sha256(dto.script) }),
      ]);
      return row.id as string;
    }).then((id) => this.getTemplate(id));
  }

  async addVersion(auth: Principal, ref: string, dto: TemplateVersionDto) {
    this.checkVersion(dto);
    const tpl = await this.template(ref);
    const version = await this.ds.transaction(async (tx) => {
      const [row] = await updateReturning<{ current_version: number }>(tx, `UPDATE job_templates SET current_version = current_version + 1, read_only = $2, updated_at = now() WHERE id = $1 RETURNING current_version`, [tpl.id, dto.readOnly]);
      const v = row.current_version;
      await tx.query(
        `INSERT INTO job_template_versions (template_id, version, script, script_sha256, parameters, read_only, created_by, created_by_name) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
        [tpl.id, v, dto.script, sha256(dto.script), JSON.stringify(dto.parameters), dto.readOnly, auth.userId, auth.displayName],
      );
      return v;
    });
    await audit(this.ds, { actor: who(auth), action: 'template_versioned', subjectType: 'job_template', subjectId: tpl.id, data: { version, scriptSha256: sha256(dto.script) } });
    return this.getTemplate(tpl.id);
  }

  private async template(ref: string) {
    const [tpl] = await this.ds.query(`SELECT * FROM job_templates WHERE ${UUID.test(ref) ? 'id = $1::uuid' : 'name = $1'}`, [ref]);
    if (!tpl) throw notFound('NOT_FOUND', `没有作业模板 ${ref}`, `no job template ${ref}`, { field: 'id' });
    return tpl;
  }

  async getTemplate(ref: string) {
    const tpl = await this.template(ref);
    const versions = await this.ds.query(`SELECT * FROM job_template_versions WHERE template_id = $1 ORDER BY version DESC`, [tpl.id]);
    return {
      id: tpl.id,
      name: tpl.name,
      description: tpl.description,
      shell: tpl.shell,
      readOnly: tpl.read_only,
      currentVersion: tpl.current_version,
      versions: versions.map((v: any) => ({
        version: v.version,
        script: v.script,
        scriptSha256: v.script_sha256,
        parameters: v.parameters,
        readOnly: v.read_only,
        createdBy: v.created_by_name,
        createdAt: this.t(v.created_at),
      })),
    };
  }

  async listTemplates() {
    const rows = await this.ds.query(`SELECT id, name, description, shell, read_only, current_version FROM job_templates ORDER BY name LIMIT 1000`);
    return { items: rows.map((r: any) => ({ id: r.id, name: r.name, description: r.description, shell: r.shell, readOnly: r.read_only, currentVersion: r.current_version })) };
  }

  // ---------- runs ----------

  async createRun(auth: Principal, dto: CreateRunDto) {
    checkOptions(dto);
    const created = await createJobRun(this.ds, runRequestOf(dto), who(auth), this.clock.now(), this.offset);
    await this.temporal.workflow.start(JOB_RUN_WORKFLOW_TYPE, { workflowId: created.workflowId, taskQueue: this.config.taskQueue, args: [created.input] });
    return this.getRun(created.input.runId);
  }

  /** 补丁推送安装: always under an approved change (S4); the workflow waits for its window. */
  async createPatchRun(auth: Principal, dto: CreatePatchRunDto) {
    checkOptions(dto);
    const verification = verificationOf(dto.verification);
    const created = await createPatchRun(
      this.ds,
      { ...runOptionsOf(dto), targets: dto.targets, changeId: dto.changeId, include: dto.include, exclude: dto.exclude, verification, allowReboot: dto.allowReboot, rebootTimeoutSeconds: dto.rebootTimeoutSeconds },
      who(auth),
      this.clock.now(),
      this.offset,
    );
    await this.temporal.workflow.start(created.workflowType, { workflowId: created.workflowId, taskQueue: this.config.taskQueue, args: [created.input] });
    return this.getRun(created.input.runId);
  }

  private async runRow(ref: string) {
    const [row] = await this.ds.query(
      `SELECT r.*, t.name AS template_name, c.number AS change_number FROM job_runs r
         LEFT JOIN job_templates t ON t.id = r.template_id LEFT JOIN changes c ON c.id = r.change_id
        WHERE ${UUID.test(ref) ? 'r.id = $1::uuid' : 'r.number = upper($1)'}`,
      [ref],
    );
    if (!row) throw notFound('NOT_FOUND', `没有作业执行 ${ref}`, `no job run ${ref}`, { field: 'id' });
    return row;
  }

  /** Progress from the host rows the activities write as each host finishes, so it is current while the run goes on. */
  async getRun(ref: string) {
    const row = await this.runRow(ref);
    const hosts = await this.ds.query(`SELECT * FROM job_run_hosts WHERE run_id = $1 ORDER BY seq`, [row.id]);
    const counts: Record<string, number> = { total: hosts.length, pending: 0, running: 0, succeeded: 0, failed: 0, skipped: 0 };
    const byErrorKind: Record<string, number> = {};
    for (const h of hosts) {
      counts[h.status]++;
      if (h.error_kind) byErrorKind[h.error_kind] = (byErrorKind[h.error_kind] ?? 0) + 1;
    }
    const view = row.view as Partial<RunView>;
    return {
      id: row.id,
      number: row.number,
      kind: row.kind,
      state: row.state,
      stopReason: row.stop_reason,
      allowedActions: view.allowedActions ?? [],
      template: row.template_id ? { id: row.template_id, name: row.template_name, version: row.template_version, scriptSha256: row.script_sha256 } : null,
      parameters: row.parameters,
      readOnly: row.read_only,
      production: row.production,
      change: row.change_id ? { id: row.change_id, number: row.change_number } : null,
      scheduleId: row.schedule_id,
      requestedBy: row.requested_by_name,
      options: row.options,
      batches: view.batches ?? null,
      currentBatch: view.currentBatch ?? null,
      counts,
      byErrorKind,
      events: (view.events ?? []).map((e) => ({ ...e, at: this.t(e.at) })),
      createdAt: this.t(row.created_at),
      finishedAt: this.t(row.finished_at),
      hosts: hosts.map((h: any) => ({
        id: h.id,
        seq: h.seq,
        batch: h.batch,
        itemId: h.item_id,
        name: h.name,
        address: h.address,
        port: h.port,
        osFamily: h.os_family,
        status: h.status,
        exitCode: h.exit_code,
        errorKind: h.error_kind,
        errorMessage: h.error_message,
        durationMs: h.duration_ms,
        stdout: { head: h.stdout_head, tail: h.stdout_tail, omittedBytes: h.stdout_omitted === null ? null : Number(h.stdout_omitted) },
        stderr: { head: h.stderr_head, tail: h.stderr_tail, omittedBytes: h.stderr_omitted === null ? null : Number(h.stderr_omitted) },
        data: h.data,
        startedAt: this.t(h.started_at),
        finishedAt: this.t(h.finished_at),
      })),
    };
  }

  async listRuns(limit = 50, kind?: 'job' | 'patch') {
    const rows = await this.ds.query(
      `SELECT r.id, r.number, r.kind, r.state, r.template_version, t.name AS template_name, r.requested_by_name, r.change_id, r.created_at, r.finished_at
         FROM job_runs r LEFT JOIN job_templates t ON t.id = r.template_id ${kind ? 'WHERE r.kind = $2' : ''} ORDER BY r.created_at DESC LIMIT $1`,
      kind ? [limit, kind] : [limit],
    );
    return {
      items: rows.map((r: any) => ({
        id: r.id,
        number: r.number,
        kind: r.kind,
        state: r.state,
        template: r.template_name ? { name: r.template_name, version: r.template_version } : null,
        requestedBy: r.requested_by_name,
        changeId: r.change_id,
        createdAt: this.t(r.created_at),
        finishedAt: this.t(r.finished_at),
      })),
    };
  }

  async command(auth: Principal, ref: string, action: RunCommand['action'], reason?: string) {
    const row = await this.runRow(ref);
    // An ended run has no workflow to ask: the answer is the same 409 its validator would give.
    if (TERMINAL_RUN_STATES.includes(row.state) && row.finished_at) {
      throw conflict('ILLEGAL_TRANSITION', `作业已结束（${row.state}），不能再${ACTION_ZH[action]}`, `cannot ${action} a run that is ${row.state}; allowed: none`, { details: { state: row.state, allowedActions: [] } });
    }
    const command: RunCommand = action === 'cancel' ? { action, actor: who(auth), reason: reason ?? null } : { action, actor: who(auth) };
    // The audit entry takes its place in the trail (its id) before the Update, so the run_finished a cancel brings about
    // comes after it; it commits only when the workflow took the command (a 409 leaves no entry).
    await this.ds.transaction(async (tx) => {
      await audit(tx, { actor: who(auth), action: `run_${action}`, subjectType: 'job_run', subjectId: row.id, data: reason ? { reason } : {} });
      await this.temporal.workflow.getHandle(row.workflow_id).executeUpdate(jobRunCommandUpdate, { args: [command] });
    });
    return this.getRun(row.id);
  }

  // ---------- schedules (日常运维) ----------

  async createSchedule(auth: Principal, dto: CreateScheduleDto) {
    checkOptions(dto);
    const request = runRequestOf(dto);
    // Checked now as far as it can be: the template, its parameters and targets; the change window again at each firing.
    const [tpl] = await this.ds.query(`SELECT id FROM job_templates WHERE ${UUID.test(dto.templateId) ? 'id = $1::uuid' : 'name = $1'}`, [dto.templateId]);
    if (!tpl) throw invalidFields([{ field: 'templateId', zh: `没有作业模板 ${dto.templateId}`, en: `no job template ${dto.templateId}` }]);
    const change = dto.changeId ? await this.changeIdOf(dto.changeId) : null;
    const [row] = await this.ds.query(
      `INSERT INTO job_schedules (name, schedule_id, template_id, cron, overlap, request, change_id, created_by, created_by_name)
       VALUES ($1, 'jobsched-' || $1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (name) DO NOTHING RETURNING id, schedule_id`,
      [dto.name, tpl.id, dto.cron, dto.overlap ?? 'skip', JSON.stringify(request), change, auth.userId, auth.displayName],
    );
    if (!row) throw conflict('DUPLICATE', `已有名为 ${dto.name} 的运维计划`, `a schedule named ${dto.name} exists`, { field: 'name' });
    try {
      await this.temporal.schedule.create({
        scheduleId: row.schedule_id,
        spec: { cronExpressions: [dto.cron], timezone: this.config.timeZone },
        action: { type: 'startWorkflow', workflowType: SCHEDULED_JOB_WORKFLOW_TYPE, args: [{ scheduleRowId: row.id }], taskQueue: this.config.taskQueue, workflowId: `${row.schedule_id}-run` },
        policies: { overlap: (dto.overlap ?? 'skip').toUpperCase() as 'SKIP' },
      });
    } catch (err) {
      await this.ds.query(`DELETE FROM job_schedules WHERE id = $1`, [row.id]);
      throw invalidFields([{ field: 'cron', zh: 'cron 表达式无效，计划未创建', en: `Temporal refused the schedule: ${(err as Error).message}` }]);
    }
    await audit(this.ds, { actor: who(auth), action: 'schedule_created', subjectType: 'job_schedule', subjectId: row.id, data: { name: dto.name, cron: dto.cron, overlap: dto.overlap ?? 'skip', templateId: tpl.id } });
    return this.getSchedule(row.id);
  }

  private async changeIdOf(ref: string): Promise<string> {
    const [c] = await this.ds.query(`SELECT id FROM changes WHERE ${UUID.test(ref) ? 'id = $1::uuid' : 'number = upper($1)'}`, [ref]);
    if (!c) throw unknownRef('change', ref, 'changeId');
    return c.id;
  }

  private async scheduleRow(ref: string) {
    const [row] = await this.ds.query(`SELECT s.*, t.name AS template_name FROM job_schedules s JOIN job_templates t ON t.id = s.template_id WHERE ${UUID.test(ref) ? 's.id = $1::uuid' : 's.name = $1'}`, [ref]);
    if (!row) throw notFound('NOT_FOUND', `没有运维计划 ${ref}`, `no schedule ${ref}`, { field: 'id' });
    return row;
  }

  async getSchedule(ref: string) {
    const row = await this.scheduleRow(ref);
    let temporal: { paused: boolean; note: string | null; nextActionTimes: (string | null)[]; recentActions: number } | null = null;
    try {
      const d = await this.temporal.schedule.getHandle(row.schedule_id).describe();
      temporal = { paused: d.state.paused, note: d.state.note ?? null, nextActionTimes: d.info.nextActionTimes.slice(0, 3).map((t) => this.t(t)), recentActions: d.info.recentActions.length };
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
    const runs = await this.ds.query(`SELECT id, number, state, created_at FROM job_runs WHERE schedule_id = $1 ORDER BY created_at DESC LIMIT 20`, [row.id]);
    return {
      id: row.id,
      name: row.name,
      scheduleId: row.schedule_id,
      template: { id: row.template_id, name: row.template_name },
      cron: row.cron,
      timeZone: this.config.timeZone,
      overlap: row.overlap,
      changeId: row.change_id,
      paused: temporal?.paused ?? null,
      note: temporal?.note ?? null,
      nextRuns: temporal?.nextActionTimes ?? [],
      createdBy: row.created_by_name,
      createdAt: this.t(row.created_at),
      recentRuns: runs.map((r: any) => ({ id: r.id, number: r.number, state: r.state, createdAt: this.t(r.created_at) })),
    };
  }

  async listSchedules() {
    const rows = await this.ds.query(`SELECT id FROM job_schedules ORDER BY name LIMIT 500`);
    return { items: await Promise.all(rows.map((r: any) => this.getSchedule(r.id))) };
  }

  async pauseSchedule(auth: Principal, ref: string, pause: boolean, note?: string) {
    const row = await this.scheduleRow(ref);
    const handle = this.temporal.schedule.getHandle(row.schedule_id);
    if (pause) await handle.pause(note ?? `paused by ${auth.displayName}`);
    else await handle.unpause(note ?? `resumed by ${auth.displayName}`);
    await audit(this.ds, { actor: who(auth), action: pause ? 'schedule_paused' : 'schedule_unpaused', subjectType: 'job_schedule', subjectId: row.id, data: note ? { note } : {} });
    return this.getSchedule(row.id);
  }

  async deleteSchedule(auth: Principal, ref: string) {
    const row = await this.scheduleRow(ref);
    try {
      await this.temporal.schedule.getHandle(row.schedule_id).delete();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
    await this.ds.query(`UPDATE job_runs SET schedule_id = NULL WHERE schedule_id = $1`, [row.id]);
    await this.ds.query(`DELETE FROM job_schedules WHERE id = $1`, [row.id]);
    await audit(this.ds, { actor: who(auth), action: 'schedule_deleted', subjectType: 'job_schedule', subjectId: row.id, data: { name: row.name } });
    return { id: row.id, deleted: true };
  }

  async auditOf(runRef: string) {
    const row = await this.runRow(runRef);
    const entries = await this.ds.query(`SELECT id, at, actor_name, action, data FROM ops_audit WHERE subject_type = 'job_run' AND subject_id = $1 ORDER BY id`, [row.id]);
    return { items: entries.map((e: any) => ({ id: Number(e.id), at: this.t(e.at), actor: e.actor_name, action: e.action, data: e.data })) };
  }
}
