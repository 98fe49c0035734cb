import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DataSource } from 'typeorm';

/**
 * Wardline's own metrics (P2: Wardline is watched like the systems it watches), for the hospital's Prometheus to
 * scrape at GET /metrics. Counts this process makes (alert intake) are kept here; what every process shares (open
 * incidents, SLA warnings and breaches, notification failures) is read from PostgreSQL at each scrape, so replicas
 * agree and a restart loses nothing. The worker's workflow and activity task latency come from Temporal's SDK metrics
 * on the worker's own endpoint (WARDLINE_WORKER_METRICS_ADDRESS).
 * One registry per app instance (not prom-client's global one), so several apps in one process never collide.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly alertsReceived = new Counter({
    name: 'wardline_alerts_received_total',
    help: 'Alerts received, by source and what they did (opened, attached, refired, repeat, resolved, suppressed, stale, recorded, rejected)',
    labelNames: ['source', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly alertIntakeSeconds = new Histogram({
    name: 'wardline_alert_intake_seconds',
    help: 'Time from receiving an alert webhook to answering it',
    labelNames: ['source'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly forecastRuns = new Counter({
    name: 'wardline_forecast_runs_total',
    help: 'Forecast runs recorded, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(private readonly ds: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'wardline_' });
    const ds_ = this.ds;
    new Gauge({
      name: 'wardline_incidents_open',
      help: 'Incidents not closed or cancelled, by state and priority',
      labelNames: ['state', 'priority'] as const,
      registers: [this.registry],
      async collect() {
        const rows: { state: string; priority: string; n: number }[] = await ds_.query(
          `SELECT state, priority, count(*)::int AS n FROM incidents WHERE state NOT IN ('closed', 'cancelled') GROUP BY state, priority`,
        );
        this.reset();
        for (const r of rows) this.set({ state: r.state, priority: r.priority }, r.n);
      },
    });
    // Counters whose truth is the timeline: a count of recorded events only ever grows.
    const fromDb = (name: string, help: string, labelNames: string[], sql: string) =>
      new Counter({
        name,
        help,
        labelNames,
        registers: [this.registry],
        async collect() {
          const rows: ({ n: number } & Record<string, string>)[] = await ds_.query(sql);
          this.reset();
          for (const r of rows) this.inc(Object.fromEntries(labelNames.map((l) => [l, r[l] ?? ''])), r.n);
        },
      });
    fromDb(
      'wardline_sla_warnings_total',
      'SLA warnings fired (S10), by clock',
      ['clock'],
      `SELECT coalesce(data ->> 'clock', '') AS clock, count(*)::int AS n FROM incident_events WHERE type = 'sla_warning' GROUP BY 1`,
    );
    fromDb(
      'wardline_sla_breaches_total',
      'SLA breaches (S10, S2), by clock',
      ['clock'],
      `SELECT coalesce(data ->> 'clock', '') AS clock, count(*)::int AS n FROM incident_events WHERE type = 'sla_breached' GROUP BY 1`,
    );
    fromDb(
      'wardline_notification_failures_total',
      'Notifications that failed on a channel (S12), by channel',
      ['channel'],
      `SELECT channel, count(*)::int AS n FROM notification_deliveries WHERE status = 'failed' GROUP BY channel`,
    );
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
