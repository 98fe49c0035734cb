import { ApplicationFailure } from '@temporalio/common';
import { DataSource } from 'typeorm';
import { PrometheusError, PrometheusPort, PrometheusSeries } from '../adapters/monitoring/prometheus';
import { NormalizedAlert } from '../domain/alerts/alert';
import { lookupsFor } from '../domain/alerts/mapping';
import { FORECAST_LABELS, Forecast, ForecastKind, forecastBackupAge, forecastTrend } from '../domain/forecast/forecast';
import { DEFAULT_FORECAST_SPECS, ForecastSpec, seriesKey, withoutName } from '../domain/forecast/specs';
import { TrendMethod } from '../domain/forecast/trend';
import { HOUR_MS, formatInZone } from '../domain/time';
import { MappingCache } from '../persistence/alerts/mapping-store';
import { dropVanishedPredictions, predictionsWithinHorizon, writePrediction } from '../persistence/prediction-store';

/** How a run forecasts; durations are arguments so tests shrink them (no time skipping). */
export interface ForecastSettings {
  /** How much history each fit reads, and the step between its samples. */
  windowMs: number;
  stepMs: number;
  horizonMs: number;
  method: TrendMethod;
  backupMaxAgeMs: number;
  backupIntervalMs: number;
  /** Default: DEFAULT_FORECAST_SPECS. */
  specs?: ForecastSpec[];
  /** Zone offset for the preventive incident's text. */
  utcOffsetMinutes: number;
}

export interface ForecastRunSummary {
  runId: string;
  at: number;
  series: number;
  trends: number;
  withinHorizon: { seriesKey: string; kind: ForecastKind; itemId: string | null; exhaustionAt: number | null; timeToExhaustionMs: number | null }[];
  /** Preventive alerts handed to the alert intake: firing (inside the horizon) and resolved (back out of it). */
  preventive: { firing: number; resolved: number };
  vanished: string[];
  /** Queries Prometheus refused; the run went on with the others. */
  errors: string[];
}

/** Where preventive alerts go: the alert intake, which opens (or adds to) one incident per system and forecast name. */
export interface PreventiveAlertSink {
  record(alerts: NormalizedAlert[], at: number): Promise<void>;
}

export interface ForecastActivityDeps {
  dataSource: DataSource;
  prometheus: PrometheusPort | null;
  preventive?: PreventiveAlertSink | null;
  mapping?: MappingCache;
}

interface Computed {
  key: string;
  spec: ForecastSpec;
  labels: Record<string, string>;
  forecast: Forecast;
  query: string;
}

const sameLabels = (a: Record<string, string>, b: Record<string, string>) => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

function fmtHours(ms: number | null): string {
  return ms === null ? '—' : (ms / HOUR_MS).toFixed(1);
}

/** The preventive alert of a forecast inside the horizon: what runs out where, when, how sure, from which series. */
function preventiveAlert(c: Computed, since: number, settings: ForecastSettings): NormalizedAlert {
  const f = c.forecast;
  const label = FORECAST_LABELS[c.spec.kind];
  const where = c.labels.wardline_ci ?? c.labels.instance ?? c.labels.backup ?? '';
  const at = f.exhaustionAt === null ? '—' : formatInZone(f.exhaustionAt, settings.utcOffsetMinutes);
  return {
    source: 'prediction',
    fingerprint: c.key,
    sourceGroupKey: null,
    alertname: c.spec.alertname,
    status: 'firing',
    severity: c.spec.severity,
    rawSeverity: c.spec.severity,
    labels: { ...c.labels, alertname: c.spec.alertname, forecast_kind: c.spec.kind },
    annotations: {
      summary: `预计 ${fmtHours(f.timeToExhaustionMs)} 小时后${label.zh} / ${label.en} in about ${fmtHours(f.timeToExhaustionMs)} h: ${where}`,
      description:
        `预计时间 / expected at ${at}；置信度 / confidence ${f.confidence.toFixed(2)}；方法 / method ${f.method}；` +
        `当前值 / now ${f.current}，界限 / limit ${f.limit}` +
        (f.fit ? `；拟合 / fit ${f.fit.samples} 个样本 / samples, r² ${f.fit.r2}, 斜率 / slope ${f.fit.slopePerHour.toPrecision(4)}/h` : '') +
        `；序列 / series ${c.query} ${JSON.stringify(c.labels)}`,
    },
    summary: `预计 ${fmtHours(f.timeToExhaustionMs)} 小时后${label.zh} / ${label.en} in about ${fmtHours(f.timeToExhaustionMs)} h: ${where}`.slice(0, 300),
    startsAt: since,
    endsAt: null,
  };
}

export function createForecastActivities(deps: ForecastActivityDeps) {
  const mapping = deps.mapping ?? new MappingCache();
  return {
    /**
     * One forecast run (P2): range queries to Prometheus, a trend fit per series (pure domain code), the newest forecast
     * per series stored, and a preventive alert for each forecast inside the horizon (resolved when it leaves it).
     * Prometheus down fails the attempt (Temporal retries it); a query Prometheus refuses is reported and skipped.
     */
    async runForecasts(input: { runId: string; at: number; settings: ForecastSettings }): Promise<ForecastRunSummary> {
      const prometheus = deps.prometheus;
      if (!prometheus) throw ApplicationFailure.nonRetryable('WARDLINE_PROMETHEUS_URL is not set: nothing to forecast from', 'MONITORING_NOT_CONFIGURED');
      const { at, settings, runId } = input;
      const specs = settings.specs ?? [...DEFAULT_FORECAST_SPECS];
      const errors: string[] = [];
      const computed: Computed[] = [];
      const covered = new Set<ForecastKind>();
      const failedKinds = new Set<ForecastKind>();
      for (const spec of specs) {
        try {
          if (spec.kind === 'backup_age') {
            for (const s of await prometheus.query(spec.query, at)) {
              const labels = withoutName(s.metric);
              const lastSuccessAt = s.points[0][1] * 1000;
              if (!Number.isFinite(lastSuccessAt)) continue;
              const forecast = forecastBackupAge({ lastSuccessAt, expectedIntervalMs: settings.backupIntervalMs, maxAgeMs: settings.backupMaxAgeMs, now: at, horizonMs: settings.horizonMs });
              computed.push({ key: seriesKey(spec.kind, labels), spec, labels, forecast, query: spec.query });
            }
          } else {
            const series = await prometheus.queryRange(spec.query, at - settings.windowMs, at, settings.stepMs);
            const limits: PrometheusSeries[] = 'query' in spec.limit ? await prometheus.query(spec.limit.query, at) : [];
            for (const s of series) {
              const labels = withoutName(s.metric);
              const limit = 'value' in spec.limit ? spec.limit.value : limits.find((l) => sameLabels(withoutName(l.metric), labels))?.points[0][1];
              if (limit === undefined || !Number.isFinite(limit)) {
                errors.push(`${spec.kind}: no limit series for ${JSON.stringify(labels)} from ${'query' in spec.limit ? spec.limit.query : ''}`);
                continue;
              }
              const forecast = forecastTrend({
                kind: spec.kind,
                samples: s.points.map(([t, v]) => ({ t, v })),
                limit,
                direction: spec.direction,
                now: at,
                horizonMs: settings.horizonMs,
                method: settings.method,
                minSpanMs: 4 * settings.stepMs,
              });
              computed.push({ key: seriesKey(spec.kind, labels), spec, labels, forecast, query: spec.query });
            }
          }
          covered.add(spec.kind);
        } catch (err) {
          if (err instanceof PrometheusError && err.kind === 'rejected') {
            errors.push(`${spec.kind}: ${err.message}`);
            failedKinds.add(spec.kind);
            continue;
          }
          throw err;
        }
      }

      const rules = await mapping.mappingRules(deps.dataSource, at);
      const wasInside = await predictionsWithinHorizon(deps.dataSource);
      const firing: NormalizedAlert[] = [];
      const withinHorizon: ForecastRunSummary['withinHorizon'] = [];
      for (const c of computed) {
        const mapped = await mapping.resolve(deps.dataSource, lookupsFor({ source: 'prediction', labels: c.labels }, rules), at);
        const since = await writePrediction(deps.dataSource, {
          seriesKey: c.key,
          kind: c.spec.kind,
          labels: c.labels,
          itemId: mapped?.itemId ?? null,
          systemId: mapped?.systems[0]?.systemId ?? null,
          forecast: c.forecast,
          query: c.query,
          computedAt: at,
          runId,
        });
        if (c.forecast.withinHorizon) {
          withinHorizon.push({ seriesKey: c.key, kind: c.spec.kind, itemId: mapped?.itemId ?? null, exhaustionAt: c.forecast.exhaustionAt, timeToExhaustionMs: c.forecast.timeToExhaustionMs });
          firing.push(preventiveAlert(c, since ?? at, settings));
        }
      }
      const complete = [...covered].filter((k) => !failedKinds.has(k));
      const vanished = await dropVanishedPredictions(deps.dataSource, runId, at, complete);

      // Back out of the horizon (or gone): the preventive alert resolves, with the start it fired with.
      const nowInside = new Set(firing.map((a) => a.fingerprint));
      const resolved: NormalizedAlert[] = [];
      for (const [key, before] of wasInside) {
        if (nowInside.has(key) || failedKinds.has(before.kind)) continue;
        const spec = specs.find((s) => s.kind === before.kind);
        const alertname = spec?.alertname ?? `Forecast_${before.kind}`;
        resolved.push({
          source: 'prediction',
          fingerprint: key,
          sourceGroupKey: null,
          alertname,
          status: 'resolved',
          severity: spec?.severity ?? 'warning',
          rawSeverity: spec?.severity ?? null,
          labels: { ...before.labels, alertname, forecast_kind: before.kind },
          annotations: {},
          summary: `${FORECAST_LABELS[before.kind].zh}的预测已解除 / ${FORECAST_LABELS[before.kind].en}: no longer forecast within the horizon`,
          startsAt: before.since,
          endsAt: at,
        });
      }
      if (deps.preventive && firing.length + resolved.length > 0) await deps.preventive.record([...firing, ...resolved], at);

      return {
        runId,
        at,
        series: computed.length,
        trends: computed.filter((c) => c.forecast.outcome === 'trend' || c.forecast.outcome === 'exhausted').length,
        withinHorizon,
        preventive: { firing: deps.preventive ? firing.length : 0, resolved: deps.preventive ? resolved.length : 0 },
        vanished,
        errors,
      };
    },
  };
}
