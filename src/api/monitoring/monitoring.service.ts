import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MAX_POINTS, PrometheusError, PrometheusPort } from '../../adapters/monitoring/prometheus';
import { FORECAST_LABELS } from '../../domain/forecast/forecast';
import { ItemType } from '../../domain/cmdb';
import { itemSelectors, keySeriesFor, withSelector } from '../../domain/monitoring/key-series';
import { HOUR_MS, formatInZone } from '../../domain/time';
import { prometheusOf } from '../../infra/monitoring-config';
import { listPredictions } from '../../persistence/prediction-store';
import { CmdbService } from '../cmdb/cmdb.service';
import { ApiError, invalidFields } from '../common/errors';
import { CLOCK, CONFIG, Clock, WardlineConfig } from '../common/tokens';
import { CalendarService } from '../sla/calendar.service';
import { ItemMetricsQuery, ListPredictionsQuery } from './monitoring.dto';

const DEFAULT_RANGE_MS = 6 * HOUR_MS;
const MAX_RANGE_MS = 31 * 24 * HOUR_MS;

const badField = (field: string, zh: string, en: string) => invalidFields([{ field, zh, en }]);

/** Fault prediction and a configuration item's series (P2), read from the predictions table and the hospital's Prometheus. */
@Injectable()
export class MonitoringService {
  private readonly prometheus: PrometheusPort | null;

  constructor(
    private readonly ds: DataSource,
    private readonly cmdb: CmdbService,
    private readonly calendars: CalendarService,
    @Inject(CONFIG) private readonly config: WardlineConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.prometheus = prometheusOf(config);
  }

  /** The current forecast of every series, per configuration item, soonest exhaustion first. */
  async predictions(q: ListPredictionsQuery) {
    const item = q.item ? await this.cmdb.resolve(q.item, 'item') : null;
    const rows = await listPredictions(this.ds, { itemId: item?.id, kind: q.kind, withinHorizon: q.withinHorizon });
    const { spec } = await this.calendars.current();
    const t = (ms: number | null) => (ms === null ? null : formatInZone(ms, spec.utcOffsetMinutes));
    const groups = new Map<string, { item: (typeof rows)[number]['item']; system: (typeof rows)[number]['system']; forecasts: unknown[] }>();
    for (const r of rows) {
      const key = r.item?.id ?? 'unmapped';
      if (!groups.has(key)) groups.set(key, { item: r.item, system: r.system, forecasts: [] });
      const f = r.forecast;
      groups.get(key)!.forecasts.push({
        seriesKey: r.seriesKey,
        kind: r.kind,
        label: FORECAST_LABELS[r.kind],
        labels: r.labels,
        outcome: f.outcome,
        withinHorizon: f.withinHorizon,
        exhaustionAt: t(f.exhaustionAt),
        timeToExhaustionHours: f.timeToExhaustionMs === null ? null : Math.round((f.timeToExhaustionMs / HOUR_MS) * 100) / 100,
        earliest: t(f.earliest),
        latest: t(f.latest),
        confidence: f.confidence,
        method: f.method,
        current: f.current,
        limit: f.limit,
        fit: f.fit ? { ...f.fit, from: t(f.fit.from), to: t(f.fit.to) } : null,
        query: r.query,
        computedAt: t(r.computedAt),
      });
    }
    return { horizonHours: this.config.monitoring.forecast.horizonMs / HOUR_MS, items: [...groups.values()] };
  }

  private requirePrometheus(): PrometheusPort {
    if (!this.prometheus) {
      throw new ApiError(503, 'MONITORING_NOT_CONFIGURED', { zh: '未配置 Prometheus（WARDLINE_PROMETHEUS_URL）', en: 'no Prometheus configured (WARDLINE_PROMETHEUS_URL)' });
    }
    return this.prometheus;
  }

  /** An item's key series over a time range, proxied from Prometheus, for a page to draw. */
  async itemMetrics(ref: string, q: ItemMetricsQuery) {
    const item = await this.cmdb.resolve(ref, 'ref');
    const prometheus = this.requirePrometheus();
    const to = q.to ? Date.parse(q.to) : this.clock.now();
    const from = q.from ? Date.parse(q.from) : to - DEFAULT_RANGE_MS;
    if (to <= from) throw badField('to', 'to 必须晚于 from', 'to must be after from');
    if (to - from > MAX_RANGE_MS) throw badField('from', '时间范围最多 31 天', 'the range may span at most 31 days');
    const stepMs = q.step !== undefined ? q.step * 1000 : Math.max(15_000, Math.ceil((to - from) / 300 / 1000) * 1000);
    if ((to - from) / stepMs > MAX_POINTS) throw badField('step', `每条序列最多 ${MAX_POINTS} 个点，请加大 step`, `at most ${MAX_POINTS} points per series: widen the step`);
    const selectors = itemSelectors({ type: item.type as ItemType, name: item.name, ip: typeof item.attributes.ip === 'string' ? item.attributes.ip : null });
    const series: unknown[] = [];
    const missing: string[] = [];
    const errors: string[] = [];
    try {
      for (const ks of keySeriesFor(item.type as ItemType)) {
        let found = 0;
        for (const selector of selectors) {
          const query = withSelector(ks.query, selector);
          try {
            for (const s of await prometheus.queryRange(query, from, to, stepMs)) {
              found++;
              series.push({
                key: ks.key,
                label: ks.label,
                unit: ks.unit,
                metric: s.metric,
                query,
                points: s.points.map(([t, v]) => [t, Number.isFinite(v) ? v : null]),
              });
            }
          } catch (err) {
            if (err instanceof PrometheusError && err.kind === 'rejected') errors.push(`${ks.key}: ${err.message}`);
            else throw err;
          }
        }
        if (found === 0) missing.push(ks.key);
      }
    } catch (err) {
      if (err instanceof PrometheusError) throw new ApiError(502, 'PROMETHEUS_UNAVAILABLE', { zh: 'Prometheus 没有应答', en: `Prometheus did not answer: ${err.message}` });
      throw err;
    }
    const { spec } = await this.calendars.current();
    return {
      item: { id: item.id, type: item.type, name: item.name, displayName: item.displayName },
      from: formatInZone(from, spec.utcOffsetMinutes),
      to: formatInZone(to, spec.utcOffsetMinutes),
      stepSeconds: stepMs / 1000,
      selectors,
      series,
      missing,
      errors,
    };
  }
}
