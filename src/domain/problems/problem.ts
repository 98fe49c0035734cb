import { DomainError, DomainErrorCode } from '../errors';
import { Role, holdsAny } from '../roles';

/**
 * Problem management (S1): a problem is the cause behind recurring incidents. proposed (found by itself from
 * recurring faults, or raised by hand) → investigating → root_cause_identified → known_error (with a workaround)
 * → fixed (by a change that was implemented) → closed; a proposal that is no problem is rejected. Incidents are
 * linked to it as they recur. Pure: the workflow holds one ProblemProcess; the API and the validators read the tables.
 */
export const PROBLEM_STATES = ['proposed', 'investigating', 'root_cause_identified', 'known_error', 'fixed', 'closed', 'rejected'] as const;
export type ProblemState = (typeof PROBLEM_STATES)[number];

export const PROBLEM_ACTIONS = ['accept', 'reject', 'record_root_cause', 'record_workaround', 'link_change', 'mark_fixed', 'close', 'link_incident'] as const;
export type ProblemAction = (typeof PROBLEM_ACTIONS)[number];

export const PROBLEM_STATE_ZH: Record<ProblemState, string> = {
  proposed: '待确认',
  investigating: '调查中',
  root_cause_identified: '已查明根因',
  known_error: '已知错误',
  fixed: '已修复',
  closed: '已关闭',
  rejected: '已驳回',
};

const OPEN: ProblemState[] = ['proposed', 'investigating', 'root_cause_identified', 'known_error', 'fixed'];

const ALLOWED: Record<ProblemAction, readonly ProblemState[]> = {
  accept: ['proposed'],
  reject: ['proposed', 'investigating'],
  // A root cause or workaround may be revised while the problem stays in that stage.
  record_root_cause: ['investigating', 'root_cause_identified'],
  record_workaround: ['root_cause_identified', 'known_error'],
  link_change: ['root_cause_identified', 'known_error'],
  mark_fixed: ['known_error'],
  close: ['fixed'],
  link_incident: OPEN,
};

const TARGET: Partial<Record<ProblemAction, ProblemState>> = {
  accept: 'investigating',
  reject: 'rejected',
  record_root_cause: 'root_cause_identified',
  record_workaround: 'known_error',
  mark_fixed: 'fixed',
  close: 'closed',
};

const VENDOR_WORK: readonly Role[] = ['engineer', 'project_manager', 'quality_manager'];
const DECIDERS: readonly Role[] = ['project_manager', 'quality_manager', 'it_manager'];

/** Who may take each action (the administrator always may): the API's role checks and the Update validator read it. */
export const PROBLEM_ACTION_ROLES: Record<ProblemAction, readonly Role[]> = {
  accept: DECIDERS,
  reject: DECIDERS,
  record_root_cause: VENDOR_WORK,
  record_workaround: VENDOR_WORK,
  link_change: VENDOR_WORK,
  mark_fixed: VENDOR_WORK,
  close: DECIDERS,
  // Wardline's own detector links recurrences as the system (no roles); people link by hand.
  link_incident: [...VENDOR_WORK, 'dispatcher', 'integration'],
};

/** Who may raise a problem by hand. */
export const PROBLEM_CREATORS: readonly Role[] = ['engineer', 'project_manager', 'quality_manager', 'dispatcher', 'it_manager'];

/** Changes whose work is done: a problem is fixed only by one of these. */
export const CHANGE_DONE_STATES = ['implemented', 'verified', 'closed'] as const;

export interface ProblemActor {
  id: string;
  name: string;
  roles?: readonly string[];
}

export interface IncidentRef {
  id: string;
  number: string;
}

export interface ChangeRef {
  id: string;
  number: string;
  state: string;
}

/** Why the problem exists: found from recurring faults (which rule, which key), or raised by someone. */
export type ProblemOrigin = { kind: 'recurrence'; rule: string; key: string; summary: string } | { kind: 'manual' };

export interface ProblemInput {
  problemId: string;
  number: string;
  systemId: string;
  systemName: string;
  title: string;
  description: string;
  origin: ProblemOrigin;
  incidents: IncidentRef[];
  openedAt: number;
  openedBy: ProblemActor;
  /** The opening (row and first event) was written with the outbox entry that started the workflow. */
  openedOnRecord?: boolean;
}

export type ProblemCommand =
  | { action: 'accept'; actor: ProblemActor; note?: string }
  | { action: 'reject'; actor: ProblemActor; reason: string }
  | { action: 'record_root_cause'; actor: ProblemActor; rootCause: string }
  | { action: 'record_workaround'; actor: ProblemActor; workaround: string }
  | { action: 'link_change'; actor: ProblemActor; change: ChangeRef }
  | { action: 'mark_fixed'; actor: ProblemActor; change?: ChangeRef; note?: string }
  | { action: 'close'; actor: ProblemActor; note?: string }
  | { action: 'link_incident'; actor: ProblemActor; incident: IncidentRef };

export type ProblemCommandBody = ProblemCommand extends infer C ? (C extends unknown ? Omit<C, 'actor'> : never) : never;

export interface ProblemEvent {
  seq: number;
  type: ProblemAction | 'opened';
  actor: { id: string; name: string } | null;
  at: number;
  fromState: ProblemState | null;
  toState: ProblemState;
  note: string | null;
  data: Record<string, unknown>;
}

export interface ProblemView {
  problemId: string;
  number: string;
  systemId: string;
  title: string;
  description: string;
  origin: ProblemOrigin;
  state: ProblemState;
  rootCause: string | null;
  workaround: string | null;
  changes: ChangeRef[];
  fixedBy: ChangeRef | null;
  incidents: IncidentRef[];
  openedAt: number;
  closedAt: number | null;
  allowedActions: ProblemAction[];
  seq: number;
}

export function problemAllowedActions(state: ProblemState): ProblemAction[] {
  return PROBLEM_ACTIONS.filter((a) => ALLOWED[a].includes(state));
}

export const isProblemTerminal = (s: ProblemState): boolean => s === 'closed' || s === 'rejected';

function illegal(state: ProblemState, action: ProblemAction): DomainError {
  const allowed = problemAllowedActions(state);
  return new DomainError(
    DomainErrorCode.IllegalTransition,
    `cannot ${action} a problem that is ${state}; allowed: ${allowed.join(', ') || 'none'}`,
    { state, action, allowedActions: allowed },
    `问题单当前状态（${PROBLEM_STATE_ZH[state]}）不允许此操作；可执行：${allowed.join('、') || '无'}`,
  );
}

const strip = (a: ProblemActor) => ({ id: a.id, name: a.name });

export class ProblemProcess {
  private s: Omit<ProblemView, 'allowedActions'>;

  constructor(input: ProblemInput) {
    this.s = {
      problemId: input.problemId,
      number: input.number,
      systemId: input.systemId,
      title: input.title,
      description: input.description,
      origin: input.origin,
      // Raised by hand: someone already judged it a problem, so it is investigated at once.
      state: input.origin.kind === 'manual' ? 'investigating' : 'proposed',
      rootCause: null,
      workaround: null,
      changes: [],
      fixedBy: null,
      incidents: [...input.incidents],
      openedAt: input.openedAt,
      closedAt: null,
      seq: 0,
    };
    this.openedBy = input.openedBy;
  }

  private readonly openedBy: ProblemActor;

  get state(): ProblemState {
    return this.s.state;
  }

  opened(): ProblemEvent {
    return {
      seq: 0,
      type: 'opened',
      actor: strip(this.openedBy),
      at: this.s.openedAt,
      fromState: null,
      toState: this.s.state,
      note: this.s.origin.kind === 'recurrence' ? this.s.origin.summary : null,
      data: { origin: this.s.origin, incidents: this.s.incidents.map((i) => i.number) },
    };
  }

  view(): ProblemView {
    return { ...this.s, changes: [...this.s.changes], incidents: [...this.s.incidents], allowedActions: problemAllowedActions(this.s.state) };
  }

  /** Throws the DomainError the API answers with (409 illegal, 403 not theirs, 400 a rule of the command). */
  validate(c: ProblemCommand): void {
    if (!ALLOWED[c.action].includes(this.s.state)) throw illegal(this.s.state, c.action);
    if (c.actor.roles !== undefined && !holdsAny(c.actor.roles, PROBLEM_ACTION_ROLES[c.action])) {
      throw new DomainError(DomainErrorCode.Forbidden, `${c.action} needs one of: ${PROBLEM_ACTION_ROLES[c.action].join(', ')}`, { action: c.action }, `此操作需要以下角色之一：${PROBLEM_ACTION_ROLES[c.action].join('、')}`);
    }
    const text = (field: string, v: string | undefined) => {
      if (!v || !v.trim()) throw new DomainError(DomainErrorCode.InvalidInput, `${field} must not be empty`, { field, reason: 'must not be empty' }, `${field} 不能为空`);
    };
    if (c.action === 'reject') text('reason', c.reason);
    if (c.action === 'record_root_cause') text('rootCause', c.rootCause);
    if (c.action === 'record_workaround') text('workaround', c.workaround);
    if (c.action === 'mark_fixed') {
      const change = c.change ?? this.s.changes[this.s.changes.length - 1];
      // S1: fixed means fixed by a change that was carried out, not by someone's word.
      if (!change) {
        throw new DomainError(DomainErrorCode.IllegalTransition, 'a problem is fixed by a change: link one first', { state: this.s.state, action: c.action, allowedActions: problemAllowedActions(this.s.state) }, '问题须由变更修复：请先关联变更');
      }
      if (!(CHANGE_DONE_STATES as readonly string[]).includes(change.state)) {
        throw new DomainError(
          DomainErrorCode.IllegalTransition,
          `change ${change.number} is ${change.state}; a problem is fixed by an implemented change`,
          { state: this.s.state, action: c.action, changeState: change.state, allowedActions: problemAllowedActions(this.s.state) },
          `变更 ${change.number} 尚未实施（${change.state}），问题须由已实施的变更修复`,
        );
      }
    }
    if (c.action === 'link_incident' && this.s.incidents.some((i) => i.id === c.incident.id)) {
      throw new DomainError(DomainErrorCode.IllegalTransition, `incident ${c.incident.number} is linked already`, { state: this.s.state, action: c.action, allowedActions: problemAllowedActions(this.s.state) }, `工单 ${c.incident.number} 已关联`);
    }
  }

  apply(c: ProblemCommand, now: number): ProblemEvent {
    this.validate(c);
    const from = this.s.state;
    const to = TARGET[c.action] ?? from;
    let note: string | null = null;
    const data: Record<string, unknown> = {};
    switch (c.action) {
      case 'accept':
      case 'close':
        note = c.note ?? null;
        break;
      case 'reject':
        note = c.reason;
        break;
      case 'record_root_cause':
        this.s.rootCause = c.rootCause.trim();
        note = this.s.rootCause;
        break;
      case 'record_workaround':
        this.s.workaround = c.workaround.trim();
        note = this.s.workaround;
        break;
      case 'link_change':
        if (!this.s.changes.some((x) => x.id === c.change.id)) this.s.changes.push(c.change);
        data.change = c.change;
        break;
      case 'mark_fixed': {
        const change = c.change ?? this.s.changes[this.s.changes.length - 1];
        if (!this.s.changes.some((x) => x.id === change.id)) this.s.changes.push(change);
        this.s.fixedBy = change;
        note = c.note ?? null;
        data.change = change;
        break;
      }
      case 'link_incident':
        this.s.incidents.push(c.incident);
        data.incident = c.incident;
        break;
    }
    this.s.state = to;
    if (isProblemTerminal(to)) this.s.closedAt = now;
    this.s.seq++;
    return { seq: this.s.seq, type: c.action, actor: strip(c.actor), at: now, fromState: from, toState: to, note, data };
  }
}
