import { CalendarSpec, WorkingCalendar } from './calendar';
import { addCalendarMonths, formatInZone } from './time';
import { forbidden, illegal } from './change';
import { HOSPITAL_SIDE, Role, holdsAny } from './roles';
import { ClockEvent, ClockView, SlaClock, dueEvents, markFired, nextEventAt, startClock, stopClock, viewClock } from './sla-clock';

/**
 * Modification requests (修改调整, S3/S11/S17): improvements, adaptations to OS/DB/browser changes and third-party
 * interfaces, delivered within 7 days of submission; acceptance may be requested 7 working days after go-live;
 * 2 months of free maintenance follow acceptance.
 */
export const MODIFICATION_TYPES = ['improvement', 'adaptation', 'interface'] as const;
export type ModificationType = (typeof MODIFICATION_TYPES)[number];

export const MODIFICATION_STATES = [
  'submitted',
  'assessed',
  'approved',
  'live',
  'acceptance_requested',
  'accepted',
  'closed',
  'scope_rejected',
  'cancelled',
] as const;
export type ModificationState = (typeof MODIFICATION_STATES)[number];

export interface ModActor {
  id: string;
  name: string;
  /** The signed-in person's roles, for the Update validator (MODIFICATION_ACTION_ROLES); not kept in the record. */
  roles?: readonly string[];
}

export interface ModificationInput {
  modificationId: string;
  number: string;
  systemId: string;
  systemName: string;
  type: ModificationType;
  title: string;
  description: string;
  department: string;
  submittedBy: ModActor;
  submittedAt: number;
  calendar: CalendarSpec;
  /** From the SLA policy (S3, S17), in milliseconds and working days, so tests can shrink them. */
  deliveryBudgetMs: number;
  acceptanceAfterWorkingDays: number;
  /** Free maintenance after acceptance: calendar months (the contract: 2), or a duration (tests). */
  maintenance: { months: number } | { ms: number };
  maintenanceNoticeMs: number;
  warningFractions: number[];
  policyVersion: number;
}

export type ModificationLifecycleCommand =
  | { action: 'assess'; actor: ModActor; feasible: boolean; effortDays: number; schemaChange: boolean; linkedChangeId: string | null; note: string | null }
  | { action: 'link_change'; actor: ModActor; linkedChangeId: string; note: string | null }
  | { action: 'approve_scope'; actor: ModActor; comment: string | null }
  | { action: 'reject_scope'; actor: ModActor; comment: string }
  | { action: 'deliver'; actor: ModActor; note: string | null; linkedChangeApproved: boolean }
  | { action: 'request_acceptance'; actor: ModActor; note: string | null }
  | { action: 'accept'; actor: ModActor; comment: string | null }
  | { action: 'reject_acceptance'; actor: ModActor; comment: string }
  | { action: 'cancel'; actor: ModActor; reason: string };
export type ModificationAction = ModificationLifecycleCommand['action'];

/** A note on the timeline that changes nothing else: what the hospital wrote on its project-management platform (S15). */
export interface ModificationComment {
  action: 'comment';
  actor: ModActor;
  note: string;
  source?: string;
}

export type ModificationCommand = ModificationLifecycleCommand | ModificationComment;

export interface ModificationEvent {
  seq: number;
  type: ModificationAction | 'comment' | 'submitted' | 'delivery_warning' | 'delivery_breached' | 'maintenance_ending' | 'maintenance_ended';
  actor: ModActor | null;
  at: number;
  fromState: ModificationState | null;
  toState: ModificationState;
  note: string | null;
  data: Record<string, unknown>;
}

export interface ModificationView {
  modificationId: string;
  number: string;
  systemId: string;
  type: ModificationType;
  title: string;
  /** Carried so the workflow can write the request's row by itself (the API starts the workflow first). */
  description?: string;
  department?: string;
  submittedBy?: ModActor;
  submittedAt?: number;
  state: ModificationState;
  assessment: { feasible: boolean; effortDays: number; schemaChange: boolean; linkedChangeId: string | null } | null;
  delivery: ClockView;
  liveAt: number | null;
  acceptanceEligibleAt: number | null;
  acceptedAt: number | null;
  maintenanceEndsAt: number | null;
  allowedActions: ModificationAction[];
  events: ModificationEvent[];
  seq: number;
}

const ALLOWED: Record<ModificationAction, ModificationState[]> = {
  assess: ['submitted', 'assessed'],
  // S4 across processes: a schema-changing modification may get (or change) its reviewed change after assessment.
  link_change: ['assessed', 'approved'],
  approve_scope: ['assessed'],
  reject_scope: ['assessed'],
  deliver: ['approved'],
  request_acceptance: ['live'],
  accept: ['acceptance_requested'],
  reject_acceptance: ['acceptance_requested'],
  cancel: ['submitted', 'assessed', 'approved'],
};
const NEXT: Record<ModificationAction, ModificationState | null> = {
  assess: 'assessed',
  link_change: null,
  approve_scope: 'approved',
  reject_scope: 'scope_rejected',
  deliver: 'live',
  request_acceptance: 'acceptance_requested',
  accept: 'accepted',
  reject_acceptance: 'live',
  cancel: 'cancelled',
};

const VENDOR_WORK: readonly Role[] = ['engineer', 'project_manager'];
/** Who may take each action (the administrator always may); the API's role checks and the Update validator read it. */
export const MODIFICATION_ACTION_ROLES: Record<ModificationAction, readonly Role[]> = {
  assess: VENDOR_WORK,
  link_change: VENDOR_WORK,
  approve_scope: HOSPITAL_SIDE,
  reject_scope: HOSPITAL_SIDE,
  deliver: VENDOR_WORK,
  request_acceptance: VENDOR_WORK,
  // S15: the hospital's PM platform (its integration account) may accept, reject or cancel as the hospital.
  accept: [...HOSPITAL_SIDE, 'integration'],
  reject_acceptance: [...HOSPITAL_SIDE, 'integration'],
  cancel: ['dispatcher', 'it_manager', 'integration'],
};
export const MODIFICATION_ACTIONS = Object.keys(ALLOWED) as ModificationAction[];

/** What the rules need beyond the modification itself: the time, and whether its linked change is approved (another process). */
export interface ModificationContext {
  at: number;
  linkedChangeApproved: boolean;
}

/** Why `action` cannot be taken now (English, zh-CN), or null: the one rule `check` and `modificationActionsFor` share. */
function refusal(
  v: Pick<ModificationView, 'state' | 'assessment' | 'acceptanceEligibleAt'>,
  action: ModificationAction,
  ctx: ModificationContext,
  offsetMinutes: number,
): { en: string; zh?: string } | null {
  if (!ALLOWED[action].includes(v.state)) return { en: `cannot ${action} a modification that is ${v.state}` };
  if (action === 'link_change' && !v.assessment?.schemaChange) return { en: 'the assessment found no schema change to review', zh: '评估结论不涉及数据库结构变更，无需关联变更' };
  if (action === 'deliver' && v.assessment?.schemaChange && !ctx.linkedChangeApproved) {
    return v.assessment.linkedChangeId
      ? { en: 'it changes the database schema: its linked change must be approved first (S4)', zh: '该需求涉及数据库结构变更：关联的变更须先获批准（S4）' }
      : { en: 'it changes the database schema: link its change (link_change) and have it approved first (S4)', zh: '该需求涉及数据库结构变更：须先关联变更（link_change）并获批准（S4）' };
  }
  if (action === 'request_acceptance' && v.acceptanceEligibleAt !== null && ctx.at < v.acceptanceEligibleAt) {
    // Times in messages are in the contract's zone, as people read them, not UTC.
    const from = formatInZone(v.acceptanceEligibleAt, offsetMinutes);
    return { en: `acceptance may be requested from ${from} (7 working days after go-live)`, zh: `上线满 7 个工作日后方可申请验收：${from} 起` };
  }
  return null;
}

/**
 * The actions a modification allows now, for `actor` when given: exactly what the Update validator accepts
 * (payloads aside), so `allowedActions` never lists a 409 or 403.
 */
export function modificationActionsFor(
  v: Pick<ModificationView, 'state' | 'assessment' | 'acceptanceEligibleAt'>,
  ctx: ModificationContext,
  actor?: { roles?: readonly string[] },
  offsetMinutes = 480,
): ModificationAction[] {
  return MODIFICATION_ACTIONS.filter((a) => refusal(v, a, ctx, offsetMinutes) === null && (!actor || holdsAny(actor.roles, MODIFICATION_ACTION_ROLES[a])));
}

export class ModificationProcess {
  private state: ModificationState = 'submitted';
  private clock: SlaClock;
  private assessment: ModificationView['assessment'] = null;
  private liveAt: number | null = null;
  private acceptedAt: number | null = null;
  private events: ModificationEvent[] = [];
  private seq = 0;
  private noticeSent = false;
  private readonly calendar: WorkingCalendar;

  constructor(private readonly input: ModificationInput) {
    this.calendar = new WorkingCalendar(input.calendar);
    this.clock = startClock({
      kind: 'delivery',
      basis: 'wall',
      budgetMs: input.deliveryBudgetMs,
      policyVersion: input.policyVersion,
      warningFractions: input.warningFractions,
      at: input.submittedAt,
    });
    this.record('submitted', input.submittedBy, input.submittedAt, null, null, { type: input.type, department: input.department });
  }

  get current(): ModificationState {
    return this.state;
  }

  get terminal(): boolean {
    return ['closed', 'scope_rejected', 'cancelled'].includes(this.state);
  }

  allowedActions(): ModificationAction[] {
    return (Object.keys(ALLOWED) as ModificationAction[]).filter((a) => ALLOWED[a].includes(this.state));
  }

  /** S17: acceptance may be requested from 7 working days after go-live. */
  acceptanceEligibleAt(): number | null {
    return this.liveAt === null ? null : this.calendar.addWorkingDays(this.liveAt, this.input.acceptanceAfterWorkingDays);
  }

  maintenanceEndsAt(): number | null {
    if (this.acceptedAt === null) return null;
    const m = this.input.maintenance;
    return 'months' in m ? addCalendarMonths(this.acceptedAt, m.months, this.input.calendar.utcOffsetMinutes) : this.acceptedAt + m.ms;
  }

  check(command: ModificationCommand, at: number): void {
    if (command.action === 'comment') {
      if (this.terminal) throw illegal(this.state, `cannot comment on a modification that is ${this.state}`, this.allowedActions());
      return;
    }
    const ctx: ModificationContext = { at, linkedChangeApproved: command.action === 'deliver' && command.linkedChangeApproved };
    const view = { state: this.state, assessment: this.assessment, acceptanceEligibleAt: this.acceptanceEligibleAt() };
    const refused = refusal(view, command.action, ctx, this.input.calendar.utcOffsetMinutes);
    if (refused) {
      const allowed = modificationActionsFor(view, ctx, command.actor.roles ? command.actor : undefined, this.input.calendar.utcOffsetMinutes);
      const stateRule = !ALLOWED[command.action].includes(this.state);
      throw illegal(this.state, stateRule ? `${refused.en}; allowed: ${allowed.join(', ') || 'none'}` : refused.en, allowed, refused.zh);
    }
  }

  /**
   * The Update validator: who may (MODIFICATION_ACTION_ROLES), then `check`. Validators never run in a replay.
   * A comment (a note from the hospital's PM platform, S15) changes nothing and needs no role.
   */
  validate(command: ModificationCommand, at: number): void {
    if (command.action !== 'comment') {
      const roles = MODIFICATION_ACTION_ROLES[command.action];
      if (!holdsAny(command.actor.roles, roles)) throw forbidden(`${command.action} needs one of the roles: ${['admin', ...roles].join(', ')}`);
    }
    this.check(command, at);
  }

  apply(command: ModificationCommand, at: number): ModificationEvent {
    this.check(command, at);
    if (command.action === 'comment') return this.record('comment', command.actor, at, this.state, command.note, command.source ? { source: command.source } : {});
    const from = this.state;
    this.state = NEXT[command.action] ?? this.state;
    let note: string | null = null;
    const data: Record<string, unknown> = {};
    switch (command.action) {
      case 'assess':
        this.assessment = { feasible: command.feasible, effortDays: command.effortDays, schemaChange: command.schemaChange, linkedChangeId: command.linkedChangeId };
        Object.assign(data, this.assessment);
        note = command.note;
        break;
      case 'link_change':
        data.from = this.assessment!.linkedChangeId;
        data.to = command.linkedChangeId;
        this.assessment = { ...this.assessment!, linkedChangeId: command.linkedChangeId };
        note = command.note;
        break;
      case 'deliver':
        this.clock = stopClock(this.clock, this.calendar, at);
        this.liveAt = at;
        note = command.note;
        break;
      case 'accept':
        this.acceptedAt = at;
        note = command.comment;
        data.maintenanceEndsAt = this.maintenanceEndsAt();
        break;
      case 'cancel':
        this.clock = stopClock(this.clock, this.calendar, at);
        note = command.reason;
        break;
      case 'reject_scope':
        this.clock = stopClock(this.clock, this.calendar, at);
        note = command.comment;
        break;
      case 'approve_scope':
        note = command.comment;
        break;
      case 'reject_acceptance':
        note = command.comment;
        break;
      case 'request_acceptance':
        note = command.note;
        break;
    }
    return this.record(command.action, { id: command.actor.id, name: command.actor.name }, at, from, note, data);
  }

  nextWakeAt(): number | null {
    const times: number[] = [];
    const clockNext = nextEventAt(this.clock, this.calendar);
    if (clockNext !== null) times.push(clockNext);
    const ends = this.maintenanceEndsAt();
    if (ends !== null && this.state === 'accepted') {
      if (!this.noticeSent) times.push(ends - this.input.maintenanceNoticeMs);
      times.push(ends);
    }
    return times.length ? Math.min(...times) : null;
  }

  /** Delivery warnings and breach (S3, S11), and the end of free maintenance with a notice before it. */
  tick(at: number): { events: ModificationEvent[]; fired: ClockEvent[] } {
    const fired = dueEvents(this.clock, this.calendar, at);
    this.clock = markFired(this.clock, fired);
    const events = fired.map((e) =>
      this.record(e.type === 'breach' ? 'delivery_breached' : 'delivery_warning', null, e.type === 'breach' ? e.at : at, this.state, null, {
        deadline: e.deadline,
        ...(e.type === 'warning' ? { fraction: e.fraction } : {}),
      }),
    );
    const ends = this.maintenanceEndsAt();
    if (ends !== null && this.state === 'accepted') {
      if (!this.noticeSent && at >= ends - this.input.maintenanceNoticeMs) {
        this.noticeSent = true;
        events.push(this.record('maintenance_ending', null, at, this.state, null, { endsAt: ends }));
      }
      if (at >= ends) {
        const from = this.state;
        this.state = 'closed';
        events.push(this.record('maintenance_ended', null, ends, from, null, { endedAt: ends }));
      }
    }
    return { events, fired };
  }

  view(at: number): ModificationView {
    return {
      modificationId: this.input.modificationId,
      number: this.input.number,
      systemId: this.input.systemId,
      type: this.input.type,
      title: this.input.title,
      description: this.input.description,
      department: this.input.department,
      submittedBy: { id: this.input.submittedBy.id, name: this.input.submittedBy.name },
      submittedAt: this.input.submittedAt,
      state: this.state,
      assessment: this.assessment,
      delivery: viewClock(this.clock, this.calendar, at),
      liveAt: this.liveAt,
      acceptanceEligibleAt: this.acceptanceEligibleAt(),
      acceptedAt: this.acceptedAt,
      maintenanceEndsAt: this.maintenanceEndsAt(),
      allowedActions: this.allowedActions(),
      events: this.events,
      seq: this.seq,
    };
  }

  private record(
    type: ModificationEvent['type'],
    actor: ModActor | null,
    at: number,
    from: ModificationState | null,
    note: string | null,
    data: Record<string, unknown> = {},
  ): ModificationEvent {
    this.seq += 1;
    const e: ModificationEvent = { seq: this.seq, type, actor, at, fromState: from, toState: this.state, note, data };
    this.events = [...this.events, e];
    return e;
  }
}
