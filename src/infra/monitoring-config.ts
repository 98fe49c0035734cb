import { PrometheusHttp } from '../adapters/monitoring/prometheus';
import { invalidInput } from '../domain/errors';
import { DEFAULT_HORIZON_MS } from '../domain/forecast/forecast';
import { TrendMethod } from '../domain/forecast/trend';
import { HOUR_MS, MINUTE_MS } from '../domain/time';

/** Where the hospital's Prometheus is, and how alerts and forecasts behave (P2, P3). */
export interface MonitoringConfig {
  /** The Prometheus that scrapes the hospital (WARDLINE_PROMETHEUS_URL); without it no forecasts or metric pages. */
  prometheusUrl: string | undefined;
  /** A bearer token, when that Prometheus sits behind one (WARDLINE_PROMETHEUS_TOKEN). */
  prometheusToken: string | undefined;
  /** Shorter than the forecast activity's own timeout (GUIDE: adapter timeouts under their activity's). */
  prometheusTimeoutMs: number;
  /** A group that fires again this soon after its alerts cleared reopens its incident (flapping). */
  flapWindowMs: number;
  forecast: {
    everyMs: number;
    horizonMs: number;
    windowMs: number;
    stepMs: number;
    method: TrendMethod;
    /** The longest gap between good backups the hospital accepts, and the age past which a run counts as missed. */
    backupMaxAgeMs: number;
    backupIntervalMs: number;
  };
  /** The worker's Prometheus endpoint for Temporal's SDK metrics (host:port), or off. */
  workerMetricsAddress: string | undefined;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number, unitMs: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw invalidInput(name, 'must be a positive number');
  return Math.round(n * unitMs);
}

export function loadMonitoringConfig(env: NodeJS.ProcessEnv): MonitoringConfig {
  const method = (env.WARDLINE_FORECAST_METHOD || 'least_squares') as TrendMethod;
  if (method !== 'least_squares' && method !== 'holt') throw invalidInput('WARDLINE_FORECAST_METHOD', 'must be least_squares or holt');
  const url = env.WARDLINE_PROMETHEUS_URL || undefined;
  if (url && !/^https?:\/\/[^/@]+(\/.*)?$/.test(url)) throw invalidInput('WARDLINE_PROMETHEUS_URL', 'must be an http(s) URL without credentials (use WARDLINE_PROMETHEUS_TOKEN)');
  return {
    prometheusUrl: url?.replace(/\/+$/, ''),
    prometheusToken: env.WARDLINE_PROMETHEUS_TOKEN || undefined,
    prometheusTimeoutMs: positive(env, 'WARDLINE_PROMETHEUS_TIMEOUT_MS', 10_000, 1),
    flapWindowMs: positive(env, 'WARDLINE_ALERT_FLAP_MINUTES', 30 * MINUTE_MS, MINUTE_MS),
    forecast: {
      everyMs: positive(env, 'WARDLINE_FORECAST_EVERY_MINUTES', 15 * MINUTE_MS, MINUTE_MS),
      horizonMs: positive(env, 'WARDLINE_FORECAST_HORIZON_HOURS', DEFAULT_HORIZON_MS, HOUR_MS),
      windowMs: positive(env, 'WARDLINE_FORECAST_WINDOW_HOURS', 24 * HOUR_MS, HOUR_MS),
      stepMs: positive(env, 'WARDLINE_FORECAST_STEP_SECONDS', 5 * MINUTE_MS, 1000),
      method,
      backupMaxAgeMs: positive(env, 'WARDLINE_BACKUP_MAX_AGE_HOURS', 48 * HOUR_MS, HOUR_MS),
      backupIntervalMs: positive(env, 'WARDLINE_BACKUP_INTERVAL_HOURS', 26 * HOUR_MS, HOUR_MS),
    },
    workerMetricsAddress: env.WARDLINE_WORKER_METRICS_ADDRESS || undefined,
  };
}

/** The hospital's Prometheus, when configured (P2). */
export function prometheusOf(config: { monitoring: MonitoringConfig }): PrometheusHttp | null {
  const m = config.monitoring;
  return m.prometheusUrl ? new PrometheusHttp(m.prometheusUrl, { timeoutMs: m.prometheusTimeoutMs, token: m.prometheusToken }) : null;
}
