import { Inject, Injectable } from '@nestjs/common';
import { Client, ScheduleNotFoundError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CheckDefinition, SEVERITY_LABELS, Severity } from '../../domain/inspection/catalogue';
import { DEPENDENCY_RELATIONS } from '../../domain/cmdb';
import { formatInZone } from '../../domain/time';
import { fixedOffsetOf } from '../../infra/china-calendar';
import { INSPECTION_SCHEDULE_IDS } from '../../infra/inspection-schedule';
import type { SecretVault } from '../../infra/secrets';
import { checkVersions, checksAt, currentCatalogue, publishCheck, syncShippedChecks } from '../../persistence/inspections/catalogue-store';
import { allocateNumber } from '../../persistence/numbering';
import { INSPECTION_WORKFLOW_TYPE, InspectionScope, InspectionWorkflowInput, inspectionWorkflowId } from '../../shared/inspection-messages';
import { Principal } from '../auth/principal';
import { CONFIG, TEMPORAL_CLIENT, WardlineConfig } from '../common/tokens';
import { conflict, forbidden, invalidFields, notFound, unprocessable } from '../common/errors';
import { isUuid } from '../common/refs';
import { SECRET_VAULT } from '../ssh/ssh.service';
import { IncidentsService } from '../incidents/incidents.service';
import { ChangesService } from '../changes/changes.service';
import { ProblemsService } from '../problems/problems.service';
import { PROBLEM_CREATORS } from '../../domain/problems/problem';
import { CreateInspectionDto, DbCredentialDto, FindingsQuery, PublishCheckDto, RaiseFromRiskDto, ReportsQuery, SignOffDto } from './inspections.dto';

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
const ACCESS_TITLES: Record<string, { zh: string; en: string }> = {
  'collector.ssh': { zh: '无法通过 SSH 巡检', en: 'Could not inspect over SSH' },
  'collector.postgresql': { zh: '无法连接 PostgreSQL 巡检', en: 'Could not inspect PostgreSQL' },
  'collector.mysql': { zh: '无法连接 MySQL/MariaDB 巡检', en: 'Could not inspect MySQL/MariaDB' },
  'collector.coverage': { zh: '无适用的采集方式', en: 'No collector for this item' },
};
/** Incident priority a risk is raised with unless the caller says: the severity of the finding, never P1 by itself. */
const PRIORITY_OF: Record<Severity, 'P2' | 'P3' | 'P4'> = { critical: 'P2', high: 'P3', medium: 'P4', low: 'P4', info: 'P4' };

/** Inspections (P4, S16): on demand and on schedules, their findings, scores, risks and reports. */
@Injectable()
export class InspectionsService {
  private readonly offset: number;

  constructor(
    private readonly ds: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(CONFIG) private readonly config: WardlineConfig,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    private readonly incidents: IncidentsService,
    private readonly changes: ChangesService,
    private readonly problems: ProblemsService,
  ) {
    this.offset = fixedOffsetOf(config.timeZone);
  }

  private async row(id: string) {
    if (!isUuid(id)) {
      const [byNumber] = await this.ds.query(`SELECT * FROM inspections WHERE number = $1`, [id]);
      if (byNumber) return byNumber;
      throw notFound('NOT_FOUND', `没有巡检 ${id}`, `no inspection ${id}`, { field: 'id' });
    }
    const [row] = await this.ds.query(`SELECT * FROM inspections WHERE id = $1`, [id]);
    if (!row) throw notFound('NOT_FOUND', `没有巡检 ${id}`, `no inspection ${id}`, { field: 'id' });
    return row;
  }

  private async view(row: any) {
    const [counts] = await this.ds.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'done')::int AS done, count(*) FILTER (WHERE status = 'running')::int AS running,
              coalesce(sum(findings), 0)::int AS findings FROM inspection_items WHERE inspection_id = $1`,
      [row.id],
    );
    const reports = await this.ds.query(`SELECT id, version, state, created_at FROM inspection_reports WHERE inspection_id = $1 ORDER BY version`, [row.id]);
    return {
      id: row.id,
      number: row.number,
      workflowId: row.workflow_id,
      profile: row.profile,
      trigger: row.trigger,
      scope: row.scope,
      state: row.state,
      phase: row.phase,
      progress: { total: counts.total, done: counts.done, running: counts.running, pending: counts.total - counts.done - counts.running, findings: counts.findings },
      requestedBy: row.requested_by_name,
      previousId: row.previous_id,
      catalogue: row.catalogue,
      summary: row.summary,
      error: row.error,
      startedAt: iso(row.started_at),
      finishedAt: iso(row.finished_at),
      reports: reports.map((r: any) => ({ id: r.id, version: r.version, state: r.state, createdAt: iso(r.created_at) })),
    };
  }

  async create(auth: Principal, dto: CreateInspectionDto) {
    const given = (['system', 'itemType', 'all'] as const).filter((k) => dto.scope[k] !== undefined);
    if (given.length !== 1) throw invalidFields([{ field: 'scope', zh: 'scope 须且仅须给出 system、itemType、all 之一', en: 'give exactly one of scope.system, scope.itemType, scope.all' }]);
    let scope: InspectionScope;
    if (dto.scope.system !== undefined) {
      const ref = dto.scope.system;
      const at = ref.indexOf(':');
      const [item] = isUuid(ref)
        ? await this.ds.query(`SELECT id, type, name FROM cmdb_items WHERE id = $1`, [ref])
        : at > 0
          ? await this.ds.query(`SELECT id, type, name FROM cmdb_items WHERE type = $1 AND name = $2`, [ref.slice(0, at), ref.slice(at + 1)])
          : await this.ds.query(`SELECT id, type, name FROM cmdb_items WHERE type = 'business_system' AND name = upper($1)`, [ref]);
      if (!item) throw unprocessable('UNKNOWN_SYSTEM', `没有配置项 ${ref}`, `no configuration item ${ref}`, { field: 'scope.system' });
      scope = { system: item.id };
    } else if (dto.scope.itemType !== undefined) scope = { itemType: dto.scope.itemType };
    else scope = { all: true };
    const id = randomUUID();
    const number = await allocateNumber(this.ds, 'INS', Date.now(), this.offset);
    const workflowId = inspectionWorkflowId(number);
    const profile = dto.profile ?? 'quarterly';
    await this.ds.query(
      `INSERT INTO inspections (id, number, workflow_id, profile, trigger, scope, state, phase, requested_by, requested_by_name) VALUES ($1, $2, $3, $4, 'on_demand', $5, 'running', 'preparing', $6, $7)`,
      [id, number, workflowId, profile, JSON.stringify(scope), auth.userId, auth.displayName],
    );
    const input: InspectionWorkflowInput = {
      inspectionId: id,
      profile,
      scope,
      trigger: 'on_demand',
      requestedBy: { id: auth.userId, name: auth.displayName },
      parallelism: this.config.inspection.parallelism,
      connectTimeoutMs: this.config.inspection.connectTimeoutMs,
      queryTimeoutMs: this.config.inspection.queryTimeoutMs,
    };
    try {
      await this.temporal.workflow.start(INSPECTION_WORKFLOW_TYPE, { workflowId, taskQueue: this.config.taskQueue, args: [input] });
    } catch (err) {
      await this.ds.query(`UPDATE inspections SET state = 'failed', phase = 'failed', error = $2, finished_at = now() WHERE id = $1`, [id, `not started: ${(err as Error).message}`]);
      throw err;
    }
    return this.view((await this.ds.query(`SELECT * FROM inspections WHERE id = $1`, [id]))[0]);
  }

  async list(limit: number) {
    const rows = await this.ds.query(`SELECT * FROM inspections ORDER BY started_at DESC LIMIT $1`, [limit]);
    return { items: await Promise.all(rows.map((r: any) => this.view(r))) };
  }

  async get(id: string) {
    return this.view(await this.row(id));
  }

  private async definitions(row: any): Promise<Map<string, CheckDefinition>> {
    return new Map((await checksAt(this.ds, row.catalogue)).map((d) => [d.id, d]));
  }

  private mapResult(r: any, defs: Map<string, CheckDefinition>) {
    const def = defs.get(r.check_id);
    const access = r.check_id.startsWith('collector.');
    return {
      id: r.id,
      itemId: r.item_id,
      itemName: r.item_name,
      itemType: r.item_type,
      checkId: r.check_id,
      checkVersion: r.check_version,
      title: def?.title ?? ACCESS_TITLES[r.check_id] ?? { zh: r.check_id, en: r.check_id },
      subject: r.subject,
      status: r.status,
      severity: r.severity,
      severityLabel: r.severity ? SEVERITY_LABELS[r.severity as Severity] : null,
      value: r.value,
      compared: r.compared,
      unit: r.unit,
      threshold: r.threshold,
      evidence: r.evidence,
      explanation: access ? null : (def?.explanation ?? null),
      advice: access
        ? { zh: '核对 CMDB 中的地址、端口与凭据及网络连通性后重新巡检。', en: 'Check the address, port, credential and network in the CMDB, then inspect again.' }
        : r.status === 'error'
          ? { zh: '检查项执行出错：核对命令或查询、账号权限与目标版本。', en: 'The check failed to run: review its command or query, privileges and the target version.' }
          : (def?.advice ?? null),
      measuredAt: iso(r.measured_at),
    };
  }

  async findings(id: string, q: FindingsQuery) {
    const row = await this.row(id);
    const defs = await this.definitions(row);
    const params: unknown[] = [row.id];
    let where = `r.inspection_id = $1`;
    if (q.all !== 'true') where += ` AND r.severity IS NOT NULL`;
    if (q.severity) {
      params.push(q.severity);
      where += ` AND r.severity = $${params.length}`;
    }
    if (q.itemId) {
      if (!isUuid(q.itemId)) throw invalidFields([{ field: 'itemId', zh: 'itemId 须为配置项 id', en: 'itemId must be an item id' }]);
      params.push(q.itemId);
      where += ` AND r.item_id = $${params.length}`;
    }
    const rows = await this.ds.query(
      `SELECT r.*, ii.item_name, ii.item_type FROM inspection_results r JOIN inspection_items ii ON ii.inspection_id = r.inspection_id AND ii.item_id = r.item_id
        WHERE ${where} ORDER BY array_position(ARRAY['critical','high','medium','low','info'], r.severity), ii.item_name, r.check_id, r.subject LIMIT 5000`,
      params,
    );
    return { items: rows.map((r: any) => this.mapResult(r, defs)) };
  }

  /** Each item's score beside the previous one, and which findings took what (P4: the API explains each score). */
  async items(id: string) {
    const row = await this.row(id);
    const rows = await this.ds.query(`SELECT * FROM inspection_items WHERE inspection_id = $1 ORDER BY item_type, item_name`, [row.id]);
    return {
      items: rows.map((i: any) => ({
        itemId: i.item_id,
        type: i.item_type,
        name: i.item_name,
        displayName: i.display_name,
        criticality: i.criticality,
        status: i.status,
        attempts: i.attempts,
        checksRun: i.checks_run,
        findings: i.findings,
        reachable: i.reachable,
        score: i.score,
        previousScore: i.previous_score,
        trend: i.explanation?.trend ?? null,
        explanation: i.explanation
          ? {
              rule: { zh: '100 分减去每个发现的扣分：严重 40、高 20、中 8、低 3、提示 0；同一检查的重复发现减半，累计不超过首个发现的扣分', en: '100 less each finding: critical 40, high 20, medium 8, low 3, info 0; repeats of one check count half, at most the first one again' },
              deductions: i.explanation.deductions,
            }
          : null,
        startedAt: iso(i.started_at),
        finishedAt: iso(i.finished_at),
      })),
    };
  }

  async systems(id: string) {
    const row = await this.row(id);
    const rows = await this.ds.query(`SELECT * FROM inspection_system_scores WHERE inspection_id = $1 ORDER BY name`, [row.id]);
    return {
      items: rows.map((s: any) => ({ systemId: s.system_id, name: s.name, displayName: s.display_name, score: s.score, previousScore: s.previous_score, trend: s.explanation.trend, explanation: { ...s.explanation, trend: undefined } })),
    };
  }

  /** The top risks (ranked at scoring), each with what was raised from it and how to raise more. */
  async risks(id: string) {
    const row = await this.row(id);
    const defs = await this.definitions(row);
    const top: { resultId: string; rank: number; riskScore: number; dependants: number }[] = row.summary?.topRisks ?? [];
    if (!top.length) return { items: [] };
    const results = await this.ds.query(
      `SELECT r.*, ii.item_name, ii.item_type FROM inspection_results r JOIN inspection_items ii ON ii.inspection_id = r.inspection_id AND ii.item_id = r.item_id WHERE r.id = ANY($1::uuid[])`,
      [top.map((t) => t.resultId)],
    );
    const byId = new Map(results.map((r: any) => [r.id, r]));
    const actions = await this.ds.query(`SELECT result_id, kind, ref, created_by_name, created_at FROM inspection_risk_actions WHERE inspection_id = $1 ORDER BY created_at`, [row.id]);
    return {
      items: top
        .filter((t) => byId.has(t.resultId))
        .map((t) => ({
          rank: t.rank,
          riskScore: t.riskScore,
          dependants: t.dependants,
          finding: this.mapResult(byId.get(t.resultId), defs),
          raised: actions.filter((a: any) => a.result_id === t.resultId).map((a: any) => ({ kind: a.kind, ref: a.ref, by: a.created_by_name, at: iso(a.created_at) })),
          raise: `POST /inspections/${row.id}/risks/${t.resultId}/raise`,
        })),
    };
  }

  /**
   * One call turns a risk into an incident or a change (through their own services, with the finding's evidence),
   * or a problem once problem management exists. Raising the same kind twice from one finding answers the first.
   */
  async raise(auth: Principal, id: string, resultId: string, dto: RaiseFromRiskDto) {
    const row = await this.row(id);
    if (!isUuid(resultId)) throw notFound('NOT_FOUND', `没有巡检发现 ${resultId}`, `no finding ${resultId}`, { field: 'resultId' });
    const [result] = await this.ds.query(
      `SELECT r.*, ii.item_name, ii.item_type FROM inspection_results r JOIN inspection_items ii ON ii.inspection_id = r.inspection_id AND ii.item_id = r.item_id WHERE r.id = $1 AND r.inspection_id = $2`,
      [resultId, row.id],
    );
    if (!result || !result.severity) throw notFound('NOT_FOUND', `巡检 ${row.number} 没有发现 ${resultId}`, `inspection ${row.number} has no finding ${resultId}`, { field: 'resultId' });
    const [done] = await this.ds.query(`SELECT kind, ref FROM inspection_risk_actions WHERE result_id = $1 AND kind = $2`, [resultId, dto.kind]);
    if (done) return { kind: done.kind, ref: done.ref, created: false };
    const may = (roles: string[]) => auth.roles.some((r) => r === 'admin' || roles.includes(r));
    const finding = this.mapResult(result, await this.definitions(row));
    const systemCode = dto.systemId ?? (await this.affectedSystem(result.item_id));
    if (!systemCode) throw unprocessable('INVALID_INPUT', `${result.item_name} 不属于任何业务系统：请指定 systemId`, `${result.item_name} belongs to no business system: give systemId`, { field: 'systemId' });
    const title = `[巡检 ${row.number}] ${result.item_name} ${finding.title.zh}：${result.subject}`.slice(0, 200);
    const evidence = JSON.stringify(result.evidence).slice(0, 2500);
    const description = [
      `巡检 ${row.number} 发现（${finding.severityLabel?.zh}）/ Inspection ${row.number} found (${finding.severityLabel?.en}): ${finding.title.zh} / ${finding.title.en}`,
      `配置项 / item: ${result.item_type}:${result.item_name}；对象 / subject: ${result.subject}；测量值 / value: ${result.value ?? '—'} ${result.unit}`,
      `建议 / advice: ${finding.advice?.zh ?? ''} / ${finding.advice?.en ?? ''}`,
      `证据 / evidence: ${evidence}`,
      ...(dto.note ? [`备注 / note: ${dto.note}`] : []),
    ].join('\n').slice(0, 5000);
    let ref: string;
    if (dto.kind === 'incident') {
      if (!may(['dispatcher', 'integration'])) throw forbidden('FORBIDDEN', '只有调度员可以由风险直接开单', 'only a dispatcher opens an incident from a risk', { field: 'kind' });
      const view: any = await this.incidents.open(auth, {
        systemId: systemCode,
        title,
        description,
        reporter: { name: auth.displayName, department: '巡检 / inspection' },
        priority: dto.priority ?? PRIORITY_OF[result.severity as Severity],
        channel: 'api',
      });
      ref = view.number;
    } else if (dto.kind === 'change') {
      if (!may(['engineer', 'project_manager', 'it_manager'])) throw forbidden('FORBIDDEN', '只有工程师、项目经理或信息科可以由风险提出变更', 'only engineers, project managers or IT managers raise a change from a risk', { field: 'kind' });
      const start = dto.windowStart ? Date.parse(dto.windowStart) : this.nextNight();
      const end = dto.windowEnd ? Date.parse(dto.windowEnd) : start + 4 * 3_600_000;
      const view: any = await this.changes.create(auth, {
        systemId: systemCode,
        kind: 'normal',
        title,
        reason: description,
        window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
        dialect: 'postgresql',
        forwardScript: `-- ${finding.advice?.zh ?? ''}\n-- to be written by the implementer`,
        rollbackScript: '',
        objects: [],
        risk: result.severity === 'critical' || result.severity === 'high' ? 'medium' : 'low',
      } as never);
      ref = view.number;
    } else {
      // S1: a risk worth finding the root cause of (it keeps coming back, or its cause is unknown) becomes a problem.
      if (!may([...PROBLEM_CREATORS])) throw forbidden('FORBIDDEN', '你的角色不能提出问题单', 'your role does not raise problems', { field: 'kind' });
      const view: any = await this.problems.create(auth, { systemId: systemCode, title, description });
      ref = view.number;
    }
    await this.ds.query(
      `INSERT INTO inspection_risk_actions (inspection_id, result_id, kind, ref, created_by, created_by_name) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (result_id, kind) DO NOTHING`,
      [row.id, resultId, dto.kind, ref, auth.userId, auth.displayName],
    );
    return { kind: dto.kind, ref, created: true };
  }

  /** 22:00 tomorrow in the contract's zone: the usual start of a maintenance window. */
  private nextNight(): number {
    const local = formatInZone(Date.now() + 86_400_000, this.offset).slice(0, 10);
    return Date.parse(`${local}T22:00:00Z`) - this.offset * 60_000;
  }

  /** The first business system (by code) whose dependency tree holds the item. */
  private async affectedSystem(itemId: string): Promise<string | null> {
    const [row] = await this.ds.query(
      `WITH RECURSIVE up(id) AS (SELECT $1::uuid UNION SELECT r.source_id FROM up JOIN cmdb_relations r ON r.target_id = up.id AND r.type = ANY($2))
       SELECT i.name FROM up JOIN cmdb_items i ON i.id = up.id WHERE i.type = 'business_system' ORDER BY i.name LIMIT 1`,
      [itemId, DEPENDENCY_RELATIONS],
    );
    return row?.name ?? null;
  }

  async catalogue() {
    await syncShippedChecks(this.ds);
    return { items: (await currentCatalogue(this.ds)).map((c) => ({ ...c.definition, source: c.source, createdBy: c.createdByName, createdAt: c.createdAt })) };
  }

  async checkVersions(checkId: string) {
    await syncShippedChecks(this.ds);
    const versions = await checkVersions(this.ds, checkId);
    if (!versions.length) throw notFound('NOT_FOUND', `没有检查项 ${checkId}`, `no check ${checkId}`, { field: 'id' });
    return { id: checkId, versions: versions.map((c) => ({ ...c.definition, source: c.source, createdBy: c.createdByName, createdAt: c.createdAt })) };
  }

  async publish(auth: Principal, dto: PublishCheckDto) {
    const def = { ...dto, enabled: dto.enabled ?? true } as Omit<CheckDefinition, 'version'>;
    const stored = await publishCheck(this.ds, def, { id: auth.userId, name: auth.displayName });
    return { ...stored.definition, source: stored.source, createdBy: stored.createdByName, createdAt: stored.createdAt };
  }

  async createDbCredential(auth: Principal, dto: DbCredentialDto) {
    const row = await this.ds.transaction(async (tx) => {
      const [taken] = await tx.query(`SELECT 1 FROM db_credentials WHERE name = $1`, [dto.name]);
      if (taken) throw conflict('DUPLICATE', `已有名为 ${dto.name} 的数据库凭据`, `a database credential named ${dto.name} exists`, { field: 'name' });
      const ref = await this.vault.store({ kind: 'db.password', name: `db:${dto.name}`, value: dto.password }, tx);
      const [r] = await tx.query(`INSERT INTO db_credentials (name, username, secret_id, created_by) VALUES ($1, $2, $3, $4) RETURNING id, name, username, created_at`, [
        dto.name,
        dto.username,
        ref.id,
        auth.userId,
      ]);
      return r;
    });
    return { id: row.id, name: row.name, username: row.username, createdAt: iso(row.created_at) };
  }

  async listDbCredentials() {
    const rows = await this.ds.query(`SELECT id, name, username, created_at FROM db_credentials ORDER BY name`);
    return { items: rows.map((r: any) => ({ id: r.id, name: r.name, username: r.username, createdAt: iso(r.created_at) })) };
  }

  async schedules() {
    const out = [];
    for (const [profile, scheduleId] of Object.entries(INSPECTION_SCHEDULE_IDS)) {
      try {
        const d = await this.temporal.schedule.getHandle(scheduleId).describe();
        out.push({
          profile,
          scheduleId,
          exists: true,
          paused: d.state.paused,
          cron: typeof d.memo?.cron === 'string' ? [d.memo.cron] : [],
          timeZone: d.spec.timezone ?? null,
          nextRuns: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
          recentRuns: d.info.recentActions.slice(-5).map((a) => ({ at: a.takenAt.toISOString(), workflowId: a.action.workflow.workflowId })),
        });
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
        out.push({ profile, scheduleId, exists: false, paused: null, cron: [], timeZone: null, nextRuns: [], recentRuns: [] });
      }
    }
    return { items: out };
  }

  private mapReport(r: any, signoffs: any[]) {
    return {
      id: r.id,
      inspectionId: r.inspection_id,
      inspectionNumber: r.number,
      version: r.version,
      title: r.title,
      periodStart: iso(r.period_start),
      periodEnd: iso(r.period_end),
      state: r.state,
      pdf: { sha256: r.pdf_sha256, bytes: r.pdf_bytes, href: `/inspection-reports/${r.id}/pdf` },
      xlsx: { sha256: r.xlsx_sha256, bytes: r.xlsx_bytes, href: `/inspection-reports/${r.id}/xlsx` },
      signOffs: signoffs.filter((s) => s.report_id === r.id).map((s) => ({ role: s.role, by: s.user_name, note: s.note, at: iso(s.signed_at) })),
      createdAt: iso(r.created_at),
    };
  }

  private reportColumns = `r.id, r.inspection_id, i.number, r.version, r.title, r.period_start, r.period_end, r.state, r.pdf_sha256, r.xlsx_sha256,
      octet_length(r.pdf) AS pdf_bytes, octet_length(r.xlsx) AS xlsx_bytes, r.created_at`;

  /** Reports by the period they cover (S16; the S17 acceptance pack lists a period's reports from here). */
  async reports(q: ReportsQuery) {
    const params: unknown[] = [];
    const where: string[] = [];
    if (q.from) {
      params.push(new Date(q.from));
      where.push(`r.period_end >= $${params.length}`);
    }
    if (q.to) {
      params.push(new Date(q.to));
      where.push(`r.period_end < $${params.length}`);
    }
    const rows = await this.ds.query(
      `SELECT ${this.reportColumns} FROM inspection_reports r JOIN inspections i ON i.id = r.inspection_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.period_end DESC, r.version DESC LIMIT 500`,
      params,
    );
    const signoffs = rows.length ? await this.ds.query(`SELECT * FROM inspection_report_signoffs WHERE report_id = ANY($1::uuid[]) ORDER BY signed_at`, [rows.map((r: any) => r.id)]) : [];
    return { items: rows.map((r: any) => this.mapReport(r, signoffs)) };
  }

  private async reportRow(id: string) {
    if (!isUuid(id)) throw notFound('NOT_FOUND', `没有巡检报告 ${id}`, `no inspection report ${id}`, { field: 'id' });
    const [row] = await this.ds.query(`SELECT ${this.reportColumns} FROM inspection_reports r JOIN inspections i ON i.id = r.inspection_id WHERE r.id = $1`, [id]);
    if (!row) throw notFound('NOT_FOUND', `没有巡检报告 ${id}`, `no inspection report ${id}`, { field: 'id' });
    return row;
  }

  async report(id: string) {
    const row = await this.reportRow(id);
    return this.mapReport(row, await this.ds.query(`SELECT * FROM inspection_report_signoffs WHERE report_id = $1 ORDER BY signed_at`, [id]));
  }

  async reportFile(id: string, kind: 'pdf' | 'xlsx'): Promise<{ data: Buffer; name: string }> {
    const row = await this.reportRow(id);
    const [file] = await this.ds.query(`SELECT ${kind} AS data FROM inspection_reports WHERE id = $1`, [id]);
    return { data: file.data, name: `inspection-${row.number}-v${row.version}.${kind}` };
  }

  /** S16: the project manager and the quality manager each sign the report once; with both it is signed off. */
  async signOff(auth: Principal, id: string, dto: SignOffDto) {
    const row = await this.reportRow(id);
    const held = (['project_manager', 'quality_manager'] as const).filter((r) => auth.roles.includes(r));
    if (!held.length) throw forbidden('FORBIDDEN', '只有项目经理或质量经理可以签字', 'only the project manager or the quality manager signs a report', {});
    if (dto.as && !held.includes(dto.as)) throw forbidden('FORBIDDEN', `你没有 ${dto.as} 角色`, `you do not hold the ${dto.as} role`, { field: 'as' });
    if (!dto.as && held.length > 1) throw invalidFields([{ field: 'as', zh: '你同时是项目经理和质量经理：请用 as 指明以哪个身份签字', en: 'you hold both roles: say which one signs with as' }]);
    const role = dto.as ?? held[0];
    await this.ds.transaction(async (tx) => {
      await tx.query(`SELECT id FROM inspection_reports WHERE id = $1 FOR UPDATE`, [id]);
      const [already] = await tx.query(`SELECT user_name FROM inspection_report_signoffs WHERE report_id = $1 AND role = $2`, [id, role]);
      if (already) throw conflict('ALREADY_SIGNED', `${role === 'project_manager' ? '项目经理' : '质量经理'}已由 ${already.user_name} 签字`, `the ${role.replace('_', ' ')} signed already (${already.user_name})`, { details: { state: row.state } });
      await tx.query(`INSERT INTO inspection_report_signoffs (report_id, role, user_id, user_name, note) VALUES ($1, $2, $3, $4, $5)`, [id, role, auth.userId, auth.displayName, dto.note ?? null]);
      await tx.query(
        `UPDATE inspection_reports SET state = 'signed_off' WHERE id = $1 AND (SELECT count(*) FROM inspection_report_signoffs WHERE report_id = $1) = 2`,
        [id],
      );
    });
    return this.report(id);
  }
}
