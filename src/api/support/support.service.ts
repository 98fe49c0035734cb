import { Inject, Injectable } from '@nestjs/common';
import { Client, WithStartWorkflowOperation } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { holdsAny } from '../../domain/roles';
import {
  SUPPORT_ACTION_ROLES,
  SUPPORT_STATE_ZH,
  SUPPORT_WARNING_FRACTION,
  SUPPORT_TYPE_ZH,
  SupportCommand,
  SupportCommandBody,
  SupportState,
  SupportView,
  isSupportTerminal,
  supportAllowedActions,
} from '../../domain/support/support-request';
import { formatInZone } from '../../domain/time';
import { pendingStartOf } from '../../intake/outbox';
import { openSupportRequest, saveSupportPolicies, supportPolicies } from '../../persistence/support/support-store';
import { supportCommandUpdate } from '../../shared/support-messages';
import { Principal } from '../auth/principal';
import { conflict, notFound, unknownRef, unprocessable } from '../common/errors';
import { findByRef, isUuid } from '../common/refs';
import { CLOCK, CONFIG, Clock, TEMPORAL_CLIENT, WardlineConfig } from '../common/tokens';
import { CalendarService } from '../sla/calendar.service';
import { CreateSupportRequestDto, ListSupportRequestsQuery, SupportPoliciesDto } from './support.dto';

/** S6: support requests with their own clock (policy per type as data), linked to a change when they touch data. */
@Injectable()
export class SupportService {
  constructor(
    private readonly ds: DataSource,
    private readonly calendars: CalendarService,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(CONFIG) private readonly config: WardlineConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private async row(ref: string): Promise<Record<string, any>> {
    const [row] = await this.ds.query(
      `SELECT r.*, s.code AS system_code, s.display_name AS system_name FROM support_requests r JOIN business_systems s ON s.id = r.system_id
        WHERE ${isUuid(ref) ? 'r.id = $1::uuid' : 'r.number = upper($1)'}`,
      [ref],
    );
    if (!row) throw notFound('SUPPORT_REQUEST_NOT_FOUND', `找不到服务请求 ${ref}`, `support request ${ref} not found`, { field: 'id' });
    return row;
  }

  private map(row: Record<string, any>, offset: number, auth?: Principal) {
    const v: SupportView = row.view;
    const t = (ms: number | null) => (ms === null ? null : formatInZone(ms, offset));
    return {
      id: row.id,
      number: row.number,
      type: v.type,
      typeLabel: SUPPORT_TYPE_ZH[v.type],
      title: v.title,
      description: v.description,
      state: row.state,
      stateLabel: SUPPORT_STATE_ZH[row.state as SupportState],
      system: { id: row.system_id, code: row.system_code, name: row.system_name },
      requester: v.requester,
      submittedAt: t(v.submittedAt),
      dueAt: t(v.dueAt),
      workingDays: v.policy.workingDays,
      touchesData: v.policy.touchesData,
      fulfilledAt: t(v.fulfilledAt),
      result: v.result,
      change: v.change,
      breached: v.breached,
      confirmedAt: t(v.confirmedAt),
      allowedActions: supportAllowedActions(row.state).filter((a) => !auth || holdsAny(auth.roles, SUPPORT_ACTION_ROLES[a])),
    };
  }

  async list(q: ListSupportRequestsQuery) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.state) where.push(`r.state = $${params.push(q.state)}`);
    if (q.type) where.push(`r.type = $${params.push(q.type)}`);
    const page = q.page ?? 1;
    const size = q.pageSize ?? 50;
    const rows = await this.ds.query(
      `SELECT r.*, s.code AS system_code, s.display_name AS system_name, count(*) OVER () AS total FROM support_requests r JOIN business_systems s ON s.id = r.system_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.submitted_at DESC, r.number DESC LIMIT ${size} OFFSET ${(page - 1) * size}`,
      params,
    );
    const offset = (await this.calendars.current()).spec.utcOffsetMinutes;
    return { items: rows.map((r: any) => this.map(r, offset)), total: rows.length ? Number(rows[0].total) : 0, page, pageSize: size };
  }

  async get(auth: Principal, ref: string) {
    const row = await this.row(ref);
    const offset = (await this.calendars.current()).spec.utcOffsetMinutes;
    const events = await this.ds.query(`SELECT seq, type, actor_name, at, note FROM support_request_events WHERE support_request_id = $1 ORDER BY seq`, [row.id]);
    return {
      ...this.map(row, offset, auth),
      timeline: events.map((e: any) => ({ seq: e.seq, type: e.type, actor: e.actor_name, at: formatInZone(new Date(e.at).getTime(), offset), note: e.note })),
    };
  }

  async create(auth: Principal, dto: CreateSupportRequestDto) {
    const [system] = await this.ds.query(`SELECT id FROM business_systems WHERE ${isUuid(dto.systemId) ? 'id = $1::uuid' : 'code = upper($1)'}`, [dto.systemId]);
    if (!system) throw unknownRef('system', dto.systemId, 'systemId');
    const policy = (await supportPolicies(this.ds)).find((p) => p.type === dto.type);
    if (!policy) throw unprocessable('INVALID_INPUT', `服务请求类型 ${dto.type} 没有时限策略`, `no clock policy for type ${dto.type}`, { field: 'type' });
    const { calendar, spec } = await this.calendars.current();
    const at = this.clock.now();
    // S6: the clock is working time on the contract's (China) calendar, computed once at submission.
    const dueAt = calendar.addWorkingDays(at, policy.workingDays);
    // Its warning at SUPPORT_WARNING_FRACTION of the same working-time budget (to the assignee and the PM).
    const warnAt = calendar.addWorkingTime(at, SUPPORT_WARNING_FRACTION * policy.workingDays * calendar.dayLengthMs);
    const opened = await this.ds.transaction((tx) =>
      openSupportRequest(tx, {
        systemId: system.id,
        type: dto.type,
        title: dto.title,
        description: dto.description,
        requester: { name: dto.requester.name, department: dto.requester.department },
        at,
        dueAt,
        warnAt,
        policy,
        by: { id: auth.userId, name: auth.displayName },
        taskQueue: this.config.taskQueue,
        utcOffsetMinutes: spec.utcOffsetMinutes,
      }),
    );
    return this.get(auth, opened.requestId);
  }

  async command(auth: Principal, ref: string, body: SupportCommandBody) {
    const row = await this.row(ref);
    if (isSupportTerminal(row.state)) {
      throw conflict('ILLEGAL_TRANSITION', `服务请求当前状态（${SUPPORT_STATE_ZH[row.state as SupportState]}）不允许此操作`, `the support request is ${row.state}; nothing more can be done`, {
        details: { state: row.state, allowedActions: [] },
      });
    }
    const command = { ...body, actor: { id: auth.userId, name: auth.displayName, roles: auth.roles } } as SupportCommand;
    const start = await pendingStartOf(this.ds, row.workflow_id);
    if (start) {
      await this.temporal.workflow.executeUpdateWithStart(supportCommandUpdate, {
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
      await this.temporal.workflow.getHandle(row.workflow_id).executeUpdate(supportCommandUpdate, { args: [command] });
    }
    return this.get(auth, row.id);
  }

  private async changeRef(ref: string) {
    const row = await findByRef<{ id: string; number: string; state: string }>(this.ds, 'changes', ref, 'id, number, state');
    if (!row) throw unknownRef('change', ref, 'change');
    return row;
  }

  async linkChange(auth: Principal, ref: string, change: string) {
    return this.command(auth, ref, { action: 'link_change', change: await this.changeRef(change) });
  }

  async fulfil(auth: Principal, ref: string, result: string, change?: string) {
    // The linked change's state as of now: the validator refuses one not yet carried out.
    let c = change ? await this.changeRef(change) : undefined;
    if (!c) {
      const linked = ((await this.row(ref)).view as SupportView).change;
      if (linked) c = await this.changeRef(linked.id);
    }
    return this.command(auth, ref, { action: 'fulfil', result, ...(c ? { change: c } : {}) });
  }

  async policies() {
    return { policies: (await supportPolicies(this.ds)).map((p) => ({ ...p, label: SUPPORT_TYPE_ZH[p.type] })) };
  }

  async setPolicies(auth: Principal, dto: SupportPoliciesDto) {
    const types = dto.policies.map((p) => p.type);
    if (new Set(types).size !== types.length) throw unprocessable('INVALID_INPUT', '每种类型只能出现一次', 'each type may appear once', { field: 'policies' });
    await saveSupportPolicies(this.ds, dto.policies, auth.displayName);
    return this.policies();
  }
}
