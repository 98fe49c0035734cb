import { DomainError, DomainErrorCode } from '../errors';
import { Role, holdsAny } from '../roles';

/**
 * Support requests (S6): report exports, data clean-ups and the like are their own tickets with their own clock
 * (default 2 working days on the China calendar; the policy per type is data), not incidents. submitted →
 * in_progress → fulfilled → confirmed by the requesting side (or reopened); cancelled ends one that is not needed.
 * A request that touches data is fulfilled only through a change that was carried out (S4). Pure.
 */
export const SUPPORT_TYPES = ['report_export', 'data_cleanup', 'data_fix', 'account_permission', 'configuration', 'other'] as const;
export type SupportType = (typeof SUPPORT_TYPES)[number];

export const SUPPORT_TYPE_ZH: Record<SupportType, string> = {
  report_export: '报表导出',
  data_cleanup: '数据清理',
  data_fix: '数据修正',
  account_permission: '账号与权限',
  configuration: '参数配置',
  other: '其他服务请求',
};

export interface SupportPolicy {
  type: SupportType;
  /** The clock's budget in working days of the contract calendar. */
  workingDays: number;
  /** Whether fulfilling it changes data: then it goes through a change. */
  touchesData: boolean;
}

export const DEFAULT_SUPPORT_POLICIES: readonly SupportPolicy[] = SUPPORT_TYPES.map((type) => ({
  type,
  workingDays: 2,
  touchesData: type === 'data_cleanup' || type === 'data_fix',
}));

export const SUPPORT_STATES = ['submitted', 'in_progress', 'fulfilled', 'confirmed', 'cancelled'] as const;
export type SupportState = (typeof SUPPORT_STATES)[number];

export const SUPPORT_STATE_ZH: Record<SupportState, string> = { submitted: '待受理', in_progress: '处理中', fulfilled: '已完成待确认', confirmed: '已确认', cancelled: '已撤销' };

export const SUPPORT_ACTIONS = ['accept', 'link_change', 'fulfil', 'confirm', 'reopen', 'cancel'] as const;
export type SupportAction = (typeof SUPPORT_ACTIONS)[number];

const ALLOWED: Record<SupportAction, readonly SupportState[]> = {
  accept: ['submitted'],
  link_change: ['submitted', 'in_progress'],
  fulfil: ['in_progress'],
  confirm: ['fulfilled'],
  reopen: ['fulfilled'],
  cancel: ['submitted', 'in_progress'],
};
const TARGET: Partial<Record<SupportAction, SupportState>> = { accept: 'in_progress', fulfil: 'fulfilled', confirm: 'confirmed', reopen: 'in_progress', cancel: 'cancelled' };

const VENDOR_WORK: readonly Role[] = ['engineer', 'project_manager'];
const REQUESTERS: readonly Role[] = ['dispatcher', 'it_manager', 'reviewer', 'integration'];

export const SUPPORT_ACTION_ROLES: Record<SupportAction, readonly Role[]> = {
  accept: VENDOR_WORK,
  link_change: VENDOR_WORK,
  fulfil: VENDOR_WORK,
  confirm: REQUESTERS,
  reopen: REQUESTERS,
  cancel: ['dispatcher', 'it_manager', 'project_manager'],
};
/** The hospital side asks (and the vendor's PM may log a request it received by phone). */
export const SUPPORT_REQUESTERS: readonly Role[] = [...REQUESTERS, 'project_manager'];
/** The share of a request's working-time budget at which its assignee and the project manager are warned. */
export const SUPPORT_WARNING_FRACTION = 0.75;
export const CHANGE_DONE_STATES = ['implemented', 'verified', 'closed'] as const;

export interface SupportActor {
  id: string;
  name: string;
  roles?: readonly string[];
}
export interface ChangeRef {
  id: string;
  number: string;
  state: string;
}

export interface SupportInput {
  requestId: string;
  number: string;
  systemId: string;
  type: SupportType;
  title: string;
  description: string;
  requester: { name: string; department: string };
  submittedAt: number;
  submittedBy: SupportActor;
  /** When the clock runs out, computed by the calendar from the policy at submission. */
  dueAt: number;
  /**
   * When the warning falls due (SUPPORT_WARNING_FRACTION of the budget, by the same calendar), and the system's
   * name for the notices; both absent in requests opened before clock notices.
   */
  warnAt?: number;
  systemName?: string;
  policy: SupportPolicy;
  openedOnRecord?: boolean;
}

export type SupportCommand =
  | { action: 'accept'; actor: SupportActor; note?: string }
  | { action: 'link_change'; actor: SupportActor; change: ChangeRef }
  | { action: 'fulfil'; actor: SupportActor; result: string; change?: ChangeRef }
  | { action: 'confirm'; actor: SupportActor; note?: string }
  | { action: 'reopen'; actor: SupportActor; reason: string }
  | { action: 'cancel'; actor: SupportActor; reason: string };
export type SupportCommandBody = SupportCommand extends infer C ? (C extends unknown ? Omit<C, 'actor'> : never) : never;

export interface SupportEvent {
  seq: number;
  type: SupportAction | 'submitted' | 'breached';
  actor: { id: string; name: string } | null;
  at: number;
  fromState: SupportState | null;
  toState: SupportState;
  note: string | null;
  data: Record<string, unknown>;
}

export interface SupportView {
  requestId: string;
  number: string;
  systemId: string;
  type: SupportType;
  title: string;
  description: string;
  requester: { name: string; department: string };
  state: SupportState;
  submittedAt: number;
  dueAt: number;
  policy: SupportPolicy;
  fulfilledAt: number | null;
  fulfilledBy: { id: string; name: string } | null;
  result: string | null;
  change: ChangeRef | null;
  breached: boolean;
  confirmedAt: number | null;
  allowedActions: SupportAction[];
  seq: number;
}

export const supportAllowedActions = (s: SupportState): SupportAction[] => SUPPORT_ACTIONS.filter((a) => ALLOWED[a].includes(s));
export const isSupportTerminal = (s: SupportState): boolean => s === 'confirmed' || s === 'cancelled';

const strip = (a: SupportActor) => ({ id: a.id, name: a.name });

function refuse(state: SupportState, action: SupportAction, en: string, zh: string): DomainError {
  return new DomainError(DomainErrorCode.IllegalTransition, en, { state, action, allowedActions: supportAllowedActions(state) }, zh);
}

export class SupportProcess {
  private s: Omit<SupportView, 'allowedActions'>;
  private readonly submittedBy: SupportActor;
  private readonly warnAt: number | null;
  private warned = false;
  private acceptedBy: { id: string; name: string } | null = null;

  constructor(input: SupportInput) {
    this.submittedBy = input.submittedBy;
    this.warnAt = typeof input.warnAt === 'number' && input.warnAt < input.dueAt ? input.warnAt : null;
    this.s = {
      requestId: input.requestId,
      number: input.number,
      systemId: input.systemId,
      type: input.type,
      title: input.title,
      description: input.description,
      requester: input.requester,
      state: 'submitted',
      submittedAt: input.submittedAt,
      dueAt: input.dueAt,
      policy: input.policy,
      fulfilledAt: null,
      fulfilledBy: null,
      result: null,
      change: null,
      breached: false,
      confirmedAt: null,
      seq: 0,
    };
  }

  get state(): SupportState {
    return this.s.state;
  }

  opened(): SupportEvent {
    return { seq: 0, type: 'submitted', actor: strip(this.submittedBy), at: this.s.submittedAt, fromState: null, toState: 'submitted', note: null, data: { dueAt: this.s.dueAt, policy: this.s.policy } };
  }

  view(): SupportView {
    return { ...this.s, allowedActions: supportAllowedActions(this.s.state) };
  }

  /** Who took the request on (the last to accept it): the clock's notices go to them. */
  get assignee(): { id: string; name: string } | null {
    return this.acceptedBy;
  }

  /** The clock's end while it runs (not yet fulfilled, not breached), else null; with `withWarning`, its warning first. */
  nextWakeAt(withWarning = false): number | null {
    const running = this.s.state === 'submitted' || this.s.state === 'in_progress';
    if (!running || this.s.breached) return null;
    return withWarning && this.warnAt !== null && !this.warned ? this.warnAt : this.s.dueAt;
  }

  /** The warning, once, when the clock passed its warning point and is still running unbreached; else null. */
  warning(now: number): { at: number; fraction: number } | null {
    const running = this.s.state === 'submitted' || this.s.state === 'in_progress';
    if (this.warnAt === null || this.warned || !running || this.s.breached || now < this.warnAt) return null;
    this.warned = true;
    return { at: this.warnAt, fraction: SUPPORT_WARNING_FRACTION };
  }

  /** The breach, once, when the clock ran out before fulfilment (S6, S11). */
  tick(now: number): SupportEvent | null {
    const due = this.nextWakeAt();
    if (due === null || now < due) return null;
    this.s.breached = true;
    this.s.seq++;
    return { seq: this.s.seq, type: 'breached', actor: null, at: due, fromState: this.s.state, toState: this.s.state, note: null, data: { dueAt: due } };
  }

  validate(c: SupportCommand): void {
    const st = this.s.state;
    if (!ALLOWED[c.action].includes(st)) {
      throw refuse(st, c.action, `cannot ${c.action} a support request that is ${st}`, `服务请求当前状态（${SUPPORT_STATE_ZH[st]}）不允许此操作；可执行：${supportAllowedActions(st).join('、') || '无'}`);
    }
    if (c.actor.roles !== undefined && !holdsAny(c.actor.roles, SUPPORT_ACTION_ROLES[c.action])) {
      throw new DomainError(DomainErrorCode.Forbidden, `${c.action} needs one of: ${SUPPORT_ACTION_ROLES[c.action].join(', ')}`, { action: c.action }, `此操作需要以下角色之一：${SUPPORT_ACTION_ROLES[c.action].join('、')}`);
    }
    const text = (field: string, v: string) => {
      if (!v.trim()) throw new DomainError(DomainErrorCode.InvalidInput, `${field} must not be empty`, { field, reason: 'must not be empty' }, `${field} 不能为空`);
    };
    if (c.action === 'fulfil') {
      text('result', c.result);
      const change = c.change ?? this.s.change;
      if (this.s.policy.touchesData) {
        // S4, S6: data is changed through a reviewed change, carried out before the request counts as done.
        if (!change) throw refuse(st, c.action, 'this request changes data: link the change that does it first', '此请求涉及数据修改：请先关联对应的变更');
        if (!(CHANGE_DONE_STATES as readonly string[]).includes(change.state)) {
          throw refuse(st, c.action, `change ${change.number} is ${change.state}; fulfil once it is implemented`, `变更 ${change.number} 尚未实施（${change.state}），实施后方可完成`);
        }
      }
    }
    if (c.action === 'reopen') text('reason', c.reason);
    if (c.action === 'cancel') text('reason', c.reason);
  }

  apply(c: SupportCommand, now: number): SupportEvent {
    this.validate(c);
    const from = this.s.state;
    let note: string | null = null;
    const data: Record<string, unknown> = {};
    switch (c.action) {
      case 'accept':
      case 'confirm':
        note = c.note ?? null;
        if (c.action === 'accept') this.acceptedBy = strip(c.actor);
        if (c.action === 'confirm') this.s.confirmedAt = now;
        break;
      case 'link_change':
        this.s.change = c.change;
        data.change = c.change;
        break;
      case 'fulfil':
        if (c.change) this.s.change = c.change;
        this.s.result = c.result.trim();
        this.s.fulfilledAt = now;
        this.s.fulfilledBy = strip(c.actor);
        note = this.s.result;
        data.met = now <= this.s.dueAt;
        break;
      case 'reopen':
        // The requester says it is not done: the clock runs on from where it stood.
        this.s.fulfilledAt = null;
        this.s.fulfilledBy = null;
        note = c.reason;
        break;
      case 'cancel':
        note = c.reason;
        break;
    }
    this.s.state = TARGET[c.action] ?? from;
    this.s.seq++;
    return { seq: this.s.seq, type: c.action, actor: strip(c.actor), at: now, fromState: from, toState: this.s.state, note, data };
  }
}
