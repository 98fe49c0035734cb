import { Inject, Injectable } from '@nestjs/common';
import { Client, WithStartWorkflowOperation } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { PROBLEM_ACTION_ROLES, PROBLEM_STATE_ZH, ProblemCommand, ProblemCommandBody, ProblemState, ProblemView, isProblemTerminal, problemAllowedActions } from '../../domain/problems/problem';
import { RECURRENCE_ZH } from '../../domain/problems/recurrence';
import { holdsAny } from '../../domain/roles';
import { formatInZone } from '../../domain/time';
import { pendingStartOf } from '../../intake/outbox';
import { openProblem, recurrenceRules, saveRecurrenceRules } from '../../persistence/problems/problem-store';
import { problemCommandUpdate } from '../../shared/problem-messages';
import { Principal } from '../auth/principal';
import { conflict, notFound, unknownRef, unprocessable } from '../common/errors';
import { findByRef, isUuid } from '../common/refs';
import { CLOCK, CONFIG, Clock, TEMPORAL_CLIENT, WardlineConfig } from '../common/tokens';
import { CalendarService } from '../sla/calendar.service';
import { CreateProblemDto, ListProblemsQuery, RecurrenceRulesDto } from './problems.dto';

/** S1: problems, their workflow's steps as Updates (409 for an illegal one), and the recurrence rules as data. */
@Injectable()
export class ProblemsService {
  constructor(
    private readonly ds: DataSource,
    private readonly calendars: CalendarService,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(CONFIG) private readonly config: WardlineConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private async offset(): Promise<number> {
    return (await this.calendars.current()).spec.utcOffsetMinutes;
  }

  private async row(ref: string): Promise<Record<string, any>> {
    const [row] = await this.ds.query(
      `SELECT p.*, s.code AS system_code, s.display_name AS system_name FROM problems p JOIN business_systems s ON s.id = p.system_id
        WHERE ${isUuid(ref) ? 'p.id = $1::uuid' : 'p.number = upper($1)'}`,
      [ref],
    );
    if (!row) throw notFound('PROBLEM_NOT_FOUND', `找不到问题单 ${ref}`, `problem ${ref} not found`, { field: 'id' });
    return row;
  }

  private map(row: Record<string, any>, offset: number, auth?: Principal) {
    const v: ProblemView = row.view;
    const t = (ms: number | string | Date | null) => (ms === null ? null : formatInZone(new Date(ms).getTime(), offset));
    return {
      id: row.id,
      number: row.number,
      title: row.title,
      description: row.description,
      state: row.state,
      stateLabel: PROBLEM_STATE_ZH[row.state as ProblemState],
      system: { id: row.system_id, code: row.system_code, name: row.system_name },
      origin: v.origin,
      rootCause: row.root_cause,
      workaround: row.workaround,
      changes: v.changes,
      fixedBy: v.fixedBy,
      incidents: v.incidents,
      openedAt: t(row.opened_at),
      closedAt: t(row.closed_at),
      allowedActions: problemAllowedActions(row.state).filter((a) => !auth || holdsAny(auth.roles, PROBLEM_ACTION_ROLES[a])),
    };
  }

  async list(q: ListProblemsQuery) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.state) where.push(`p.state = $${params.push(q.state)}`);
    if (q.systemId) where.push(isUuid(q.systemId) ? `p.system_id = $${params.push(q.systemId)}::uuid` : `s.code = upper($${params.push(q.systemId)})`);
    const page = q.page ?? 1;
    const size = q.pageSize ?? 50;
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = await this.ds.query(
      `SELECT p.*, s.code AS system_code, s.display_name AS system_name, count(*) OVER () AS total FROM problems p JOIN business_systems s ON s.id = p.system_id
        ${cond} ORDER BY p.opened_at DESC, p.number DESC LIMIT ${size} OFFSET ${(page - 1) * size}`,
      params,
    );
    const offset = await this.offset();
    return { items: rows.map((r: any) => this.map(r, offset)), total: rows.length ? Number(rows[0].total) : 0, page, pageSize: size };
  }

  async get(auth: Principal, ref: string) {
    const row = await this.row(ref);
    const offset = await this.offset();
    const events = await this.ds.query(`SELECT seq, type, actor_name, at, from_state, to_state, note FROM problem_events WHERE problem_id = $1 ORDER BY seq`, [row.id]);
    return {
      ...this.map(row, offset, auth),
      timeline: events.map((e: any) => ({ seq: e.seq, type: e.type, actor: e.actor_name, at: formatInZone(new Date(e.at).getTime(), offset), fromState: e.from_state, toState: e.to_state, note: e.note })),
    };
  }

  private async incidentRef(ref: string, field: string): Promise<{ id: string; number: string }> {
    const row = await findByRef<{ id: string; number: string }>(this.ds, 'incidents', ref, 'id, number');
    if (!row) throw unknownRef('incident', ref, field);
    return row;
  }

  private async changeRef(ref: string, field: string): Promise<{ id: string; number: string; state: string }> {
    const row = await findByRef<{ id: string; number: string; state: string }>(this.ds, 'changes', ref, 'id, number, state');
    if (!row) throw unknownRef('change', ref, field);
    return row;
  }

  async create(auth: Principal, dto: CreateProblemDto) {
    const [system] = await this.ds.query(`SELECT id FROM business_systems WHERE ${isUuid(dto.systemId) ? 'id = $1::uuid' : 'code = upper($1)'}`, [dto.systemId]);
    if (!system) throw unknownRef('system', dto.systemId, 'systemId');
    const incidents: { id: string; number: string }[] = [];
    for (const ref of [...new Set(dto.incidents ?? [])]) incidents.push(await this.incidentRef(ref, 'incidents'));
    const offset = await this.offset();
    const opened = await this.ds.transaction((tx) =>
      openProblem(tx, {
        systemId: system.id,
        title: dto.title,
        description: dto.description,
        origin: { kind: 'manual' },
        incidents,
        at: this.clock.now(),
        by: { id: auth.userId, name: auth.displayName },
        taskQueue: this.config.taskQueue,
        utcOffsetMinutes: offset,
      }),
    );
    return this.get(auth, opened.problemId);
  }

  async command(auth: Principal, ref: string, body: ProblemCommandBody) {
    const row = await this.row(ref);
    if (isProblemTerminal(row.state)) {
      throw conflict('ILLEGAL_TRANSITION', `问题单当前状态（${PROBLEM_STATE_ZH[row.state as ProblemState]}）不允许此操作`, `the problem is ${row.state}; nothing more can be done`, {
        details: { state: row.state, allowedActions: [] },
      });
    }
    const command = { ...body, actor: { id: auth.userId, name: auth.displayName, roles: auth.roles } } as ProblemCommand;
    const start = await pendingStartOf(this.ds, row.workflow_id);
    if (start) {
      await this.temporal.workflow.executeUpdateWithStart(problemCommandUpdate, {
        args: [command],
        startWorkflowOperation: new WithStartWorkflowOperation(start.workflowType, {
          workflowId: row.workflow_id,
          taskQueue: start.taskQueue ?? this.config.taskQueue,
          args: start.args,
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        }),
      });
    } else {
      await this.temporal.workflow.getHandle(row.workflow_id).executeUpdate(problemCommandUpdate, { args: [command] });
    }
    return this.get(auth, row.id);
  }

  async linkChange(auth: Principal, ref: string, change: string) {
    return this.command(auth, ref, { action: 'link_change', change: await this.changeRef(change, 'change') });
  }

  async fixed(auth: Principal, ref: string, change: string | undefined, note: string | undefined) {
    // The change's state as of now: the validator refuses one not yet implemented.
    let c = change ? await this.changeRef(change, 'change') : undefined;
    if (!c) {
      const row = await this.row(ref);
      const last = (row.view as ProblemView).changes.at(-1);
      if (last) c = await this.changeRef(last.id, 'change');
    }
    return this.command(auth, ref, { action: 'mark_fixed', ...(c ? { change: c } : {}), ...(note ? { note } : {}) });
  }

  async linkIncident(auth: Principal, ref: string, incident: string) {
    return this.command(auth, ref, { action: 'link_incident', incident: await this.incidentRef(incident, 'incident') });
  }

  async rules() {
    const rules = await recurrenceRules(this.ds);
    return { rules: rules.map((r) => ({ ...r, label: RECURRENCE_ZH[r.kind] })) };
  }

  async setRules(auth: Principal, dto: RecurrenceRulesDto) {
    const kinds = dto.rules.map((r) => r.kind);
    if (new Set(kinds).size !== kinds.length) throw unprocessable('INVALID_INPUT', '每种规则只能出现一次', 'each rule kind may appear once', { field: 'rules' });
    await saveRecurrenceRules(this.ds, dto.rules, auth.displayName);
    return this.rules();
  }
}
