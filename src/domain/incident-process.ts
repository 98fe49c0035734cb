import { WorkingCalendar } from './calendar';
import { DomainError, DomainErrorCode } from './errors';
import {
  Channel,
  INCIDENT_ACTIONS,
  INCIDENT_ACTION_ROLES,
  IncidentAction,
  IncidentState,
  ResolutionCategory,
  allowedActions,
  isTerminal,
  nextState,
} from './incident';
import {
  ClockEvent,
  ClockView,
  SlaClock,
  dueEvents,
  markFired,
  nextEventAt,
  pauseClock,
  rebudgetClock,
  restartClock,
  resumeClock,
  startClock,
  stopClock,
  timeAtShare,
  viewClock,
} from './sla-clock';
import { EscalationTrigger } from './escalation';
import { AlertGroupNews, AlertNote } from './alerts/news';
import { SEVERITY_LABELS } from './alerts/alert';
import { morePressing } from './alerts/priority';
import { Priority, SlaPolicy, Tier, escalationPolicyOf, incidentBudgets } from './sla-policy';
import { CalendarSpec } from './calendar';
import { holdsAny } from './roles';

export interface Actor {
  id: string;
  name: string;
  /** The signed-in person's roles, which Update validators check (INCIDENT_ACTION_ROLES); not kept in the record. */
  roles?: readonly string[];
}

export interface Reporter {
  name: string;
  department: string;
  phone: string | null;
}

export interface Assignee {
  id: string;
  name: string;
}

export interface IncidentInput {
  incidentId: string;
  number: string;
  systemId: string;
  systemName: string;
  title: string;
  description: string;
  reporter: Reporter;
  priority: Priority;
  channel: Channel;
  reportedAt: number;
  openedBy: Actor;
  assignee: Assignee | null;
  policy: SlaPolicy;
  calendar: CalendarSpec;
  /**
   * True when the intake committed the opening (the row and the `opened` timeline event) with the outbox entry that
   * starts the workflow: the workflow does not project it again. Absent in workflows started before the intake.
   */
  openedOnRecord?: boolean;
}

/** The lifecycle's commands (P3, S10, S14): each is an IncidentAction the state machine allows or refuses. */
export type IncidentLifecycleCommand =
  | { action: 'acknowledge'; actor: Actor; note?: string }
  | { action: 'arrive'; actor: Actor; note?: string }
  | { action: 'resolve'; actor: Actor; cause: string; fix: string; category: ResolutionCategory; note?: string }
  | { action: 'confirm'; actor: Actor; note?: string }
  | { action: 'reopen'; actor: Actor; reason: string }
  | { action: 'close'; actor: Actor; note?: string }
  | { action: 'cancel'; actor: Actor; reason: string }
  | { action: 'assign'; actor: Actor; assignee: Assignee; note?: string }
  | { action: 'change_priority'; actor: Actor; priority: Priority; reason: string }
  | { action: 'pause_repair_clock'; actor: Actor; reason: string }
  | { action: 'request_repair_clock_pause'; actor: Actor; reason: string }
  | { action: 'confirm_repair_clock_pause'; actor: Actor; note?: string }
  | { action: 'decline_repair_clock_pause'; actor: Actor; reason: string }
  | { action: 'resume_repair_clock'; actor: Actor; note?: string }
  | { action: 'escalate'; actor: Actor; reason: string }
  | { action: 'confirm_recovery'; actor: Actor; note?: string };

/**
 * A note on the timeline that changes nothing else: what the hospital wrote on its project-management platform (S15).
 * Any open or resolved incident takes one; it is not a lifecycle action, so it is not listed among the allowed actions.
 */
export interface IncidentComment {
  action: 'comment';
  actor: Actor;
  note: string;
  /** Where it was written, e.g. `pm-platform:<integration>:<item>#<journal>`. */
  source?: string;
}

export type IncidentCommand = IncidentLifecycleCommand | IncidentComment;

/** A command as the API receives it, before the signed-in actor is added (Omit distributed over the union). */
export type IncidentCommandBody = IncidentLifecycleCommand extends infer C ? (C extends unknown ? Omit<C, 'actor'> : never) : never;

/** Timeline entries of an incident's alert group (P3). */
export type AlertEventType = 'alerts_fired' | 'alerts_resolved' | 'auto_recovered' | 'alert_refired';

/** The reason clocks paused when an incident recovered by itself; only those pauses end when it fires again. */
export const AUTO_RECOVERED = 'auto_recovered';

/** The maintenance record of a resolved incident (S14): cause, fix and category, by whom and when. */
export interface Resolution {
  cause: string;
  fix: string;
  category: ResolutionCategory;
  resolvedBy: Actor;
  resolvedAt: number;
}

export type IncidentClocks = { respond: SlaClock; on_site: SlaClock; repair: SlaClock };

/** The vendor escalation an incident started (S7); at most one runs at a time. */
export interface IncidentEscalation {
  workflowId: string;
  trigger: EscalationTrigger;
  startedAt: number;
  active: boolean;
}

/** What a vendor escalation reports back into the incident's timeline. */
export type VendorEventType =
  | 'escalation_level'
  | 'vendor_acknowledged'
  | 'vendor_arrived'
  | 'vendor_remote_session'
  | 'vendor_resolved'
  | 'vendor_promise_missed'
  | 'escalation_exhausted'
  | 'escalation_no_contacts'
  | 'escalation_ended';

export interface VendorEvent {
  type: VendorEventType;
  at: number;
  actor: Actor | null;
  note: string | null;
  data: Record<string, unknown>;
}

export interface IncidentRecord {
  incidentId: string;
  number: string;
  systemId: string;
  title: string;
  description: string;
  reporter: Reporter;
  openedBy: Actor;
  state: IncidentState;
  priority: Priority;
  tier: Tier;
  channel: Channel;
  reportedAt: number;
  assignee: Assignee | null;
  clocks: IncidentClocks;
  milestones: Partial<Record<'acknowledgedAt' | 'onSiteAt' | 'resolvedAt' | 'confirmedAt' | 'closedAt' | 'cancelledAt', number>>;
  resolution: Resolution | null;
  cancelReason: string | null;
  escalation: IncidentEscalation | null;
  escalationCount: number;
  /** S10: a pause of the repair clock the vendor's team asked for, waiting for the hospital to confirm or decline it. */
  pauseRequest?: { by: Actor; reason: string; at: number } | null;
  /** Sequence of the last timeline event: the projection applies an event only once, in order. */
  seq: number;
}

/** One timeline entry; written to the projection under (incidentId, seq), so a retried write is a no-op. */
export interface TimelineEvent {
  seq: number;
  type: IncidentAction | 'comment' | 'opened' | 'sla_warning' | 'sla_breached' | 'escalated' | VendorEventType | AlertEventType;
  actor: Actor | null;
  at: number;
  fromState: IncidentState | null;
  toState: IncidentState;
  note: string | null;
  data: Record<string, unknown>;
}

export interface IncidentView extends Omit<IncidentRecord, 'clocks'> {
  clocks: Record<keyof IncidentClocks, ClockView>;
  allowedActions: IncidentAction[];
  breached: boolean;
}

/** The actor of what the system does by itself (timers, automatic escalation, vendor events without a person). */
export const SYSTEM_ACTOR: Actor = { id: 'system', name: 'Wardline' };
/** Who did it, as the record keeps it: roles are for the checks, not for the evidence. */
const person = (a: Actor): Actor => ({ id: a.id, name: a.name });
const TAKES_OVER: readonly string[] = ['engineer', 'project_manager'];
const OPEN_STATES: IncidentState[] = ['reported', 'acknowledged', 'on_site', 'reopened'];

/** The incident's state and clocks; the workflow holds one and drives it with commands and timer ticks. */
export class IncidentProcess {
  private record: IncidentRecord;
  private readonly calendar: WorkingCalendar;

  constructor(private readonly input: IncidentInput) {
    this.calendar = new WorkingCalendar(input.calendar);
    const budgets = incidentBudgets(input.policy, this.calendar, input);
    const clock = (kind: SlaClock['kind'], basis: SlaClock['basis'], budgetMs: number) =>
      startClock({
        kind,
        basis,
        budgetMs,
        policyVersion: input.policy.version,
        warningFractions: input.policy.warningFractions,
        at: input.reportedAt,
      });
    this.record = {
      incidentId: input.incidentId,
      number: input.number,
      systemId: input.systemId,
      title: input.title,
      description: input.description,
      reporter: input.reporter,
      openedBy: input.openedBy,
      state: 'reported',
      priority: input.priority,
      tier: budgets.tier,
      channel: input.channel,
      reportedAt: input.reportedAt,
      assignee: input.assignee,
      clocks: {
        respond: clock('respond', 'wall', budgets.respondMs),
        on_site: clock('on_site', 'wall', budgets.onSiteMs),
        repair: clock('repair', 'working', budgets.repairMs),
      },
      milestones: {},
      resolution: null,
      cancelReason: null,
      escalation: null,
      escalationCount: 0,
      pauseRequest: null,
      seq: 0,
    };
  }

  get state(): IncidentState {
    return this.record.state;
  }

  get seq(): number {
    return this.record.seq;
  }

  snapshot(): IncidentRecord {
    return this.record;
  }

  opened(): TimelineEvent {
    return this.event('opened', this.input.openedBy, this.input.reportedAt, null, {
      priority: this.record.priority,
      tier: this.record.tier,
      channel: this.record.channel,
      assignee: this.record.assignee,
    });
  }

  /** Why `action` cannot be taken in the incident's present state, or null: the one rule `check` and `allowedActions` share. */
  private refusal(action: IncidentAction): string | null {
    if (!allowedActions(this.record.state).includes(action)) {
      return `cannot ${action} an incident that is ${this.record.state}; allowed: ${this.allowedActions().join(', ') || 'none'}`;
    }
    const repair = this.record.clocks.repair;
    const pending = this.record.pauseRequest ?? null;
    switch (action) {
      case 'pause_repair_clock':
      case 'request_repair_clock_pause':
        if (repair.status !== 'running') return `the repair clock is ${repair.status}, not running`;
        if (action === 'request_repair_clock_pause' && pending) return `a pause requested by ${pending.by.name} is waiting for the hospital`;
        return null;
      case 'confirm_repair_clock_pause':
      case 'decline_repair_clock_pause':
        if (!pending) return 'no pause of the repair clock is waiting for confirmation';
        if (action === 'confirm_repair_clock_pause' && repair.status !== 'running') return `the repair clock is ${repair.status}, not running`;
        return null;
      case 'resume_repair_clock':
        return repair.status === 'paused' ? null : `the repair clock is ${repair.status}, not paused`;
      case 'escalate':
        return this.record.escalation?.active ? `the vendor is already escalated (${this.record.escalation.workflowId})` : null;
      default:
        return null;
    }
  }

  /**
   * The actions open now; for an actor, only those their roles allow (INCIDENT_ACTION_ROLES). Exactly what
   * `validate` accepts, payloads aside: an action a 409 or 403 would refuse is never listed.
   */
  allowedActions(actor?: Actor): IncidentAction[] {
    return INCIDENT_ACTIONS.filter(
      (a) => allowedActions(this.record.state).includes(a) && this.refusal(a) === null && (!actor || holdsAny(actor.roles, INCIDENT_ACTION_ROLES[a])),
    );
  }

  /** Throws the domain error an Update handler turns into a rejection (the API's 409 or 400): the state's rules. */
  check(command: IncidentCommand): void {
    if (command.action === 'comment') {
      if (isTerminal(this.record.state)) {
        throw new DomainError(DomainErrorCode.IllegalTransition, `cannot comment on an incident that is ${this.record.state}`, {
          state: this.record.state,
          action: 'comment',
          allowedActions: [],
        });
      }
      return;
    }
    const refused = this.refusal(command.action);
    if (refused) {
      throw new DomainError(DomainErrorCode.IllegalTransition, refused, {
        state: this.record.state,
        action: command.action,
        allowedActions: this.allowedActions(command.actor.roles ? command.actor : undefined),
      });
    }
  }

  /**
   * The Update validator: who may (403 when the actor's roles do not allow the action), then `check`. Only
   * validators run it, never a replay, so running workflows keep their history when these rules tighten.
   * A comment (a note from the hospital's PM platform, S15) changes nothing and needs no role.
   */
  validate(command: IncidentCommand): void {
    if (command.action !== 'comment') {
      const allowed = INCIDENT_ACTION_ROLES[command.action];
      if (!holdsAny(command.actor.roles, allowed)) {
        const hint = command.action === 'pause_repair_clock' ? '; the vendor team asks for a pause (request_repair_clock_pause) and the hospital confirms it (S10)' : '';
        throw new DomainError(DomainErrorCode.Forbidden, `${command.action} needs one of the roles: ${['admin', ...allowed].join(', ')}${hint}`, {
          action: command.action,
          allowedActions: this.allowedActions(command.actor),
        });
      }
    }
    this.check(command);
  }

  apply(command: IncidentCommand, at: number): TimelineEvent {
    this.check(command);
    if (command.action === 'comment') {
      return this.event('comment', command.actor, at, this.record.state, command.source ? { source: command.source } : {}, command.note);
    }
    const from = this.record.state;
    const to = nextState(from, command.action);
    const r = this.record;
    const cal = this.calendar;
    const clocks = { ...r.clocks };
    const milestones = { ...r.milestones };
    let note: string | null = 'note' in command ? (command.note ?? null) : null;
    const data: Record<string, unknown> = {};
    let next: IncidentRecord = r;

    const actor = person(command.actor);
    /**
     * S12: whoever responds owns the incident. An engineer who acknowledges one assigned to a colleague takes it
     * over, and the timeline says so (from, to), instead of the record naming someone who never answered.
     */
    const takeOver = () => {
      if (r.assignee?.id === actor.id || !command.actor.roles?.some((role) => TAKES_OVER.includes(role))) return;
      data.reassigned = { from: r.assignee, to: actor };
      next = { ...next, assignee: actor };
    };
    switch (command.action) {
      case 'acknowledge':
        clocks.respond = stopClock(clocks.respond, cal, at);
        milestones.acknowledgedAt = at;
        takeOver();
        break;
      case 'arrive':
        if (milestones.acknowledgedAt === undefined) takeOver();
        clocks.respond = stopClock(clocks.respond, cal, at);
        clocks.on_site = stopClock(clocks.on_site, cal, at);
        milestones.acknowledgedAt ??= at;
        milestones.onSiteAt ??= at;
        break;
      case 'resolve':
        clocks.respond = stopClock(clocks.respond, cal, at);
        clocks.on_site = stopClock(clocks.on_site, cal, at);
        // Paused, not stopped: a reopen continues the same repair clock (S2).
        if (clocks.repair.status === 'running') clocks.repair = pauseClock(clocks.repair, cal, at, 'awaiting_confirmation');
        milestones.resolvedAt = at;
        next = {
          ...next,
          pauseRequest: null,
          resolution: { cause: command.cause, fix: command.fix, category: command.category, resolvedBy: actor, resolvedAt: at },
        };
        Object.assign(data, { cause: command.cause, fix: command.fix, category: command.category });
        break;
      case 'confirm':
        clocks.repair = stopClock(clocks.repair, cal, at);
        milestones.confirmedAt = at;
        break;
      case 'reopen':
        clocks.repair =
          clocks.repair.status === 'paused' ? resumeClock(clocks.repair, at) : restartClock(clocks.repair, at, 'confirmed_then_reopened');
        delete milestones.confirmedAt;
        note = command.reason;
        break;
      case 'close':
        milestones.closedAt = at;
        break;
      case 'confirm_recovery':
        // The clocks paused at the recovery stop where they stood: the evidence of how long the fault lasted.
        for (const k of ['respond', 'on_site', 'repair'] as const) clocks[k] = stopClock(clocks[k], cal, at);
        milestones.closedAt = at;
        break;
      case 'cancel':
        for (const k of ['respond', 'on_site', 'repair'] as const) clocks[k] = stopClock(clocks[k], cal, at);
        milestones.cancelledAt = at;
        next = { ...next, cancelReason: command.reason, pauseRequest: null };
        note = command.reason;
        break;
      case 'assign':
        data.from = r.assignee;
        data.to = command.assignee;
        next = { ...next, assignee: command.assignee };
        break;
      case 'change_priority': {
        const b = incidentBudgets(this.input.policy, cal, { ...this.input, priority: command.priority });
        clocks.respond = rebudgetClock(clocks.respond, cal, at, b.respondMs, this.input.policy.version);
        clocks.on_site = rebudgetClock(clocks.on_site, cal, at, b.onSiteMs, this.input.policy.version);
        clocks.repair = rebudgetClock(clocks.repair, cal, at, b.repairMs, this.input.policy.version);
        Object.assign(data, { from: r.priority, to: command.priority });
        next = { ...next, priority: command.priority };
        note = command.reason;
        break;
      }
      case 'pause_repair_clock':
        clocks.repair = pauseClock(clocks.repair, cal, at, command.reason);
        note = command.reason;
        // A pause the hospital makes itself answers any pending request.
        if (r.pauseRequest) data.request = { by: r.pauseRequest.by, reason: r.pauseRequest.reason, at: r.pauseRequest.at };
        next = { ...next, pauseRequest: null };
        break;
      case 'request_repair_clock_pause':
        // The clock keeps running until the hospital confirms (S10): the request only records who asked and why.
        next = { ...next, pauseRequest: { by: actor, reason: command.reason, at } };
        note = command.reason;
        break;
      case 'confirm_repair_clock_pause': {
        const request = r.pauseRequest!;
        clocks.repair = pauseClock(clocks.repair, cal, at, request.reason);
        data.request = { by: request.by, reason: request.reason, at: request.at };
        next = { ...next, pauseRequest: null };
        break;
      }
      case 'decline_repair_clock_pause': {
        const request = r.pauseRequest!;
        data.request = { by: request.by, reason: request.reason, at: request.at };
        next = { ...next, pauseRequest: null };
        note = command.reason;
        break;
      }
      case 'resume_repair_clock':
        clocks.repair = resumeClock(clocks.repair, at);
        break;
      case 'escalate':
        // The escalation itself is started by the workflow; here the request is recorded.
        note = command.reason;
        break;
    }
    this.record = { ...next, state: to, clocks, milestones };
    return this.event(command.action, actor, at, from, data, note);
  }

  /** When the workflow must wake next for a warning, a breach or the automatic escalation; null when nothing can fire. */
  nextWakeAt(): number | null {
    if (isTerminal(this.record.state)) return null;
    const times = Object.values(this.record.clocks)
      .map((c) => nextEventAt(c, this.calendar))
      .filter((t): t is number => t !== null);
    const escalateAt = this.automaticEscalationAt();
    if (escalateAt !== null) times.push(escalateAt);
    return times.length ? Math.min(...times) : null;
  }

  /** S7: the vendor is called in by itself once the repair clock passes its share, if nobody did it before. */
  private automaticEscalationAt(): number | null {
    if (this.record.escalationCount > 0 || !OPEN_STATES.includes(this.record.state)) return null;
    const share = escalationPolicyOf(this.input.policy).repairShare[this.record.priority];
    return timeAtShare(this.record.clocks.repair, this.calendar, share);
  }

  /**
   * Why the vendor should be escalated now without anyone asking, or null. Only the first escalation is automatic.
   * A code and its parameter, not a sentence: the text is made in the reader's language at the edge.
   */
  escalationDue(at: number): { trigger: Exclude<EscalationTrigger, 'manual'>; share: number | null } | null {
    if (this.record.escalationCount > 0 || !OPEN_STATES.includes(this.record.state)) return null;
    const escalateAt = this.automaticEscalationAt();
    if (escalateAt !== null && at >= escalateAt) {
      return { trigger: 'repair_share', share: escalationPolicyOf(this.input.policy).repairShare[this.record.priority] };
    }
    // Judged at the deadline, not when the check runs: an acknowledgement that came after it does not undo the miss.
    const missed = this.record.clocks.respond.breachedAt;
    const acknowledgedAt = this.record.milestones.acknowledgedAt;
    if (missed !== null && (acknowledgedAt === undefined || acknowledgedAt > missed)) {
      return { trigger: 'not_acknowledged', share: null };
    }
    return null;
  }

  /**
   * Records that an escalation workflow starts now; its id names the incident and the escalation's count.
   * `reason` is the requester's own words (manual), null when the system escalates (its trigger and share say why).
   */
  beginEscalation(
    trigger: EscalationTrigger,
    reason: string | null,
    actor: Actor | null,
    at: number,
    share: number | null = null,
  ): { workflowId: string; event: TimelineEvent } {
    const count = this.record.escalationCount + 1;
    const workflowId = `escalation-${this.record.number}-${this.record.incidentId.slice(0, 8)}-${count}`;
    this.record = { ...this.record, escalationCount: count, escalation: { workflowId, trigger, startedAt: at, active: true } };
    const data = share === null ? { trigger, workflowId } : { trigger, workflowId, share };
    return { workflowId, event: this.event('escalated', actor ?? SYSTEM_ACTOR, at, this.record.state, data, reason) };
  }

  /** A report from the vendor escalation, as a timeline event; the escalation ends with `escalation_ended`. */
  vendorEvent(e: VendorEvent): TimelineEvent {
    if (e.type === 'escalation_ended' && this.record.escalation) {
      this.record = { ...this.record, escalation: { ...this.record.escalation, active: false } };
    }
    return this.event(e.type, e.actor ?? SYSTEM_ACTOR, e.at, this.record.state, e.data, e.note);
  }

  /**
   * What a change in the incident's alert group means (P3), as timeline events:
   * - alerts that fire join the timeline; fired again after the incident recovered by itself, it is reported again
   *   (its paused clocks run on); fired again after it was repaired (resolved or confirmed), it is reopened (flapping);
   * - alerts that clear are noted; when the whole group clears before anyone acknowledged, the incident is
   *   `recovered`: its clocks pause and a dispatcher confirms (or the alerts come back).
   */
  alertNews(news: AlertGroupNews, at: number): TimelineEvent[] {
    const events: TimelineEvent[] = [];
    const brief = (alerts: AlertNote[]) => alerts.map((a) => ({ alertId: a.alertId, alertname: a.alertname, summary: a.summary, severity: a.severity, startsAt: a.startsAt, endsAt: a.endsAt }));
    const names = (alerts: AlertNote[]) => alerts.map((a) => a.summary).join('；').slice(0, 1000);
    if (isTerminal(this.record.state)) return events;
    if (news.fired.length > 0) {
      const state = this.record.state;
      if (state === 'recovered') {
        const clocks = { ...this.record.clocks };
        for (const k of ['respond', 'on_site', 'repair'] as const) {
          const c = clocks[k];
          if (c.status === 'paused' && c.pauses[c.pauses.length - 1]?.reason === AUTO_RECOVERED) clocks[k] = resumeClock(c, at);
        }
        this.record = { ...this.record, clocks, state: 'reported' };
        events.push(this.event('alert_refired', SYSTEM_ACTOR, at, 'recovered', { groupId: news.groupId, alerts: brief(news.fired) }, `告警再次触发 / the alerts fired again: ${names(news.fired)}`));
      } else if (state === 'resolved' || state === 'confirmed') {
        events.push(this.apply({ action: 'reopen', actor: SYSTEM_ACTOR, reason: `告警再次触发（反复）/ the alerts fired again (flapping): ${names(news.fired)}` }, at));
        events.push(this.event('alerts_fired', SYSTEM_ACTOR, at, this.record.state, { groupId: news.groupId, alerts: brief(news.fired) }));
      } else {
        events.push(this.event('alerts_fired', SYSTEM_ACTOR, at, state, { groupId: news.groupId, alerts: brief(news.fired) }));
      }
    }
    if (news.resolved.length > 0) {
      if (news.allResolved && this.record.state === 'reported') {
        const cal = this.calendar;
        const clocks = { ...this.record.clocks };
        for (const k of ['respond', 'on_site', 'repair'] as const) if (clocks[k].status === 'running') clocks[k] = pauseClock(clocks[k], cal, at, AUTO_RECOVERED);
        this.record = { ...this.record, clocks, state: 'recovered' };
        events.push(this.event('auto_recovered', SYSTEM_ACTOR, at, 'reported', { groupId: news.groupId, alerts: brief(news.resolved) }, `告警已全部恢复，待调度员确认 / every alert cleared; awaiting a dispatcher's confirmation`));
      } else {
        events.push(this.event('alerts_resolved', SYSTEM_ACTOR, at, this.record.state, { groupId: news.groupId, alerts: brief(news.resolved), allResolved: news.allResolved }));
      }
    }
    // A rising severity raises the priority (and so shortens the SLA budgets) while the incident still takes a change.
    const raise = news.raisePriority;
    if (raise && raise.to !== this.record.priority && morePressing(raise.to, this.record.priority) === raise.to && this.refusal('change_priority') === null) {
      const sev = SEVERITY_LABELS[raise.severity];
      events.push(
        this.apply(
          { action: 'change_priority', actor: SYSTEM_ACTOR, priority: raise.to, reason: `告警级别升至「${sev.zh}」，优先级 ${this.record.priority} → ${raise.to} / alert severity rose to ${sev.en}: priority ${this.record.priority} → ${raise.to}` },
          at,
        ),
      );
    }
    return events;
  }

  /** Fires the warnings and breaches due at `at`, once each, as timeline events. */
  tick(at: number): { events: TimelineEvent[]; fired: ClockEvent[] } {
    const fired: ClockEvent[] = [];
    const clocks = { ...this.record.clocks };
    for (const k of ['respond', 'on_site', 'repair'] as const) {
      const due = dueEvents(clocks[k], this.calendar, at);
      clocks[k] = markFired(clocks[k], due);
      fired.push(...due);
    }
    this.record = { ...this.record, clocks };
    const events = fired.map((e) =>
      this.event(e.type === 'breach' ? 'sla_breached' : 'sla_warning', SYSTEM_ACTOR, e.type === 'breach' ? e.at : at, this.record.state, {
        clock: e.kind,
        deadline: e.deadline,
        ...(e.type === 'warning' ? { fraction: e.fraction } : {}),
      }),
    );
    return { events, fired };
  }

  view(at: number): IncidentView {
    const clocks = {
      respond: viewClock(this.record.clocks.respond, this.calendar, at),
      on_site: viewClock(this.record.clocks.on_site, this.calendar, at),
      repair: viewClock(this.record.clocks.repair, this.calendar, at),
    };
    return {
      ...this.record,
      clocks,
      allowedActions: this.allowedActions(),
      breached: Object.values(clocks).some((c) => c.breached),
    };
  }

  private event(
    type: TimelineEvent['type'],
    actor: Actor | null,
    at: number,
    from: IncidentState | null,
    data: Record<string, unknown>,
    note: string | null = null,
  ): TimelineEvent {
    if (type !== 'opened') this.record = { ...this.record, seq: this.record.seq + 1 };
    else this.record = { ...this.record, seq: 1 };
    return { seq: this.record.seq, type, actor, at, fromState: from, toState: this.record.state, note, data };
  }
}
