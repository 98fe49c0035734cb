import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { buildCalendarSpec } from '../infra/china-calendar';
import { WorkingCalendar } from './calendar';
import { CONTRACT_POLICY, PRIORITIES, SlaPolicy, incidentTargets } from './sla-policy';
import {
  createMinuteOracle,
  oracleAddWorkingMinutes,
  oracleIncidentTargets,
  oracleIsWorkingMinute,
  oracleNextWorkingStart,
  oracleWorkingMinutesBetween,
} from './testing/minute-oracle';
import { DAY_MS, MINUTE_MS } from './time';

/** The engine against a minute-stepping oracle that reads the spec's raw holiday and workday lists (S2, S10). */
const contractSpec = buildCalendarSpec();
const lunchSpec = buildCalendarSpec({ workingHours: [{ start: '08:00', end: '12:00' }, { start: '13:30', end: '18:00' }] });
const calendars = [
  { name: 'contract 08:00–18:00', calendar: new WorkingCalendar(contractSpec), oracle: createMinuteOracle(contractSpec) },
  { name: 'lunch break', calendar: new WorkingCalendar(lunchSpec), oracle: createMinuteOracle(lunchSpec) },
];

const FIRST_MINUTE = Date.parse('2025-01-01T00:00:00+08:00') / MINUTE_MS;
const LAST_MINUTE = Date.parse('2026-12-31T23:59:00+08:00') / MINUTE_MS;
const SHANGHAI_MS = 8 * 60 * MINUTE_MS;

/** Minute-aligned instants across 2025–2026, half of them within a few minutes of a period edge or midnight. */
const anyMinute = fc.integer({ min: FIRST_MINUTE, max: LAST_MINUTE }).map((m) => m * MINUTE_MS);
const edgeMinute = fc
  .tuple(
    fc.integer({ min: 0, max: Math.floor((LAST_MINUTE - FIRST_MINUTE) / 1440) }),
    fc.constantFrom(0, 8 * 60, 12 * 60, 13 * 60 + 30, 18 * 60, 24 * 60),
    fc.integer({ min: -2, max: 2 }),
  )
  .map(([day, edge, delta]) => FIRST_MINUTE * MINUTE_MS + (day * 1440 + edge + delta) * MINUTE_MS);
const instant = fc.oneof(anyMinute, edgeMinute);
/** Up to about three working days of the contract calendar, in minutes. */
const workingMinutes = fc.oneof(fc.integer({ min: 0, max: 3 * 600 }), fc.constantFrom(1, 30, 60, 120, 510, 600, 1200));

const RUNS = 250;

describe.each(calendars)('WorkingCalendar matches the minute-stepping oracle ($name)', ({ calendar, oracle }) => {
  it('addWorkingTime(t, m) lands where stepping m working minutes lands', () => {
    fc.assert(
      fc.property(instant, workingMinutes, (t, m) => {
        expect(calendar.addWorkingTime(t, m * MINUTE_MS)).toBe(oracleAddWorkingMinutes(oracle, t, m));
      }),
      { numRuns: RUNS },
    );
  });

  it('workingTimeBetween(a, b) counts the working minutes in [a, b), negated when b < a', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -4 * 1440, max: 4 * 1440 }), (a, span) => {
        const b = a + span * MINUTE_MS;
        const expected = span >= 0 ? oracleWorkingMinutesBetween(oracle, a, b) : -oracleWorkingMinutesBetween(oracle, b, a);
        expect(calendar.workingTimeBetween(a, b)).toBe(expected * MINUTE_MS);
      }),
      { numRuns: RUNS },
    );
  });

  it('nextWorkingStart is the first working minute at or after t', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const next = calendar.nextWorkingStart(t);
        expect(next).toBe(oracleNextWorkingStart(oracle, t));
        expect(oracleIsWorkingMinute(oracle, next)).toBe(true);
        expect(oracleWorkingMinutesBetween(oracle, t, next)).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('isWorkingTime agrees with the oracle for every minute', () => {
    fc.assert(
      fc.property(instant, (t) => {
        expect(calendar.isWorkingTime(t)).toBe(oracleIsWorkingMinute(oracle, t));
      }),
      { numRuns: 1000 },
    );
  });
});

describe.each(calendars)('WorkingCalendar laws at millisecond precision ($name)', ({ calendar }) => {
  const anyMs = fc.integer({ min: FIRST_MINUTE * MINUTE_MS, max: LAST_MINUTE * MINUTE_MS });
  const duration = fc.integer({ min: 0, max: 10 * 10 * 60 * MINUTE_MS });

  it('workingTimeBetween(t, addWorkingTime(t, d)) === d', () => {
    fc.assert(
      fc.property(anyMs, duration, (t, d) => {
        expect(calendar.workingTimeBetween(t, calendar.addWorkingTime(t, d))).toBe(d);
      }),
      { numRuns: 1000 },
    );
  });

  it('nextWorkingStart(t) is working time with no working time between t and it', () => {
    fc.assert(
      fc.property(anyMs, (t) => {
        const next = calendar.nextWorkingStart(t);
        expect(next).toBeGreaterThanOrEqual(t);
        expect(calendar.isWorkingTime(next)).toBe(true);
        expect(calendar.workingTimeBetween(t, next)).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('adding working time in two steps equals adding it at once', () => {
    fc.assert(
      fc.property(anyMs, duration, duration, (t, d1, d2) => {
        const mid = calendar.addWorkingTime(t, d1);
        // A budget used up at 18:00 stops there; the second step then starts from the next period.
        expect(calendar.addWorkingTime(mid, d2)).toBe(calendar.addWorkingTime(t, d1 + d2));
      }),
      { numRuns: 500 },
    );
  });
});

describe('incidentTargets matches the oracle (S10 tiers, S2 repair)', () => {
  const { calendar, oracle } = calendars[0];
  const tightened: SlaPolicy = {
    ...CONTRACT_POLICY,
    version: 2,
    overrides: [
      { priority: 'P1', respondMinutes: 15, onSiteMinutes: 45, repairWorkingDays: 1 },
      { systemId: 'pacs', respondMinutes: 45 },
    ],
  };

  it.each([
    ['contract policy', CONTRACT_POLICY],
    ['tightened policy', tightened],
  ])('%s', (_name, policy) => {
    fc.assert(
      fc.property(
        instant,
        fc.constantFrom(...PRIORITIES),
        fc.constantFrom(undefined, 'pacs', 'lis'),
        fc.boolean(),
        (reportedAt, priority, systemId, dataRepair) => {
          const input = { reportedAt, priority, systemId, dataRepair };
          const engine = incidentTargets(policy, calendar, input);
          const expected = oracleIncidentTargets(oracle, policy, input);
          expect({
            tier: engine.tier,
            respondDeadline: engine.respond.deadline,
            onSiteDeadline: engine.onSite.deadline,
            repairDeadline: engine.repair.deadline,
            calendarCovered: engine.calendarCovered,
          }).toEqual(expected);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('the oracle sees the instant in Shanghai, not in the process zone', () => {
    // Friday 2026-03-06 08:00 in Shanghai is 00:00 UTC; any process-zone reading would misplace it.
    const friday8 = Date.parse('2026-03-06T08:00:00+08:00');
    expect((friday8 + SHANGHAI_MS) % DAY_MS).toBe(8 * 60 * MINUTE_MS);
    expect(oracleIsWorkingMinute(oracle, friday8)).toBe(true);
    expect(oracleIsWorkingMinute(oracle, friday8 - MINUTE_MS)).toBe(false);
  });
});
