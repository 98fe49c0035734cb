import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { HOUR_MS, OutageInterval, OutageSource, clipInterval, downtimeBySystem, mergeIntervals, revenueAtStake, roundHours, totalMs } from './intervals';

/**
 * S9 downtime against an independent oracle: time is cut into unit steps and each step is down when any input
 * interval covers it. Intervals live on a small integer grid so the oracle can count every step.
 */
const GRID = 200;
const interval = fc
  .tuple(fc.integer({ min: 0, max: GRID }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 30 }))
  .map(([start, length, n]): OutageInterval => ({ start, end: start + length, incidents: [`INC-${n}`] }));

function oracleDownSteps(intervals: readonly { start: number; end: number }[]): Set<number> {
  const down = new Set<number>();
  for (const i of intervals) for (let t = i.start; t < i.end; t++) down.add(t);
  return down;
}

describe('mergeIntervals (S9)', () => {
  it('covers exactly the steps the inputs cover, with sorted, disjoint, non-touching intervals', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 25 }), (input) => {
        const merged = mergeIntervals(input);
        expect(oracleDownSteps(merged)).toEqual(oracleDownSteps(input));
        expect(totalMs(merged)).toBe(oracleDownSteps(input).size);
        for (let k = 1; k < merged.length; k++) expect(merged[k].start).toBeGreaterThan(merged[k - 1].end);
        for (const m of merged) expect(m.end).toBeGreaterThan(m.start);
      }),
    );
  });

  it('keeps every incident behind the stretch it overlaps, each once, and no other', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 25 }), (input) => {
        const merged = mergeIntervals(input);
        for (const m of merged) {
          const expected = [...new Set(input.filter((i) => i.end > i.start && i.start <= m.end && i.end >= m.start).flatMap((i) => i.incidents))].sort();
          expect(m.incidents).toEqual(expected);
        }
      }),
    );
  });

  it('is idempotent and does not depend on input order', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 20 }), (input) => {
        const merged = mergeIntervals(input);
        expect(mergeIntervals(merged)).toEqual(merged);
        expect(mergeIntervals([...input].reverse())).toEqual(merged);
      }),
    );
  });

  it('merges overlapping and touching outages and keeps gaps apart', () => {
    const merged = mergeIntervals([
      { start: 10, end: 20, incidents: ['INC-2'] },
      { start: 0, end: 12, incidents: ['INC-1'] },
      { start: 20, end: 25, incidents: ['INC-3'] },
      { start: 30, end: 31, incidents: ['INC-4'] },
      { start: 40, end: 40, incidents: ['INC-5'] },
    ]);
    expect(merged).toEqual([
      { start: 0, end: 25, incidents: ['INC-1', 'INC-2', 'INC-3'] },
      { start: 30, end: 31, incidents: ['INC-4'] },
    ]);
  });
});

describe('clipInterval', () => {
  it('keeps the part inside the range; an open outage runs until the given instant', () => {
    expect(clipInterval({ start: 5, end: 50 }, 10, 40, 100)).toEqual({ start: 10, end: 40 });
    expect(clipInterval({ start: 5, end: null }, 0, 40, 30)).toEqual({ start: 5, end: 30 });
    expect(clipInterval({ start: 50, end: 60 }, 0, 40, 100)).toBeNull();
    expect(clipInterval({ start: 0, end: 10 }, 10, 40, 100)).toBeNull();
  });
});

describe('revenue at stake', () => {
  it('is revenue per hour × hours, to the fen, from the milliseconds', () => {
    expect(revenueAtStake(2 * HOUR_MS, 12_000)).toBe(24_000);
    expect(revenueAtStake(90 * 60_000, 1000.5)).toBe(1500.75);
    // One third of an hour at 100 yuan: 33.333… → 33.33
    expect(revenueAtStake(20 * 60_000, 100)).toBe(33.33);
    expect(revenueAtStake(HOUR_MS, null)).toBeNull();
    expect(roundHours(20 * 60_000)).toBe(0.33);
  });

  it('agrees with hours × rate for any whole number of minutes and rate in fen', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 * 24 * 31 }), fc.integer({ min: 0, max: 10_000_000 }), (minutes, fen) => {
        // Exact in integers: fen per hour × minutes / 60 fen, rounded half up.
        const expectedFen = Math.round((fen * minutes) / 60);
        expect(Math.round(revenueAtStake(minutes * 60_000, fen / 100)! * 100)).toBe(expectedFen);
      }),
    );
  });
});

describe('downtimeBySystem: dependants share the outage', () => {
  const src = (number: string, systemId: string, start: number, end: number | null): OutageSource => ({ incidentId: `id-${number}`, number, systemId, start, end });

  it('an outage of a system a dependant relies on counts for the dependant, merged with its own', () => {
    // LIS depends on the database platform DB; HIS depends on LIS.
    const deps: Record<string, string[]> = { DB: ['LIS', 'HIS'], LIS: ['HIS'] };
    const out = downtimeBySystem([src('INC-1', 'DB', 0, 10), src('INC-2', 'LIS', 5, 20), src('INC-3', 'HIS', 30, null)], (s) => deps[s] ?? [], { from: 0, to: 100 }, 40);
    const by = Object.fromEntries(out.map((d) => [d.systemId, d]));
    expect(Object.keys(by).sort()).toEqual(['DB', 'HIS', 'LIS']);
    expect(by.DB.intervals).toEqual([{ start: 0, end: 10, incidents: ['INC-1'] }]);
    expect(by.LIS.intervals).toEqual([{ start: 0, end: 20, incidents: ['INC-1', 'INC-2'] }]);
    expect(by.HIS.intervals).toEqual([
      { start: 0, end: 20, incidents: ['INC-1', 'INC-2'] },
      { start: 30, end: 40, incidents: ['INC-3'] },
    ]);
    expect(by.HIS.ms).toBe(30);
    expect(by.LIS.contributions.map((c) => [c.number, c.shared, c.originSystemId])).toEqual([
      ['INC-1', true, 'DB'],
      ['INC-2', false, 'LIS'],
    ]);
  });

  it('for any outages and dependency lists, each system is down exactly where it or what it depends on is', () => {
    const systems = ['A', 'B', 'C', 'D'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...systems), fc.integer({ min: 0, max: 150 }), fc.integer({ min: 0, max: 60 })), { maxLength: 12 }),
        fc.dictionary(fc.constantFrom(...systems), fc.subarray(systems)),
        (raw, deps) => {
          const sources = raw.map(([s, start, len], k) => src(`INC-${k}`, s, start, start + len));
          const range = { from: 20, to: 180 };
          const out = downtimeBySystem(sources, (s) => deps[s] ?? [], range, 1000);
          for (const sys of systems) {
            const reaching = sources.filter((o) => o.systemId === sys || (deps[o.systemId] ?? []).includes(sys));
            const expected = oracleDownSteps(reaching.map((o) => ({ start: Math.max(o.start, range.from), end: Math.min(o.end!, range.to) })));
            const got = out.find((d) => d.systemId === sys);
            expect(got ? got.ms : 0).toBe(expected.size);
            if (got) expect(oracleDownSteps(got.intervals)).toEqual(expected);
          }
        },
      ),
    );
  });
});
