import { HOUR_MS } from '../time';
import { Direction, Sample, TrendFit, TrendMethod, crossing, fitTrend } from './trend';

/**
 * Fault prediction (P2 故障预判): what will run out, when, how sure we are, and whether it falls inside the horizon in
 * which Wardline opens a preventive incident (72 h by default: a long weekend, time to order a disk).
 */
export const FORECAST_KINDS = ['filesystem_fill', 'memory_exhaustion', 'db_connections', 'backup_age'] as const;
export type ForecastKind = (typeof FORECAST_KINDS)[number];

export const FORECAST_LABELS: Record<ForecastKind, { zh: string; en: string }> = {
  filesystem_fill: { zh: '磁盘将写满', en: 'filesystem will fill' },
  memory_exhaustion: { zh: '内存将耗尽', en: 'memory will run out' },
  db_connections: { zh: '数据库连接数将耗尽', en: 'database connections will run out' },
  backup_age: { zh: '备份将超期', en: 'last good backup will be too old' },
};

export const DEFAULT_HORIZON_MS = 72 * HOUR_MS;

export type ForecastOutcome =
  /** A believable trend reaches the limit (inside the horizon or not). */
  | 'trend'
  /** The limit is already reached. */
  | 'exhausted'
  /** The series is flat, heads away from the limit, or its trend is lost in the noise. */
  | 'no_trend'
  /** Too few samples, or too short a span, to say anything. */
  | 'insufficient_data';

export interface Forecast {
  kind: ForecastKind;
  method: TrendMethod | 'deadline';
  outcome: ForecastOutcome;
  /** The newest sample (backup_age: the age now, in ms). */
  current: number;
  limit: number;
  direction: Direction;
  exhaustionAt: number | null;
  timeToExhaustionMs: number | null;
  /** The believable band of the crossing (slope ± 2 standard errors). */
  earliest: number | null;
  latest: number | null;
  /** 0..1: the share of the series' variance the trend explains (1 for a deadline that is simply known). */
  confidence: number;
  withinHorizon: boolean;
  horizonMs: number;
  fit: { slopePerHour: number; residualStdError: number; r2: number; samples: number; from: number; to: number } | null;
}

export interface TrendForecastInput {
  kind: Exclude<ForecastKind, 'backup_age'>;
  samples: readonly Sample[];
  /** The value that means exhaustion: 0 bytes free, max_connections in use. */
  limit: number;
  direction: Direction;
  now: number;
  horizonMs?: number;
  method?: TrendMethod;
  /** Fewer samples, or a shorter span, say nothing (default 5 samples over 4 of their gaps). */
  minSamples?: number;
  minSpanMs?: number;
}

function empty(input: { kind: ForecastKind; limit: number; direction: Direction; horizonMs: number }, outcome: ForecastOutcome, current: number, method: Forecast['method']): Forecast {
  return {
    kind: input.kind,
    method,
    outcome,
    current,
    limit: input.limit,
    direction: input.direction,
    exhaustionAt: null,
    timeToExhaustionMs: null,
    earliest: null,
    latest: null,
    confidence: 0,
    withinHorizon: false,
    horizonMs: input.horizonMs,
    fit: null,
  };
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Fits the series and says when it reaches its limit. */
export function forecastTrend(input: TrendForecastInput): Forecast {
  const horizonMs = input.horizonMs ?? DEFAULT_HORIZON_MS;
  const method = input.method ?? 'least_squares';
  const samples = input.samples.filter((s) => Number.isFinite(s.t) && Number.isFinite(s.v)).slice().sort((a, b) => a.t - b.t);
  const base = { ...input, horizonMs };
  const current = samples.length ? samples[samples.length - 1].v : NaN;
  const minSamples = Math.max(3, input.minSamples ?? 5);
  const span = samples.length ? samples[samples.length - 1].t - samples[0].t : 0;
  if (samples.length < minSamples || span <= (input.minSpanMs ?? 0)) return empty(base, 'insufficient_data', current, method);
  const fit: TrendFit | null = fitTrend(samples, method);
  if (!fit) return empty(base, 'insufficient_data', current, method);
  const fitView = {
    slopePerHour: fit.slope * HOUR_MS,
    residualStdError: fit.residualStdError,
    r2: round(fit.r2),
    samples: fit.n,
    from: samples[0].t,
    to: samples[samples.length - 1].t,
  };
  const sign = input.direction === 'falling' ? -1 : 1;
  // A limit already passed by the newest sample is exhaustion now, whatever the line says.
  if (sign * (input.limit - current) <= 0) {
    return { ...empty(base, 'exhausted', current, method), exhaustionAt: input.now, timeToExhaustionMs: 0, earliest: input.now, latest: input.now, confidence: 1, withinHorizon: true, fit: fitView };
  }
  const hit = crossing(fit, input.limit, input.direction, input.now);
  if (!hit) return { ...empty(base, 'no_trend', current, method), confidence: round(fit.r2), fit: fitView };
  const timeToExhaustionMs = Math.max(0, hit.at - input.now);
  return {
    kind: input.kind,
    method,
    outcome: 'trend',
    current,
    limit: input.limit,
    direction: input.direction,
    exhaustionAt: Math.round(hit.at),
    timeToExhaustionMs: Math.round(timeToExhaustionMs),
    earliest: Math.round(hit.earliest),
    latest: Math.round(hit.latest),
    confidence: round(fit.r2),
    withinHorizon: timeToExhaustionMs <= horizonMs,
    horizonMs,
    fit: fitView,
  };
}

/**
 * The age of the last good backup is no trend to fit: it grows one second a second until the next success. While the
 * backups run on schedule (the age stays under the expected interval) nothing is predicted; once a run is missed, the
 * forecast is when the age passes the longest gap the hospital accepts (its recovery point objective).
 */
export function forecastBackupAge(input: { lastSuccessAt: number; expectedIntervalMs: number; maxAgeMs: number; now: number; horizonMs?: number }): Forecast {
  const horizonMs = input.horizonMs ?? DEFAULT_HORIZON_MS;
  const age = Math.max(0, input.now - input.lastSuccessAt);
  const due = input.lastSuccessAt + input.maxAgeMs;
  const timeToExhaustionMs = Math.max(0, due - input.now);
  const outcome: ForecastOutcome = timeToExhaustionMs === 0 ? 'exhausted' : age > input.expectedIntervalMs ? 'trend' : 'no_trend';
  return {
    kind: 'backup_age',
    method: 'deadline',
    outcome,
    current: age,
    limit: input.maxAgeMs,
    direction: 'rising',
    exhaustionAt: due,
    timeToExhaustionMs,
    earliest: due,
    latest: due,
    confidence: 1,
    withinHorizon: outcome !== 'no_trend' && timeToExhaustionMs <= horizonMs,
    horizonMs,
    fit: null,
  };
}
