import { describe, expect, it } from '@jest/globals';
import { buildCalendarSpec } from '../infra/china-calendar';
import { WorkingCalendar } from './calendar';
import { DomainErrorCode } from './errors';
import {
  ClockEvent,
  SlaClock,
  deadlineOf,
  dueEvents,
  elapsed,
  markFired,
  nextEventAt,
  pauseClock,
  rebudgetClock,
  resumeClock,
  startClock,
  stopClock,
  viewClock,
} from './sla-clock';
import { CONTRACT_POLICY, incidentTargets } from './sla-policy';
import { HOUR_MS, MINUTE_MS, formatInZone } from './time';
import { domainError } from './testing/domain-error';

const calendar = new WorkingCalendar(buildCalendarSpec());
const at = (iso: string): number => Date.parse(iso);
const show = (ms: number | null): string | null => (ms === null ? null : formatInZone(ms, 8 * 60));

/** A Wednesday with no holiday near it. */
const T = at('2026-03-04T10:00:00+08:00');
const min = (n: number): number => T + n * MINUTE_MS;

function wallClock(budgetMinutes = 60): SlaClock {
  return startClock({
    kind: 'respond',
    basis: 'wall',
    budgetMs: budgetMinutes * MINUTE_MS,
    policyVersion: 1,
    warningFractions: [0.9, 0.5, 0.75],
    at: T,
  });
}

/** S2: the repair clock counts 2 working days (20 working hours). */
function repairClock(startIso: string): SlaClock {
  return startClock({
    kind: 'repair',
    basis: 'working',
    budgetMs: 2 * calendar.dayLengthMs,
    policyVersion: 1,
    warningFractions: CONTRACT_POLICY.warningFractions,
    at: at(startIso),
  });
}

/** Drives a clock the way a workflow does: sleep until nextEventAt, handle dueEvents, mark them fired. */
function drive(clock: SlaClock, until: number): { clock: SlaClock; fired: ClockEvent[] } {
  const fired: ClockEvent[] = [];
  for (let next = nextEventAt(clock, calendar); next !== null && next <= until; next = nextEventAt(clock, calendar)) {
    const events = dueEvents(clock, calendar, next);
    expect(events.length).toBeGreaterThan(0);
    fired.push(...events);
    clock = markFired(clock, events);
  }
  return { clock, fired };
}

describe('a wall-clock SLA clock (S10 respond / on site)', () => {
  it('starts running with sorted warning fractions and a deadline one budget away', () => {
    const clock = wallClock();
    expect(clock.warningFractions).toEqual([0.5, 0.75, 0.9]);
    expect(deadlineOf(clock, calendar)).toBe(min(60));
    expect(elapsed(clock, calendar, min(20))).toBe(20 * MINUTE_MS);
    expect(viewClock(clock, calendar, min(20))).toMatchObject({
      state: 'running',
      elapsedMs: 20 * MINUTE_MS,
      remainingMs: 40 * MINUTE_MS,
      deadline: min(60),
      breached: false,
    });
  });

  it('excludes paused time, and resuming moves the deadline on by the pause', () => {
    const paused = pauseClock(wallClock(), calendar, min(10), 'waiting for the hospital');
    expect(elapsed(paused, calendar, min(25))).toBe(10 * MINUTE_MS);
    expect(viewClock(paused, calendar, min(25))).toMatchObject({ state: 'paused', deadline: null, elapsedMs: 10 * MINUTE_MS });

    const resumed = resumeClock(paused, min(30));
    expect(deadlineOf(resumed, calendar)).toBe(min(80));
    expect(elapsed(resumed, calendar, min(40))).toBe(20 * MINUTE_MS);
    expect(resumed.pauses).toEqual([{ from: min(10), to: min(30), reason: 'waiting for the hospital' }]);
  });

  it('adds up several pauses', () => {
    let clock = wallClock();
    clock = resumeClock(pauseClock(clock, calendar, min(10), 'a'), min(20));
    clock = resumeClock(pauseClock(clock, calendar, min(30), 'b'), min(45));
    expect(elapsed(clock, calendar, min(50))).toBe(25 * MINUTE_MS);
    expect(deadlineOf(clock, calendar)).toBe(min(85));
    expect(clock.pauses.map((p) => [p.from, p.to])).toEqual([
      [min(10), min(20)],
      [min(30), min(45)],
    ]);
  });

  it.each<[string, (c: SlaClock) => SlaClock]>([
    ['pause a paused clock', (c) => pauseClock(pauseClock(c, calendar, min(1), 'x'), calendar, min(2), 'y')],
    ['resume a running clock', (c) => resumeClock(c, min(1))],
    ['pause a stopped clock', (c) => pauseClock(stopClock(c, calendar, min(1)), calendar, min(2), 'x')],
    ['resume a stopped clock', (c) => resumeClock(stopClock(c, calendar, min(1)), min(2))],
  ])('refuses to %s with ILLEGAL_TRANSITION', (_what, act) => {
    const err = domainError(() => act(wallClock()));
    expect(err.code).toBe(DomainErrorCode.IllegalTransition);
    expect(err.details.clock).toBe('respond');
  });

  describe('rebudget (a priority change) keeps the time already used', () => {
    it.each([
      [30, 30],
      [120, 120],
    ])('running: 20 min used, new budget %d min → deadline at minute %d', (budget, deadlineMinute) => {
      const clock = rebudgetClock(wallClock(), calendar, min(20), budget * MINUTE_MS, 2);
      expect(elapsed(clock, calendar, min(20))).toBe(20 * MINUTE_MS);
      expect(deadlineOf(clock, calendar)).toBe(min(deadlineMinute));
      expect(clock.policyVersion).toBe(2);
    });

    it('paused: the budget changes, the clock stays paused, used time is kept', () => {
      const paused = pauseClock(wallClock(), calendar, min(20), 'x');
      const rebudgeted = rebudgetClock(paused, calendar, min(40), 30 * MINUTE_MS, 1);
      expect(rebudgeted.status).toBe('paused');
      expect(elapsed(rebudgeted, calendar, min(50))).toBe(20 * MINUTE_MS);
      expect(deadlineOf(resumeClock(rebudgeted, min(50)), calendar)).toBe(min(60));
    });

    it('a budget below the time used breaches at once, once', () => {
      const clock = rebudgetClock(wallClock(), calendar, min(40), 30 * MINUTE_MS, 1);
      const events = dueEvents(clock, calendar, min(40));
      expect(events.filter((e) => e.type === 'breach')).toHaveLength(1);
      expect(dueEvents(markFired(clock, events), calendar, min(41))).toEqual([]);
    });

    it('S11: a breach already recorded stays recorded when the budget grows', () => {
      const breached = markFired(wallClock(), dueEvents(wallClock(), calendar, min(70)));
      const grown = rebudgetClock(breached, calendar, min(70), 240 * MINUTE_MS, 1);
      expect(grown.breachedAt).toBe(min(60));
      expect(deadlineOf(grown, calendar)).toBe(min(60));
      expect(viewClock(grown, calendar, min(70))).toMatchObject({ state: 'breached', breached: true, breachedAt: min(60) });
      expect(dueEvents(grown, calendar, min(300)).filter((e) => e.type === 'breach')).toEqual([]);
    });
  });

  describe('warnings at 0.5, 0.75, 0.9 and the breach fire once each', () => {
    it('minute by minute: each fires at its threshold and never again', () => {
      let clock = wallClock();
      const fired: [number, string][] = [];
      for (let m = 0; m <= 120; m++) {
        const events = dueEvents(clock, calendar, min(m));
        for (const e of events) fired.push([m, e.type === 'warning' ? `warning ${e.fraction}` : `breach at ${(e.at - T) / MINUTE_MS}`]);
        clock = markFired(clock, events);
      }
      expect(fired).toEqual([
        [30, 'warning 0.5'],
        [45, 'warning 0.75'],
        [54, 'warning 0.9'],
        [60, 'breach at 60'],
      ]);
      expect(clock.firedWarnings).toEqual([0.5, 0.75, 0.9]);
      expect(clock.breachedAt).toBe(min(60));
    });

    it('a late check reports only the worst news: the breach at its deadline, the warnings settled with it', () => {
      const events = dueEvents(wallClock(), calendar, min(70));
      expect(events).toEqual([{ type: 'breach', kind: 'respond', at: min(60), deadline: min(60) }]);
      const marked = markFired(wallClock(), events);
      expect(marked.firedWarnings).toEqual([0.5, 0.75, 0.9]);
      expect(dueEvents(marked, calendar, min(71))).toEqual([]);
    });

    it('a late check before the deadline reports the highest warning passed, once', () => {
      const events = dueEvents(wallClock(), calendar, min(50));
      expect(events).toEqual([{ type: 'warning', kind: 'respond', fraction: 0.75, at: min(50), deadline: min(60) }]);
      const marked = markFired(wallClock(), events);
      expect(marked.firedWarnings).toEqual([0.5, 0.75]);
      expect(dueEvents(marked, calendar, min(54)).map((e) => e.type === 'warning' && e.fraction)).toEqual([0.9]);
    });

    it('ignores events of another clock', () => {
      const other: ClockEvent = { type: 'breach', kind: 'on_site', at: min(5), deadline: min(5) };
      expect(markFired(wallClock(), [other]).breachedAt).toBeNull();
    });

    it('S11: a breach passed before a pause or stop keeps its real deadline as the breach time', () => {
      const paused = pauseClock(wallClock(), calendar, min(65), 'waiting for the downtime window');
      expect(paused.breachedAt).toBe(min(60));
      expect(viewClock(paused, calendar, min(90))).toMatchObject({ state: 'breached', breachedAt: min(60) });
      const stopped = stopClock(wallClock(), calendar, min(70));
      expect(stopped.breachedAt).toBe(min(60));
      expect(viewClock(stopped, calendar, min(90))).toMatchObject({ state: 'stopped', breached: true, breachedAt: min(60) });
    });

    it('a paused clock fires nothing new, a stopped clock nothing at all', () => {
      const paused = pauseClock(wallClock(), calendar, min(20), 'x');
      expect(dueEvents(paused, calendar, min(500))).toEqual([]);
      expect(dueEvents(stopClock(wallClock(), calendar, min(70)), calendar, min(80))).toEqual([]);
    });
  });

  describe('nextEventAt', () => {
    it('walks the thresholds in order, then returns null', () => {
      const { clock, fired } = drive(wallClock(), Number.MAX_SAFE_INTEGER);
      expect(fired.map((e) => [e.type, e.at - T])).toEqual([
        ['warning', 30 * MINUTE_MS],
        ['warning', 45 * MINUTE_MS],
        ['warning', 54 * MINUTE_MS],
        ['breach', 60 * MINUTE_MS],
      ]);
      expect(nextEventAt(clock, calendar)).toBeNull();
    });

    it('counts from the resume after a pause', () => {
      const clock = resumeClock(pauseClock(wallClock(), calendar, min(10), 'x'), min(40));
      expect(nextEventAt(clock, calendar)).toBe(min(60)); // 0.5 × 60 min = 30 min of running time
    });

    it('is null while paused or stopped', () => {
      expect(nextEventAt(pauseClock(wallClock(), calendar, min(10), 'x'), calendar)).toBeNull();
      expect(nextEventAt(stopClock(wallClock(), calendar, min(10)), calendar)).toBeNull();
    });
  });

  describe('viewClock states', () => {
    it.each<[string, (c: SlaClock) => SlaClock, number, string, boolean]>([
      ['running within budget', (c) => c, 59, 'running', false],
      ['running past budget, breach not yet marked', (c) => c, 61, 'breached', true],
      ['running past budget, breach marked', (c) => markFired(c, dueEvents(c, calendar, min(61))), 61, 'breached', true],
      ['paused within budget', (c) => pauseClock(c, calendar, min(10), 'x'), 90, 'paused', false],
      ['paused past budget', (c) => pauseClock(c, calendar, min(65), 'x'), 90, 'breached', true],
      ['stopped in time', (c) => stopClock(c, calendar, min(25)), 90, 'stopped', false],
      ['stopped late', (c) => stopClock(c, calendar, min(75)), 90, 'stopped', true],
    ])('%s → %s', (_case, setup, minute, state, breached) => {
      expect(viewClock(setup(wallClock()), calendar, min(minute))).toMatchObject({ state, breached });
    });

    it('a stopped clock keeps its elapsed time, closes an open pause, and stopping twice changes nothing', () => {
      const stopped = stopClock(pauseClock(wallClock(), calendar, min(10), 'x'), calendar, min(30));
      expect(stopped.pauses).toEqual([{ from: min(10), to: min(30), reason: 'x' }]);
      expect(stopped.stoppedAt).toBe(min(30));
      expect(viewClock(stopped, calendar, min(300)).elapsedMs).toBe(10 * MINUTE_MS);
      expect(stopClock(stopped, calendar, min(400))).toBe(stopped);
    });
  });
});

describe('a working-time clock (S2 repair, 2 working days)', () => {
  it('does not count the weekend', () => {
    const clock = repairClock('2026-03-06T17:00:00+08:00');
    expect(show(deadlineOf(clock, calendar))).toBe('2026-03-10T17:00:00+08:00');
    expect(elapsed(clock, calendar, at('2026-03-07T12:00:00+08:00'))).toBe(HOUR_MS);
    expect(elapsed(clock, calendar, at('2026-03-09T08:00:00+08:00'))).toBe(HOUR_MS);
    expect(dueEvents(clock, calendar, at('2026-03-08T23:59:00+08:00'))).toEqual([]);
  });

  it('fires its warnings and breach in working time only', () => {
    const { fired } = drive(repairClock('2026-03-06T17:00:00+08:00'), Number.MAX_SAFE_INTEGER);
    expect(fired.map((e) => [e.type, e.type === 'warning' ? e.fraction : 1, show(e.at)])).toEqual([
      ['warning', 0.5, '2026-03-09T17:00:00+08:00'], // 1 h Friday + 9 h Monday
      ['warning', 0.75, '2026-03-10T12:00:00+08:00'], // 15 h: 1 h Friday, 10 h Monday, 4 h Tuesday
      ['warning', 0.9, '2026-03-10T15:00:00+08:00'], // 18 h
      ['breach', 1, '2026-03-10T17:00:00+08:00'], // 20 h
    ]);
  });

  it('excludes a pause; the deadline moves by the working time the pause covered', () => {
    const paused = pauseClock(repairClock('2026-03-06T17:00:00+08:00'), calendar, at('2026-03-09T10:00:00+08:00'), 'waiting for the vendor');
    expect(elapsed(paused, calendar, at('2026-03-11T09:00:00+08:00'))).toBe(3 * HOUR_MS);
    const resumed = resumeClock(paused, at('2026-03-11T10:00:00+08:00'));
    // 17 h left from Wednesday 10:00: 8 h Wednesday, 9 h Thursday.
    expect(show(deadlineOf(resumed, calendar))).toBe('2026-03-12T17:00:00+08:00');
  });

  it('runs across National Day as incidentTargets says', () => {
    const reportedAt = at('2026-09-30T09:00:00+08:00');
    const targets = incidentTargets(CONTRACT_POLICY, calendar, { reportedAt });
    const clock = repairClock('2026-09-30T09:00:00+08:00');
    expect(deadlineOf(clock, calendar)).toBe(targets.repair.deadline);
    expect(show(targets.repair.deadline)).toBe('2026-10-09T09:00:00+08:00');
    expect(viewClock(clock, calendar, at('2026-10-07T23:00:00+08:00'))).toMatchObject({ state: 'running', elapsedMs: 9 * HOUR_MS });
  });

  it('rebudget keeps the working time used: 5 h used, new budget 1 working day → Monday 17:00', () => {
    const clock = rebudgetClock(repairClock('2026-03-06T17:00:00+08:00'), calendar, at('2026-03-09T12:00:00+08:00'), calendar.dayLengthMs, 1);
    expect(elapsed(clock, calendar, at('2026-03-09T12:00:00+08:00'))).toBe(5 * HOUR_MS);
    expect(show(deadlineOf(clock, calendar))).toBe('2026-03-09T17:00:00+08:00');
  });
});
