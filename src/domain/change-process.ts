import { CalendarSpec, WorkingCalendar } from './calendar';
import { Approval, ChangeActor, ChangeKind, ChangeState, REVIEW_RULES, ReviewDecision, ReviewRules, Revision, approvalsComplete, forbidden, illegal, needsReview } from './change';
import { Role, holdsAny } from './roles';

export interface ChangeInput {
  changeId: string;
  number: string;
  systemId: string;
  systemName: string;
  kind: ChangeKind;
  title: string;
  reason: string;
  window: { start: number; end: number };
  implementer: ChangeActor | null;
  submittedBy: ChangeActor;
  linkedIncidentId: string | null;
  linkedModificationId: string | null;
  firstRevision: Revision;
  calendar: CalendarSpec;
  /** Review clock: a reminder after 1 working day, the IT manager after 2; emergencies reviewed within 1. */
  reviewReminderWorkingDays: number;
  reviewEscalationWorkingDays: number;
  emergencyReviewWorkingDays: number;
}

export type ChangeCommand =
  | { action: 'review'; actor: ChangeActor; decision: ReviewDecision; comment: string | null }
  | { action: 'revise'; actor: ChangeActor; revision: Revision }
  | { action: 'implement'; actor: ChangeActor; revision: number; evidence: string }
  | { action: 'verify'; actor: ChangeActor; outcome: 'succeeded' | 'rolled_back'; evidence: string }
  | { action: 'close'; actor: ChangeActor; note: string | null }
  | { action: 'cancel'; actor: ChangeActor; reason: string };
export type ChangeAction = ChangeCommand['action'];
export const CHANGE_ACTIONS: readonly ChangeAction[] = ['review', 'revise', 'implement', 'verify', 'close', 'cancel'];

const SUBMITTERS: readonly Role[] = ['engineer', 'project_manager', 'it_manager', 'dispatcher'];
/** Who may take each action (the administrator always may); the API's role checks and the Update validator read it. */
export const CHANGE_ACTION_ROLES: Record<ChangeAction, readonly Role[]> = {
  // S4: the hospital's IT department reviews.
  review: ['reviewer', 'it_manager'],
  revise: SUBMITTERS,
  implement: ['engineer', 'project_manager'],
  verify: ['engineer', 'project_manager', 'it_manager'],
  close: ['project_manager', 'it_manager'],
  cancel: SUBMITTERS,
};

/**
 * S4 separation of duties: nobody who wrote any revision of the change, submitted it or carries it out may review
 * it. Returns why `actor` may not review, or null.
 */
export function reviewConflict(v: Pick<ChangeView, 'submittedBy' | 'implementer' | 'revisions'>, actor: { id: string }): string | null {
  if (actor.id === v.submittedBy.id) return 'the submitter may not review their own change';
  if (v.implementer && actor.id === v.implementer.id) return 'the implementer may not review the change they carry out';
  const authored = v.revisions.find((r) => r.submittedBy.id === actor.id);
  if (authored) return `the author of revision ${authored.number} may not review the change`;
  return null;
}

/**
 * The actions a change allows at `at`, for `actor` when given: the state's actions, the approved window for
 * implementation, then who may (roles, and S4's separation of duties for reviews). Exactly what the Update
 * validator accepts, payloads aside (which revision, which decision), so `allowedActions` never lists a 409 or 403.
 */
export function changeActionsFor(v: ChangeView, at: number, actor?: { id: string; roles?: readonly string[] }): ChangeAction[] {
  return v.allowedActions.filter((a) => {
    if (a === 'implement' && v.kind !== 'emergency' && (at < v.window.start || at > v.window.end)) return false;
    if (!actor) return true;
    if (!holdsAny(actor.roles, CHANGE_ACTION_ROLES[a])) return false;
    return a !== 'review' || reviewConflict(v, actor) === null;
  });
}

export interface ChangeDecision {
  seq: number;
  action: ChangeAction | 'submitted' | 'auto_approved' | 'review_reminder' | 'review_escalated';
  actor: { id: string; name: string } | null;
  at: number;
  revision: number;
  fromState: ChangeState | null;
  toState: ChangeState;
  comment: string | null;
  data: Record<string, unknown>;
}

export interface ChangeView {
  changeId: string;
  number: string;
  systemId: string;
  kind: ChangeKind;
  title: string;
  reason: string;
  /** Carried so the workflow can write the change's row by itself (the API starts the workflow first). */
  linkedIncidentId?: string | null;
  state: ChangeState;
  risk: Revision['risk'];
  schemaChange: boolean;
  destructive: boolean;
  window: { start: number; end: number };
  implementer: ChangeActor | null;
  submittedBy: ChangeActor;
  revisions: Revision[];
  currentRevision: number;
  approvedRevision: number | null;
  approvals: Approval[];
  /** Emergency changes are reviewed after implementation; true once that review approved them. */
  reviewed: boolean;
  implementedAt: number | null;
  verification: { outcome: 'succeeded' | 'rolled_back'; evidence: string; at: number } | null;
  history: ChangeDecision[];
  allowedActions: ChangeAction[];
  reviewDueAt: number | null;
  seq: number;
}

const TERMINAL: ChangeState[] = ['rejected', 'closed', 'cancelled'];

/** The change's state and its rules; the workflow holds one and applies commands and timer ticks to it. */
export class ChangeProcess {
  private v: Omit<ChangeView, 'allowedActions' | 'reviewDueAt'>;
  private readonly calendar: WorkingCalendar;
  private remindedFor = new Set<string>();

  constructor(
    private readonly input: ChangeInput,
    private readonly rules: ReviewRules = REVIEW_RULES,
  ) {
    this.calendar = new WorkingCalendar(input.calendar);
    const rev = input.firstRevision;
    this.v = {
      changeId: input.changeId,
      number: input.number,
      systemId: input.systemId,
      kind: input.kind,
      title: input.title,
      reason: input.reason,
      linkedIncidentId: input.linkedIncidentId,
      state: 'in_review',
      risk: rev.risk,
      schemaChange: rev.schemaChange,
      destructive: rev.destructive,
      window: input.window,
      implementer: input.implementer,
      submittedBy: input.submittedBy,
      revisions: [rev],
      currentRevision: rev.number,
      approvedRevision: null,
      approvals: [],
      reviewed: false,
      implementedAt: null,
      verification: null,
      history: [],
      seq: 0,
    };
    this.record('submitted', input.submittedBy, rev.submittedAt, null, null, { kind: input.kind, risk: rev.risk, schemaChange: rev.schemaChange });
    if (!needsReview(input.kind, rev, this.rules)) {
      // A pre-approved standard change: approved by its template, recorded as such.
      this.v.approvedRevision = rev.number;
      this.v.reviewed = true;
      this.v.state = 'approved';
      this.record('auto_approved', null, rev.submittedAt, 'in_review', 'standard change without schema objects');
    }
  }

  get state(): ChangeState {
    return this.v.state;
  }

  get terminal(): boolean {
    return TERMINAL.includes(this.v.state);
  }

  private current(): Revision {
    return this.v.revisions[this.v.revisions.length - 1];
  }

  /** Whether an emergency change is still waiting for its retrospective review. */
  private retrospective(): boolean {
    return this.v.kind === 'emergency' && !this.v.reviewed && (this.v.state === 'implemented' || this.v.state === 'verified' || this.v.state === 'rolled_back');
  }

  allowedActions(): ChangeAction[] {
    const s = this.v.state;
    const out: ChangeAction[] = [];
    if (s === 'in_review' || this.retrospective()) out.push('review');
    if (s === 'sent_back') out.push('revise');
    if (s === 'approved' || (s === 'in_review' && this.v.kind === 'emergency')) out.push('implement');
    if (s === 'implemented') out.push('verify');
    if ((s === 'verified' || s === 'rolled_back') && !this.retrospective()) out.push('close');
    if (s === 'in_review' || s === 'sent_back' || s === 'approved') out.push('cancel');
    return out;
  }

  /**
   * The Update validator: who may (roles; S4: no author of any revision, submitter or implementer reviews), then
   * `check`. Only validators run it, never a replay, so running workflows keep their history as the rules tighten.
   */
  validate(command: ChangeCommand, at: number): void {
    const roles = CHANGE_ACTION_ROLES[command.action];
    if (!holdsAny(command.actor.roles, roles)) throw forbidden(`${command.action} needs one of the roles: ${['admin', ...roles].join(', ')}`);
    if (command.action === 'review') {
      const conflict = reviewConflict(this.view(), command.actor);
      if (conflict) throw forbidden(conflict);
    }
    this.check(command, at);
  }

  /** Throws the error an Update validator turns into a 409 (or 403 for a self-approval). */
  check(command: ChangeCommand, at: number): void {
    // The state decides (as it always did, so replays agree); the list in the error is what this caller may do.
    const allowed = changeActionsFor(this.view(), at, command.actor);
    if (!this.allowedActions().includes(command.action)) {
      throw illegal(this.v.state, `cannot ${command.action} a change that is ${this.v.state}; allowed: ${allowed.join(', ') || 'none'}`, allowed);
    }
    if (command.action === 'review') {
      // S4: the hospital reviews; the people who wrote or carry out the change may not approve it.
      if (command.actor.id === this.v.submittedBy.id) throw forbidden('the submitter may not review their own change');
      if (this.v.implementer && command.actor.id === this.v.implementer.id) throw forbidden('the implementer may not review the change they carry out');
      if (command.decision === 'approve' && this.v.approvals.some((a) => a.by.id === command.actor.id && a.revision === this.v.currentRevision)) {
        throw illegal(this.v.state, `${command.actor.name} already approved revision ${this.v.currentRevision}`, allowed);
      }
    }
    if (command.action === 'implement' && this.v.kind !== 'emergency') {
      if (command.revision !== this.v.approvedRevision) {
        throw illegal(this.v.state, `only the approved revision ${this.v.approvedRevision} may be implemented, not ${command.revision}`, allowed);
      }
      if (at < this.v.window.start || at > this.v.window.end) {
        throw illegal(this.v.state, 'implementation may be recorded only inside the approved window', allowed);
      }
    }
    if (command.action === 'implement' && this.v.kind === 'emergency' && command.revision !== this.v.currentRevision) {
      throw illegal(this.v.state, `the current revision is ${this.v.currentRevision}`, allowed);
    }
    if (command.action === 'revise' && command.revision.number !== this.v.currentRevision + 1) {
      throw illegal(this.v.state, `the next revision is ${this.v.currentRevision + 1}`, allowed);
    }
  }

  apply(command: ChangeCommand, at: number): ChangeDecision {
    this.check(command, at);
    const from = this.v.state;
    switch (command.action) {
      case 'review': {
        const retrospective = this.retrospective();
        if (command.decision === 'approve') {
          this.v.approvals = [...this.v.approvals, { revision: this.v.currentRevision, by: command.actor, at, comment: command.comment }];
          if (approvalsComplete(this.v.risk, this.v.approvals)) {
            this.v.reviewed = true;
            if (!retrospective) {
              this.v.approvedRevision = this.v.currentRevision;
              this.v.state = 'approved';
            }
          }
        } else if (command.decision === 'reject') {
          // A rejected emergency change is already in place: the rejection is recorded and the change must be verified (rolled back) to close.
          this.v.state = retrospective ? this.v.state : 'rejected';
          if (retrospective) this.v.reviewed = true;
        } else {
          this.v.state = retrospective ? this.v.state : 'sent_back';
          this.v.approvals = [];
        }
        return this.record('review', command.actor, at, from, command.comment, { decision: command.decision, approvals: this.v.approvals.length, retrospective });
      }
      case 'revise': {
        this.v.revisions = [...this.v.revisions, command.revision];
        this.v.currentRevision = command.revision.number;
        this.v.risk = command.revision.risk;
        this.v.schemaChange = command.revision.schemaChange;
        this.v.destructive = command.revision.destructive;
        this.v.approvals = [];
        this.v.state = 'in_review';
        return this.record('revise', command.actor, at, from, null, { risk: command.revision.risk });
      }
      case 'implement':
        this.v.state = 'implemented';
        this.v.implementedAt = at;
        return this.record('implement', command.actor, at, from, command.evidence, { revision: command.revision });
      case 'verify':
        this.v.verification = { outcome: command.outcome, evidence: command.evidence, at };
        this.v.state = command.outcome === 'succeeded' ? 'verified' : 'rolled_back';
        return this.record('verify', command.actor, at, from, command.evidence, { outcome: command.outcome });
      case 'close':
        this.v.state = 'closed';
        return this.record('close', command.actor, at, from, command.note);
      case 'cancel':
        this.v.state = 'cancelled';
        return this.record('cancel', command.actor, at, from, command.reason);
    }
  }

  /** When the review is due: 1 working day after submission (after implementation, for an emergency). */
  reviewDueAt(): number | null {
    if (this.v.state === 'in_review' && this.v.kind !== 'emergency') {
      return this.calendar.addWorkingDays(this.current().submittedAt, this.input.reviewReminderWorkingDays);
    }
    if (this.retrospective() && this.v.implementedAt !== null) {
      return this.calendar.addWorkingDays(this.v.implementedAt, this.input.emergencyReviewWorkingDays);
    }
    return null;
  }

  private reviewMilestones(): { key: string; at: number; action: 'review_reminder' | 'review_escalated' }[] {
    if (this.v.state === 'in_review' && this.v.kind !== 'emergency') {
      const from = this.current().submittedAt;
      const rev = this.v.currentRevision;
      return [
        { key: `r${rev}:remind`, at: this.calendar.addWorkingDays(from, this.input.reviewReminderWorkingDays), action: 'review_reminder' },
        { key: `r${rev}:escalate`, at: this.calendar.addWorkingDays(from, this.input.reviewEscalationWorkingDays), action: 'review_escalated' },
      ];
    }
    if (this.retrospective() && this.v.implementedAt !== null) {
      return [{ key: 'emergency:escalate', at: this.calendar.addWorkingDays(this.v.implementedAt, this.input.emergencyReviewWorkingDays), action: 'review_escalated' }];
    }
    return [];
  }

  nextWakeAt(): number | null {
    const due = this.reviewMilestones().filter((m) => !this.remindedFor.has(m.key));
    return due.length ? Math.min(...due.map((m) => m.at)) : null;
  }

  /** Reminders and escalations of the review clock that fell due, once each. */
  tick(at: number): ChangeDecision[] {
    const out: ChangeDecision[] = [];
    for (const m of this.reviewMilestones()) {
      if (m.at <= at && !this.remindedFor.has(m.key)) {
        this.remindedFor.add(m.key);
        out.push(this.record(m.action, null, m.at, this.v.state, null, { dueAt: m.at }));
      }
    }
    return out;
  }

  view(): ChangeView {
    return { ...this.v, allowedActions: this.allowedActions(), reviewDueAt: this.reviewDueAt() };
  }

  private record(
    action: ChangeDecision['action'],
    actor: ChangeActor | null,
    at: number,
    from: ChangeState | null,
    comment: string | null,
    data: Record<string, unknown> = {},
  ): ChangeDecision {
    this.v.seq += 1;
    const decision: ChangeDecision = {
      seq: this.v.seq,
      action,
      actor: actor ? { id: actor.id, name: actor.name } : null,
      at,
      revision: this.v.currentRevision,
      fromState: from,
      toState: this.v.state,
      comment,
      data,
    };
    this.v.history = [...this.v.history, decision];
    return decision;
  }
}
