/**
 * Trend arithmetic for fault prediction (P2 故障预判): a straight line through a metric's recent samples, with the
 * fit's error, and when that line crosses a limit. Two fits: ordinary least squares over the whole window (steady
 * growth such as log files and archives) and Holt's linear trend (double exponential smoothing, which follows a
 * change of pace sooner). Pure: instants come in with the samples.
 */

export interface Sample {
  /** Epoch milliseconds. */
  t: number;
  v: number;
}

export type TrendMethod = 'least_squares' | 'holt';

/** A fitted line: value(t) = level + slope × (t − at). */
export interface TrendFit {
  method: TrendMethod;
  /** Samples used. */
  n: number;
  /** Value of the line at `at`. */
  level: number;
  /** Units per millisecond. */
  slope: number;
  /** The instant `level` belongs to: the last sample's time. */
  at: number;
  /** Standard error of the slope (least squares), or its smoothed estimate (Holt); units per millisecond. */
  slopeStdError: number;
  /** Residual standard error of the values around the line (Holt: of its one-step-ahead forecasts). */
  residualStdError: number;
  /** Share of the variance the line explains, 0..1 (Holt: against its one-step-ahead forecasts). */
  r2: number;
}

/** How many standard errors make a trend believable and bound its crossing time (about 95 %). */
export const SIGNIFICANCE = 2;

export function valueAt(fit: TrendFit, t: number): number {
  return fit.level + fit.slope * (t - fit.at);
}

function finite(samples: readonly Sample[]): Sample[] {
  return samples.filter((s) => Number.isFinite(s.t) && Number.isFinite(s.v)).sort((a, b) => a.t - b.t);
}

/** r² with a flat series explaining nothing (there is no variance to explain). */
function rSquared(sse: number, sst: number): number {
  if (sst <= 0) return 0;
  return Math.min(1, Math.max(0, 1 - sse / sst));
}

/** Ordinary least squares; null with fewer than 3 samples or no spread in time. */
export function fitLeastSquares(samples: readonly Sample[]): TrendFit | null {
  const s = finite(samples);
  const n = s.length;
  if (n < 3) return null;
  // Times are shifted to the first sample so epoch milliseconds do not swamp the sums.
  const t0 = s[0].t;
  let mx = 0;
  let my = 0;
  for (const p of s) {
    mx += p.t - t0;
    my += p.v;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  let sst = 0;
  for (const p of s) {
    const dx = p.t - t0 - mx;
    sxx += dx * dx;
    sxy += dx * (p.v - my);
    sst += (p.v - my) ** 2;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (const p of s) sse += (p.v - (intercept + slope * (p.t - t0))) ** 2;
  const residualStdError = Math.sqrt(sse / (n - 2));
  const last = s[n - 1].t;
  return {
    method: 'least_squares',
    n,
    level: intercept + slope * (last - t0),
    slope,
    at: last,
    slopeStdError: residualStdError / Math.sqrt(sxx),
    residualStdError,
    r2: rSquared(sse, sst),
  };
}

export interface HoltOptions {
  /** Weight of the newest value in the level, 0..1. */
  alpha: number;
  /** Weight of the newest change in the trend, 0..1. */
  beta: number;
}

export const DEFAULT_HOLT: HoltOptions = { alpha: 0.5, beta: 0.2 };

/**
 * Holt's linear trend on samples that may be unevenly spaced: the trend is per millisecond and the step is each gap.
 * Its error is that of the one-step-ahead forecasts, which are honest: each is made before its sample is seen.
 */
export function fitHolt(samples: readonly Sample[], options: HoltOptions = DEFAULT_HOLT): TrendFit | null {
  const s = finite(samples);
  const n = s.length;
  if (n < 3 || s[n - 1].t === s[0].t) return null;
  const { alpha, beta } = options;
  // Start from the first two distinct instants.
  let k = 1;
  while (k < n && s[k].t === s[0].t) k++;
  let level = s[0].v;
  let trend = (s[k].v - s[0].v) / (s[k].t - s[0].t);
  let prevT = s[0].t;
  let sse = 0;
  let errors = 0;
  // The trend's own wobble from step to step stands in for a slope error.
  let trendVar = 0;
  let mean = 0;
  for (const p of s) mean += p.v / n;
  let sst = 0;
  for (let i = 1; i < n; i++) {
    const p = s[i];
    const dt = p.t - prevT;
    const predicted = level + trend * dt;
    if (i >= k) {
      sse += (p.v - predicted) ** 2;
      sst += (p.v - mean) ** 2;
      errors++;
    }
    const nextLevel = alpha * p.v + (1 - alpha) * predicted;
    const nextTrend = dt > 0 ? beta * ((nextLevel - level) / dt) + (1 - beta) * trend : trend;
    trendVar = (1 - beta) * trendVar + beta * (nextTrend - trend) ** 2;
    level = nextLevel;
    trend = nextTrend;
    prevT = p.t;
  }
  const residualStdError = errors > 0 ? Math.sqrt(sse / errors) : 0;
  return {
    method: 'holt',
    n,
    level,
    slope: trend,
    at: prevT,
    slopeStdError: Math.sqrt(trendVar),
    residualStdError,
    r2: rSquared(sse, sst),
  };
}

export function fitTrend(samples: readonly Sample[], method: TrendMethod, holt: HoltOptions = DEFAULT_HOLT): TrendFit | null {
  return method === 'holt' ? fitHolt(samples, holt) : fitLeastSquares(samples);
}

export type Direction = 'falling' | 'rising';

export interface Crossing {
  /** When the line reaches the limit (`now` if it already has). */
  at: number;
  /** The band of the slope ± SIGNIFICANCE standard errors: the earliest and latest believable crossing. */
  earliest: number;
  latest: number;
}

/**
 * When the fitted line crosses `limit` going in `direction`, seen from `now`; null when the trend does not head there
 * or is not told apart from noise (|slope| ≤ SIGNIFICANCE standard errors): a flat series predicts nothing.
 */
export function crossing(fit: TrendFit, limit: number, direction: Direction, now: number): Crossing | null {
  const sign = direction === 'falling' ? -1 : 1;
  const current = valueAt(fit, now);
  const toGo = sign * (limit - current);
  if (toGo <= 0) return { at: now, earliest: now, latest: now };
  const speed = sign * fit.slope;
  if (!(speed > 0) || speed <= SIGNIFICANCE * fit.slopeStdError) return null;
  // The trend passed the significance test, so even its slow edge heads to the limit.
  return {
    at: now + toGo / speed,
    earliest: now + toGo / (speed + SIGNIFICANCE * fit.slopeStdError),
    latest: now + toGo / (speed - SIGNIFICANCE * fit.slopeStdError),
  };
}
