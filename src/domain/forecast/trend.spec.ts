import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { HOUR_MS, MINUTE_MS } from '../time';
import { DEFAULT_HORIZON_MS, forecastBackupAge, forecastTrend } from './forecast';
import { Sample, TrendFit, crossing, fitHolt, fitLeastSquares, valueAt } from './trend';

/** The trend arithmetic of fault prediction (P2) on series whose answer is known. */
const T0 = Date.parse('2026-03-02T00:00:00+08:00');
const GB = 1e9;

/** n samples every `stepMs` from T0 of f(hours since T0). */
function series(n: number, stepMs: number, f: (hours: number, i: number) => number): Sample[] {
  return Array.from({ length: n }, (_, i) => ({ t: T0 + i * stepMs, v: f((i * stepMs) / HOUR_MS, i) }));
}

/** A small deterministic noise (a linear congruential generator), so "noisy" series are the same on every run. */
function noise(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32 - 0.5;
  };
}

const sse = (samples: Sample[], level: number, slope: number, at: number) => samples.reduce((sum, s) => sum + (s.v - (level + slope * (s.t - at))) ** 2, 0);

describe('least squares', () => {
  it('recovers an exact line: slope, level, no error, r² = 1', () => {
    // 500 GB free, losing 2 GB an hour, sampled every 5 minutes for a day.
    const s = series(289, 5 * MINUTE_MS, (h) => 500 * GB - 2 * GB * h);
    const fit = fitLeastSquares(s)!;
    expect(fit.n).toBe(289);
    expect(fit.slope * HOUR_MS).toBeCloseTo(-2 * GB, 0);
    expect(fit.level).toBeCloseTo(500 * GB - 48 * GB, -1);
    expect(fit.at).toBe(T0 + 24 * HOUR_MS);
    expect(fit.residualStdError / GB).toBeLessThan(1e-6);
    expect(fit.r2).toBe(1);
  });

  it('says nothing from fewer than 3 samples or samples at one instant', () => {
    expect(fitLeastSquares([])).toBeNull();
    expect(fitLeastSquares(series(2, MINUTE_MS, (h) => h))).toBeNull();
    expect(fitLeastSquares([{ t: T0, v: 1 }, { t: T0, v: 2 }, { t: T0, v: 3 }])).toBeNull();
    // Non-finite samples (a gap Prometheus reports as NaN) are left out, not fitted.
    expect(fitLeastSquares([{ t: T0, v: NaN }, { t: T0 + 1, v: 1 }, { t: T0 + 2, v: Infinity }])).toBeNull();
  });

  it('is the minimum: no nearby line has a smaller squared error (property, against the definition)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: 3, max: 60 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        (slopePerHour, intercept, n, seed, amplitude) => {
          const r = noise(seed);
          const s = series(n, MINUTE_MS, (h) => intercept + slopePerHour * h + amplitude * r());
          const fit = fitLeastSquares(s)!;
          const best = sse(s, fit.level, fit.slope, fit.at);
          const scale = 1e-3 * (Math.abs(fit.slope) + 1e-9);
          for (const [dl, ds] of [[amplitude * 1e-3, 0], [-amplitude * 1e-3, 0], [0, scale], [0, -scale]]) {
            expect(sse(s, fit.level + dl, fit.slope + ds, fit.at)).toBeGreaterThanOrEqual(best * (1 - 1e-9) - 1e-9);
          }
          expect(fit.r2).toBeGreaterThanOrEqual(0);
          expect(fit.r2).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('recovers the slope of a noisy line within its own error bars', () => {
    const r = noise(7);
    // 2 GB an hour down with ±5 GB of jitter (logs rotating, temp files).
    const s = series(289, 5 * MINUTE_MS, (h) => 500 * GB - 2 * GB * h + 10 * GB * r());
    const fit = fitLeastSquares(s)!;
    expect(Math.abs(fit.slope * HOUR_MS + 2 * GB)).toBeLessThan(2 * fit.slopeStdError * HOUR_MS);
    expect(fit.slopeStdError).toBeGreaterThan(0);
    expect(fit.residualStdError / GB).toBeGreaterThan(2);
    expect(fit.residualStdError / GB).toBeLessThan(4);
    expect(fit.r2).toBeGreaterThan(0.8);
    expect(fit.r2).toBeLessThan(1);
  });
});

describe("Holt's linear trend", () => {
  it('recovers an exact line', () => {
    const fit = fitHolt(series(100, MINUTE_MS, (h) => 100 + 60 * h))!;
    expect(fit.slope * HOUR_MS).toBeCloseTo(60, 6);
    expect(fit.level).toBeCloseTo(100 + 99, 6);
    expect(fit.residualStdError).toBeCloseTo(0, 6);
  });

  it('follows a change of pace sooner than least squares over the same window', () => {
    // Flat for 20 hours, then 10 GB an hour down for the last 4 (a runaway log).
    const s = series(25 * 12, 5 * MINUTE_MS, (h) => (h <= 20 ? 300 * GB : 300 * GB - 10 * GB * (h - 20)));
    const holt = fitHolt(s)!;
    const ls = fitLeastSquares(s)!;
    expect(holt.slope * HOUR_MS).toBeLessThan(-9 * GB);
    expect(ls.slope * HOUR_MS).toBeGreaterThan(-5 * GB);
    expect(Math.abs(valueAt(holt, holt.at) - s[s.length - 1].v)).toBeLessThan(GB);
  });

  it('handles uneven spacing (a missed scrape) as a longer step', () => {
    const s = series(60, MINUTE_MS, (h) => 1000 - 120 * h).filter((_, i) => i % 7 !== 3);
    const fit = fitHolt(s)!;
    expect(fit.slope * HOUR_MS).toBeCloseTo(-120, 6);
  });
});

describe('crossing a limit', () => {
  const line = (level: number, perHour: number, stdErr = 0): TrendFit => ({
    method: 'least_squares',
    n: 100,
    level,
    slope: perHour / HOUR_MS,
    at: T0,
    slopeStdError: stdErr / HOUR_MS,
    residualStdError: 0,
    r2: 1,
  });

  it('is when the line reaches the limit, with a band from the slope error', () => {
    const hit = crossing(line(100, -2, 0.5), 0, 'falling', T0)!;
    expect((hit.at - T0) / HOUR_MS).toBeCloseTo(50, 9);
    expect((hit.earliest - T0) / HOUR_MS).toBeCloseTo(100 / 3, 9);
    expect((hit.latest! - T0) / HOUR_MS).toBeCloseTo(100, 9);
    // Seen later, less is left.
    expect((crossing(line(100, -2), 0, 'falling', T0 + 10 * HOUR_MS)!.at - T0) / HOUR_MS).toBeCloseTo(50, 9);
  });

  it('is never for a flat line, a line heading away, or a slope within its noise', () => {
    expect(crossing(line(100, 0), 0, 'falling', T0)).toBeNull();
    expect(crossing(line(100, 1), 0, 'falling', T0)).toBeNull();
    expect(crossing(line(100, -1), 200, 'rising', T0)).toBeNull();
    expect(crossing(line(100, -1, 0.6), 0, 'falling', T0)).toBeNull();
  });

  it('widens the band as the slope error grows towards the significance limit', () => {
    const hit = crossing(line(100, -1, 0.45), 0, 'falling', T0)!;
    expect((hit.earliest - T0) / HOUR_MS).toBeCloseTo(100 / 1.9, 6);
    expect((hit.latest - T0) / HOUR_MS).toBeCloseTo(1000, 6);
  });

  it('is now when the limit is already passed', () => {
    expect(crossing(line(-5, -1), 0, 'falling', T0)).toEqual({ at: T0, earliest: T0, latest: T0 });
    expect(crossing(line(120, 1), 100, 'rising', T0)!.at).toBe(T0);
  });
});

describe('forecasts', () => {
  const now = T0 + 6 * HOUR_MS;

  it('a disk filling at a steady pace: time to full, confidence, inside the 72 h horizon', () => {
    // 100 GB free at T0, 1 GB an hour: full 100 h after T0, 94 h after now.
    const f = forecastTrend({ kind: 'filesystem_fill', samples: series(73, 5 * MINUTE_MS, (h) => 100 * GB - GB * h), limit: 0, direction: 'falling', now });
    expect(f.outcome).toBe('trend');
    expect(f.timeToExhaustionMs! / HOUR_MS).toBeCloseTo(94, 3);
    expect(f.exhaustionAt).toBe(T0 + 100 * HOUR_MS);
    expect(f.confidence).toBe(1);
    expect(f.withinHorizon).toBe(false);
    expect(f.horizonMs).toBe(DEFAULT_HORIZON_MS);
    const sooner = forecastTrend({ kind: 'filesystem_fill', samples: series(73, 5 * MINUTE_MS, (h) => 50 * GB - GB * h), limit: 0, direction: 'falling', now });
    expect(sooner.timeToExhaustionMs! / HOUR_MS).toBeCloseTo(44, 3);
    expect(sooner.withinHorizon).toBe(true);
    expect(sooner.fit).toMatchObject({ samples: 73, r2: 1, from: T0, to: now });
    expect(sooner.fit!.slopePerHour / GB).toBeCloseTo(-1, 6);
  });

  it('a flat or noisy-flat series predicts nothing', () => {
    const flat = forecastTrend({ kind: 'filesystem_fill', samples: series(73, 5 * MINUTE_MS, () => 40 * GB), limit: 0, direction: 'falling', now });
    expect(flat).toMatchObject({ outcome: 'no_trend', exhaustionAt: null, timeToExhaustionMs: null, withinHorizon: false });
    const r = noise(3);
    const jitter = forecastTrend({ kind: 'memory_exhaustion', samples: series(73, 5 * MINUTE_MS, () => 8 * GB + GB * r()), limit: 0, direction: 'falling', now });
    expect(jitter).toMatchObject({ outcome: 'no_trend', exhaustionAt: null, withinHorizon: false });
  });

  it('database connections rising towards max_connections', () => {
    const r = noise(11);
    // 100 → 400 of 500 over 6 h with ±10 of jitter: 500 is reached about 2 h after now.
    const f = forecastTrend({ kind: 'db_connections', samples: series(73, 5 * MINUTE_MS, (h) => 100 + 50 * h + 20 * r()), limit: 500, direction: 'rising', now });
    expect(f.outcome).toBe('trend');
    expect(f.timeToExhaustionMs! / HOUR_MS).toBeGreaterThan(1.8);
    expect(f.timeToExhaustionMs! / HOUR_MS).toBeLessThan(2.2);
    expect(f.earliest!).toBeLessThan(f.exhaustionAt!);
    expect(f.latest!).toBeGreaterThan(f.exhaustionAt!);
    expect(f.confidence).toBeGreaterThan(0.95);
    expect(f.confidence).toBeLessThan(1);
    expect(f.withinHorizon).toBe(true);
  });

  it('already exhausted, too few samples, a custom horizon, and Holt on request', () => {
    expect(forecastTrend({ kind: 'filesystem_fill', samples: series(10, MINUTE_MS, () => 0), limit: 0, direction: 'falling', now })).toMatchObject({ outcome: 'exhausted', timeToExhaustionMs: 0, withinHorizon: true });
    expect(forecastTrend({ kind: 'filesystem_fill', samples: series(4, MINUTE_MS, (h) => 10 - h), limit: 0, direction: 'falling', now })).toMatchObject({ outcome: 'insufficient_data', exhaustionAt: null });
    const s = series(73, 5 * MINUTE_MS, (h) => 100 - h);
    expect(forecastTrend({ kind: 'filesystem_fill', samples: s, limit: 0, direction: 'falling', now, horizonMs: 100 * HOUR_MS }).withinHorizon).toBe(true);
    const holt = forecastTrend({ kind: 'filesystem_fill', samples: s, limit: 0, direction: 'falling', now, method: 'holt' });
    expect(holt).toMatchObject({ method: 'holt', outcome: 'trend' });
    expect(holt.timeToExhaustionMs! / HOUR_MS).toBeCloseTo(94, 3);
  });

  it('backup age: nothing while backups run on schedule; after a missed night, when the RPO is passed', () => {
    const day = 24 * HOUR_MS;
    const onSchedule = forecastBackupAge({ lastSuccessAt: now - 20 * HOUR_MS, expectedIntervalMs: day, maxAgeMs: 2 * day, now });
    expect(onSchedule).toMatchObject({ outcome: 'no_trend', withinHorizon: false, current: 20 * HOUR_MS });
    const missed = forecastBackupAge({ lastSuccessAt: now - 30 * HOUR_MS, expectedIntervalMs: day, maxAgeMs: 2 * day, now });
    expect(missed).toMatchObject({ outcome: 'trend', method: 'deadline', timeToExhaustionMs: 18 * HOUR_MS, exhaustionAt: now + 18 * HOUR_MS, withinHorizon: true, confidence: 1 });
    expect(forecastBackupAge({ lastSuccessAt: now - 50 * HOUR_MS, expectedIntervalMs: day, maxAgeMs: 2 * day, now })).toMatchObject({ outcome: 'exhausted', timeToExhaustionMs: 0, withinHorizon: true });
  });
});
