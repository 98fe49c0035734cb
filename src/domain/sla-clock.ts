import { WorkingCalendar } from './calendar';
import { DomainError, DomainErrorCode } from './errors';
import { ClockBasis, ClockKind } from './sla-policy';

export type ClockStatus = 'running' | 'paused' | 'stopped';
/** What people see: `breached` is a running or paused clock past its budget. */
export type ClockState = ClockStatus | 'breached';

export interface ClockPause {
  from: number;
  to: number | null;
  reason: string;
}

/** One SLA clock as plain data: it lives in workflow state and is projected to the database as JSON. */
export interface SlaClock {
  kind: ClockKind;
  basis: ClockBasis;
  budgetMs: number;
  policyVersion: number;
  warningFractions: number[];
  startedAt: number;
  status: ClockStatus;
  /** Time consumed up to `since`; the running segment adds to it. */
  consumedMs: number;
  since: number;
  pauses: ClockPause[];
  firedWarnings: number[];
  breachedAt: number | null;
  stoppedAt: number | null;
}

export type ClockEvent =
  | { type: 'warning'; kind: ClockKind; fraction: number; at: number; deadline: number }
  | { type: 'breach'; kind: ClockKind; at: number; deadline: number };

export interface ClockView {
  kind: ClockKind;
  basis: ClockBasis;
  state: ClockState;
  policyVersion: number;
  budgetMs: number;
  elapsedMs: number;
  remainingMs: number;
  /** When the budget runs out if nothing pauses it; the breach time once breached; null while paused. */
  deadline: number | null;
  breached: boolean;
  breachedAt: number | null;
  startedAt: number;
  stoppedAt: number | null;
  pauses: ClockPause[];
  /** The deadline (or the tier) rests on a year whose calendar is the statutory holidays only, without 调休 (S10). */
  provisional: boolean;
}

function measure(clock: SlaClock, calendar: WorkingCalendar, from: number, to: number): number {
  if (to <= from) return 0;
  return clock.basis === 'wall' ? to - from : calendar.workingTimeBetween(from, to);
}

function advance(clock: SlaClock, calendar: WorkingCalendar, from: number, amountMs: number): number {
  return clock.basis === 'wall' ? from + amountMs : calendar.addWorkingTime(from, amountMs);
}

function illegal(clock: SlaClock, action: string): DomainError {
  return new DomainError(DomainErrorCode.IllegalTransition, `cannot ${action} the ${clock.kind} clock while it is ${clock.status}`, {
    clock: clock.kind,
    status: clock.status,
  });
}

export function startClock(input: {
  kind: ClockKind;
  basis: ClockBasis;
  budgetMs: number;
  policyVersion: number;
  warningFractions: number[];
  at: number;
}): SlaClock {
  return {
    kind: input.kind,
    basis: input.basis,
    budgetMs: input.budgetMs,
    policyVersion: input.policyVersion,
    warningFractions: [...input.warningFractions].sort((a, b) => a - b),
    startedAt: input.at,
    status: 'running',
    consumedMs: 0,
    since: input.at,
    pauses: [],
    firedWarnings: [],
    breachedAt: null,
    stoppedAt: null,
  };
}

export function elapsed(clock: SlaClock, calendar: WorkingCalendar, at: number): number {
  return clock.consumedMs + (clock.status === 'running' ? measure(clock, calendar, clock.since, at) : 0);
}

/** The instant the clock reaches `consumed` ms, counting from its running segment; null unless running. */
function instantOf(clock: SlaClock, calendar: WorkingCalendar, consumed: number): number | null {
  if (clock.status !== 'running') return null;
  return advance(clock, calendar, clock.since, Math.max(0, consumed - clock.consumedMs));
}

/** When a running clock reaches `share` of its budget; null unless running. */
export function timeAtShare(clock: SlaClock, calendar: WorkingCalendar, share: number): number | null {
  return instantOf(clock, calendar, Math.ceil(share * clock.budgetMs));
}

export function deadlineOf(clock: SlaClock, calendar: WorkingCalendar): number | null {
  if (clock.breachedAt !== null) return clock.breachedAt;
  return instantOf(clock, calendar, clock.budgetMs);
}

/** A running clock that crossed its budget before `at` keeps the exact breach time, even if nobody ticked it (S11). */
function settle(clock: SlaClock, calendar: WorkingCalendar, at: number): SlaClock {
  const used = elapsed(clock, calendar, at);
  const breachedAt =
    clock.breachedAt === null && clock.status === 'running' && used >= clock.budgetMs
      ? instantOf(clock, calendar, clock.budgetMs)
      : clock.breachedAt;
  return { ...clock, consumedMs: used, since: at, breachedAt };
}

export function pauseClock(clock: SlaClock, calendar: WorkingCalendar, at: number, reason: string): SlaClock {
  if (clock.status !== 'running') throw illegal(clock, 'pause');
  const settled = settle(clock, calendar, at);
  return { ...settled, status: 'paused', pauses: [...clock.pauses, { from: at, to: null, reason }] };
}

/** Resuming moves the deadline on by the length of the pause (only running time counts). */
export function resumeClock(clock: SlaClock, at: number): SlaClock {
  if (clock.status !== 'paused') throw illegal(clock, 'resume');
  const pauses = clock.pauses.map((p, i) => (i === clock.pauses.length - 1 ? { ...p, to: at } : p));
  return { ...clock, status: 'running', since: at, pauses };
}

/** A stopped clock runs again from `at` with the time it had used; the gap is kept as a pause (S2: a reopen continues the repair clock). */
export function restartClock(clock: SlaClock, at: number, reason: string): SlaClock {
  if (clock.status !== 'stopped' || clock.stoppedAt === null) throw illegal(clock, 'restart');
  return {
    ...clock,
    status: 'running',
    since: at,
    stoppedAt: null,
    pauses: [...clock.pauses, { from: clock.stoppedAt, to: at, reason }],
  };
}

export function stopClock(clock: SlaClock, calendar: WorkingCalendar, at: number): SlaClock {
  if (clock.status === 'stopped') return clock;
  const settled = clock.status === 'running' ? settle(clock, calendar, at) : clock;
  const pauses = settled.pauses.map((p) => (p.to === null ? { ...p, to: at } : p));
  return { ...settled, status: 'stopped', stoppedAt: at, pauses };
}

/**
 * A new budget (a priority change) keeps the time already used, so the deadline moves by the difference.
 * A breach already recorded stays recorded: it is contract evidence (S11).
 */
export function rebudgetClock(
  clock: SlaClock,
  calendar: WorkingCalendar,
  at: number,
  budgetMs: number,
  policyVersion: number,
): SlaClock {
  const settled = clock.status === 'running' ? settle(clock, calendar, at) : clock;
  return { ...settled, budgetMs, policyVersion };
}

/**
 * The one event due at `at` that has not fired: the breach when the budget is used up, else the highest
 * warning passed. A late check (a worker that was down) reports the worst news once, not every step to it.
 */
export function dueEvents(clock: SlaClock, calendar: WorkingCalendar, at: number): ClockEvent[] {
  if (clock.status === 'stopped') return [];
  const used = elapsed(clock, calendar, at);
  const deadline = deadlineOf(clock, calendar) ?? at;
  if (clock.breachedAt === null && used >= clock.budgetMs) {
    return [{ type: 'breach', kind: clock.kind, at: deadline, deadline }];
  }
  if (clock.breachedAt !== null) return [];
  const passed = clock.warningFractions.filter((f) => !clock.firedWarnings.includes(f) && used >= f * clock.budgetMs);
  if (passed.length === 0) return [];
  return [{ type: 'warning', kind: clock.kind, fraction: Math.max(...passed), at, deadline }];
}

/** Marks events as fired; a warning also settles the lower ones and the breach settles them all, so each fires at most once. */
export function markFired(clock: SlaClock, events: readonly ClockEvent[]): SlaClock {
  let next = clock;
  for (const e of events) {
    if (e.kind !== clock.kind) continue;
    const upTo = e.type === 'warning' ? e.fraction : Number.POSITIVE_INFINITY;
    const fired = next.warningFractions.filter((f) => f <= upTo || next.firedWarnings.includes(f));
    next = { ...next, firedWarnings: fired, breachedAt: e.type === 'breach' ? e.at : next.breachedAt };
  }
  return next;
}

/** When the next warning or the breach falls due, or null when nothing more can fire (stopped, paused, all fired). */
export function nextEventAt(clock: SlaClock, calendar: WorkingCalendar): number | null {
  if (clock.status !== 'running') return null;
  const thresholds = clock.warningFractions
    .filter((f) => !clock.firedWarnings.includes(f))
    .map((f) => f * clock.budgetMs);
  if (clock.breachedAt === null) thresholds.push(clock.budgetMs);
  if (thresholds.length === 0) return null;
  return instantOf(clock, calendar, Math.ceil(Math.min(...thresholds)));
}

export function viewClock(clock: SlaClock, calendar: WorkingCalendar, at: number): ClockView {
  const used = elapsed(clock, calendar, at);
  const breached = clock.breachedAt !== null || (clock.status !== 'stopped' && used >= clock.budgetMs);
  const state: ClockState = clock.status !== 'stopped' && breached ? 'breached' : clock.status;
  const deadline = deadlineOf(clock, calendar);
  return {
    kind: clock.kind,
    basis: clock.basis,
    state,
    policyVersion: clock.policyVersion,
    budgetMs: clock.budgetMs,
    elapsedMs: used,
    remainingMs: clock.budgetMs - used,
    deadline,
    breached: breached || (clock.status === 'stopped' && used > clock.budgetMs),
    breachedAt: clock.breachedAt,
    startedAt: clock.startedAt,
    stoppedAt: clock.stoppedAt,
    pauses: clock.pauses,
    provisional: calendar.provisional(clock.startedAt, deadline ?? clock.stoppedAt ?? at),
  };
}
