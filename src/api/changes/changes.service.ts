import { Inject, Injectable } from '@nestjs/common';
import { Client, WithStartWorkflowOperation } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ChangeActor, Revision, assessRevision } from '../../domain/change';
import { ChangeCommand, ChangeInput, ChangeView, changeActionsFor } from '../../domain/change-process';
import { lineDiff } from '../../infra/text-diff';
import { formatInZone } from '../../domain/time';
import { ScriptDiff, loadRevisionScripts, loadScriptDiffs, saveChangeScripts, saveScriptDiff } from '../../persistence/change-scripts';
import { allocateNumber } from '../../persistence/numbering';
import { SQL_DIALECTS, SqlDialect, classifySql } from '../../infra/sql-classifier';
import { CHANGE_WORKFLOW_TYPE, changeCommandUpdate, changeOpenedUpdate, changeWorkflowId } from '../../shared/change-messages';
import { Principal } from '../auth/principal';
import { CLOCK, CONFIG, Clock, TEMPORAL_CLIENT, WardlineConfig } from '../common/tokens';
import { NoteDto, ReasonDto } from '../common/dtos';
import { CalendarService } from '../sla/calendar.service';
import { SystemsService } from '../systems/systems.service';
import { findByRef } from '../common/refs';
import { RevisionDto, CreateChangeDto, ReviewDto, ImplementDto, VerifyDto, ListChangesQuery } from './changes.dto';
import { conflict, notFoundRef, unknownRef, unprocessable } from '../common/errors';

@Injectable()
export class ChangesService {
  constructor(
    private readonly ds: DataSource,
    private readonly systems: SystemsService,
    private readonly calendars: CalendarService,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(CONFIG) private readonly config: WardlineConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private actor(auth: Principal): ChangeActor {
    return { id: auth.userId, name: auth.displayName, roles: auth.roles };
  }

  /**
   * The SQL is read, not trusted: what it touches decides whether it needs review and how risky it is (S4).
   * The text is stored in PostgreSQL; the workflow gets its id and hashes (Temporal payloads stop at 2 MB).
   */
  private async revision(auth: Principal, dto: RevisionDto, changeId: string, number: number): Promise<Revision> {
    // S4: both scripts run on the hospital's database, so both are classified with the same fail-closed rules.
    const findings = (script: string) => {
      const found = classifySql(script, dto.dialect);
      return {
        objects: found.objects.map((o) => ({ type: o.type, name: o.name, action: o.action })),
        schemaChange: found.schemaChange,
        destructive: found.destructive,
        unparsed: found.unparsed.map((u) => ({ index: u.index, error: u.error })),
        riskFloor: found.riskFloor,
      };
    };
    const assessed = assessRevision({ declaredRisk: dto.risk, declaredObjects: dto.objects, found: findings(dto.forwardScript), rollback: findings(dto.rollbackScript) });
    const scripts = await saveChangeScripts(this.ds, { changeId, revision: number, dialect: dto.dialect, forward: dto.forwardScript, rollback: dto.rollbackScript });
    return { number, scripts, ...assessed, submittedAt: this.clock.now(), submittedBy: this.actor(auth) };
  }

  async create(auth: Principal, dto: CreateChangeDto) {
    const system = await this.systems.find(dto.systemId);
    if (!system) throw unknownRef('system', dto.systemId, 'systemId');
    const start = Date.parse(dto.window.start);
    const end = Date.parse(dto.window.end);
    if (end <= start) throw unprocessable('INVALID_INPUT', '变更窗口的结束时间必须晚于开始时间', 'window.end must be after window.start', { field: 'window.end' });
    let implementer: ChangeActor | null = null;
    if (dto.implementerId) {
      const [u] = await this.ds.query(`SELECT id, display_name, roles FROM users WHERE id = $1 AND active`, [dto.implementerId]);
      if (!u) throw unprocessable('INVALID_INPUT', `没有在职用户 ${dto.implementerId}`, `no active user ${dto.implementerId}`, { field: 'implementerId' });
      implementer = { id: u.id, name: u.display_name, roles: u.roles };
    }
    let linkedIncidentId: string | null = null;
    if (dto.linkedIncident) {
      const i = await findByRef(this.ds, 'incidents', dto.linkedIncident, 'id');
      if (!i) throw unknownRef('incident', dto.linkedIncident, 'linkedIncident');
      linkedIncidentId = i.id;
    }
    const { spec } = await this.calendars.current();
    const now = this.clock.now();
    const number = await allocateNumber(this.ds, 'CHG', now, spec.utcOffsetMinutes);
    const changeId = randomUUID();
    const first = await this.revision(auth, dto, changeId, 1);
    const input: ChangeInput = {
      changeId,
      number,
      systemId: system.id,
      systemName: system.displayName,
      kind: dto.kind,
      title: dto.title,
      reason: dto.reason,
      window: { start, end },
      implementer,
      submittedBy: this.actor(auth),
      linkedIncidentId,
      linkedModificationId: null,
      firstRevision: first,
      calendar: await this.calendars.specFor(now),
      reviewReminderWorkingDays: 1,
      reviewEscalationWorkingDays: 2,
      emergencyReviewWorkingDays: 1,
    };
    const workflowId = changeWorkflowId(number, changeId);
    // The workflow writes the change's row itself before the opening answers: no row can exist without its process.
    // One call starts it and waits for that opening (Update-with-Start), instead of a start and an Update.
    const view = await this.temporal.workflow.executeUpdateWithStart(changeOpenedUpdate, {
      startWorkflowOperation: new WithStartWorkflowOperation(CHANGE_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: this.config.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
    return this.map(view, spec.utcOffsetMinutes, auth);
  }

  private async row(ref: string) {
    const row = await findByRef(this.ds, 'changes', ref);
    if (!row) throw notFoundRef('change', ref);
    return row;
  }

  /**
   * A row whose workflow never started (written by a version that stored it first, when the API died in between)
   * reads as what it is; it allows nothing, and commands answer 409 saying why instead of a 500.
   */
  private orphan(row: Record<string, any>, offset: number) {
    const t = (d: Date | null) => (d ? formatInZone(new Date(d).getTime(), offset) : null);
    return {
      id: row.id,
      number: row.number,
      systemId: row.system_id,
      kind: row.kind,
      title: row.title,
      state: row.state,
      risk: row.risk,
      schemaChange: row.schema_change,
      destructive: row.destructive,
      window: { start: t(row.window_start), end: t(row.window_end) },
      process: 'missing' as const,
      allowedActions: [],
      history: [],
      revisions: [],
    };
  }

  private noProcess(row: Record<string, any>) {
    return conflict(
      'NO_PROCESS',
      `变更 ${row.number} 的流程未能启动（提交未完成），请重新提交`,
      `change ${row.number} never got its process (the submission did not finish): submit it again`,
      { details: { state: row.state, allowedActions: [] } },
    );
  }


  async command(auth: Principal, ref: string, build: (view: ChangeView) => ChangeCommand) {
    const row = await this.row(ref);
    if (!row.view?.changeId) throw this.noProcess(row);
    const { spec } = await this.calendars.current();
    const handle = this.temporal.workflow.getHandle(row.workflow_id);
    const command = build(row.view as ChangeView);
    return this.map(await handle.executeUpdate(changeCommandUpdate, { args: [command] }), spec.utcOffsetMinutes, auth);
  }

  review(auth: Principal, ref: string, dto: ReviewDto) {
    return this.command(auth, ref, () => ({ action: 'review', actor: this.actor(auth), decision: dto.decision, comment: dto.comment ?? null }));
  }

  async revise(auth: Principal, ref: string, dto: RevisionDto) {
    const row = await this.row(ref);
    const view = row.view as ChangeView;
    const revision = await this.revision(auth, dto, row.id, (view.currentRevision ?? 1) + 1);
    // The diff against the previous revision is computed once, here, and read from then on (issue 9: not per GET).
    const previous = (view.revisions ?? [])[(view.revisions ?? []).length - 1];
    if (previous && revision.scripts) {
      const [before] = await loadRevisionScripts(this.ds, [previous]);
      const diff = { forward: lineDiff(before.forward, dto.forwardScript), rollback: lineDiff(before.rollback, dto.rollbackScript) };
      await saveScriptDiff(this.ds, { scriptsId: revision.scripts.id, previousScriptsId: previous.scripts?.id ?? null, diff });
    }
    return this.command(auth, ref, () => ({ action: 'revise', actor: this.actor(auth), revision }));
  }

  implement(auth: Principal, ref: string, dto: ImplementDto) {
    return this.command(auth, ref, () => ({ action: 'implement', actor: this.actor(auth), revision: dto.revision, evidence: dto.evidence }));
  }

  verify(auth: Principal, ref: string, dto: VerifyDto) {
    return this.command(auth, ref, () => ({ action: 'verify', actor: this.actor(auth), outcome: dto.outcome, evidence: dto.evidence }));
  }

  close(auth: Principal, ref: string, dto: NoteDto) {
    return this.command(auth, ref, () => ({ action: 'close', actor: this.actor(auth), note: dto.note ?? null }));
  }

  cancel(auth: Principal, ref: string, dto: ReasonDto) {
    return this.command(auth, ref, () => ({ action: 'cancel', actor: this.actor(auth), reason: dto.reason }));
  }

  async list(q: ListChangesQuery) {
    const rows = await this.ds.query(
      `SELECT id, number, kind, title, state, risk, schema_change AS "schemaChange", destructive, current_revision AS "currentRevision",
              approved_revision AS "approvedRevision", window_start AS "windowStart", window_end AS "windowEnd"
         FROM changes ${q.state ? 'WHERE state = $1' : ''} ORDER BY created_at DESC LIMIT 200`,
      q.state ? [q.state] : [],
    );
    return rows;
  }

  /** The history of decisions and each revision's scripts, with a diff between consecutive revisions. */
  async get(auth: Principal, ref: string) {
    const row = await this.row(ref);
    if (!row.view?.changeId) return this.orphan(row, (await this.calendars.current()).spec.utcOffsetMinutes);
    const { spec } = await this.calendars.current();
    const view = row.view as ChangeView;
    const all = view.revisions ?? [];
    const texts = await loadRevisionScripts(this.ds, all);
    const stored = await loadScriptDiffs(this.ds, all.map((r) => r.scripts?.id).filter((id): id is string => !!id));
    // Revisions from before the diffs were stored get theirs computed once and kept.
    const diffOf = async (i: number) => {
      if (i === 0) return null;
      const id = all[i].scripts?.id;
      const kept = id ? stored.get(id) : undefined;
      if (kept) return kept;
      const diff = { forward: lineDiff(texts[i - 1].forward, texts[i].forward), rollback: lineDiff(texts[i - 1].rollback, texts[i].rollback) };
      if (id) await saveScriptDiff(this.ds, { scriptsId: id, previousScriptsId: all[i - 1].scripts?.id ?? null, diff });
      return diff;
    };
    const diffs: (ScriptDiff | null)[] = [];
    for (let i = 0; i < all.length; i++) diffs.push(await diffOf(i));
    const revisions = all.map((r, i) => ({
      number: r.number,
      risk: r.risk,
      schemaChange: r.schemaChange,
      destructive: r.destructive,
      objects: r.objects,
      unparsed: r.unparsed,
      rollbackFindings: r.rollback ?? null,
      dialect: texts[i].dialect || null,
      forwardScript: texts[i].forward,
      rollbackScript: texts[i].rollback,
      forwardStatements: statementsOf(texts[i].forward, texts[i].dialect),
      rollbackStatements: statementsOf(texts[i].rollback, texts[i].dialect),
      forwardSha256: r.scripts?.forwardSha256 ?? null,
      rollbackSha256: r.scripts?.rollbackSha256 ?? null,
      submittedAt: formatInZone(r.submittedAt, spec.utcOffsetMinutes),
      submittedBy: r.submittedBy.name,
      diffFromPrevious: diffs[i],
    }));
    return { ...this.map(view, spec.utcOffsetMinutes, auth), revisions };
  }

  /** `allowedActions` is what this caller may do now (changeActionsFor): no action a 409 or 403 would refuse. */
  private map(v: ChangeView, offset: number, auth: Principal) {
    const t = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : formatInZone(ms, offset));
    return {
      id: v.changeId,
      number: v.number,
      systemId: v.systemId,
      kind: v.kind,
      title: v.title,
      reason: v.reason,
      state: v.state,
      risk: v.risk,
      schemaChange: v.schemaChange,
      destructive: v.destructive,
      window: { start: t(v.window.start), end: t(v.window.end) },
      currentRevision: v.currentRevision,
      approvedRevision: v.approvedRevision,
      approvals: v.approvals.map((a) => ({ revision: a.revision, by: a.by.name, roles: a.by.roles, at: t(a.at), comment: a.comment })),
      reviewed: v.reviewed,
      reviewDueAt: t(v.reviewDueAt),
      implementedAt: t(v.implementedAt),
      verification: v.verification ? { ...v.verification, at: t(v.verification.at) } : null,
      allowedActions: changeActionsFor(v, this.clock.now(), { id: auth.userId, roles: auth.roles }),
      history: v.history.map((d) => ({ ...d, at: t(d.at) })),
    };
  }
}

/**
 * Issue 16: the reviewer sees each statement with the classifier's reading of it (kind, destructive, why, what it
 * touches, parse errors), read again from the stored text: the classifier is pure, and the same rules made the risk.
 */
function statementsOf(script: string, dialect: string | null | undefined) {
  if (!script || !dialect || !(SQL_DIALECTS as readonly string[]).includes(dialect)) return [];
  return classifySql(script, dialect as SqlDialect).statements.map((s) => ({
    index: s.index,
    text: s.text,
    kind: s.kind,
    destructive: s.destructive,
    reasons: s.reasons,
    parsed: s.parsed,
    parseError: s.parseError ?? null,
    objects: s.objects.map((o) => ({ type: o.type, name: o.name, action: o.action })),
  }));
}
