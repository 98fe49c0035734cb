import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ScheduleHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { HOUR_MS } from '../src/domain/time';
import { loadConfig } from '../src/config';
import { ensureForecastSchedule, forecastSettingsOf } from '../src/infra/forecast-schedule';
import { waitFor } from '../src/infra/net';
import { RunningMonitoring, TestExporter, startMonitoring, startTestExporter } from './support/monitoring';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/**
 * Fault prediction on the real Prometheus (P2): a filesystem that fills at a steady pace is scraped each second, the
 * Temporal Schedule's run fits it, and the forecast's time to full is within 10 % of the truth; a flat filesystem
 * predicts nothing. The series come back through GET /cmdb/items/:ref/metrics.
 */
describe('fault prediction from a real Prometheus', () => {
  let exporter: TestExporter;
  let monitoring: RunningMonitoring;
  let p: TestPlatform;
  let engineer: TestUser;
  let dispatcher: TestUser;
  let schedule: ScheduleHandle | null = null;

  // /pacs: 50 GB free at t0, losing 10 MB a second: full at t0 + 5000 s (inside the 72 h horizon). /archive: flat.
  const t0 = Date.now();
  const A0 = 50e9;
  const RATE = 10e6;
  const fullAt = t0 + (A0 / RATE) * 1000;
  const FLAT = 80e9;

  beforeAll(async () => {
    exporter = await startTestExporter();
    const avail = exporter.gauge('node_filesystem_avail_bytes', ['device', 'fstype', 'mountpoint']);
    const size = exporter.gauge('node_filesystem_size_bytes', ['device', 'fstype', 'mountpoint']);
    const pacs = { device: '/dev/vdb1', fstype: 'xfs', mountpoint: '/pacs' };
    const archive = { device: '/dev/vdc1', fstype: 'xfs', mountpoint: '/archive' };
    avail.set(pacs, () => A0 - RATE * ((Date.now() - t0) / 1000));
    size.set(pacs, 100e9);
    avail.set(archive, FLAT);
    size.set(archive, 100e9);
    monitoring = await startMonitoring({ jobs: { node: [{ targets: [exporter.target], labels: { wardline_ci: 'server:pacs-store-01' } }] } });
    const base = loadConfig({});
    p = await startPlatform({ config: { monitoring: { ...base.monitoring, prometheusUrl: monitoring.prometheusUrl } } });
    engineer = await p.user(['engineer'], '存储工程师');
    const server = await p.call('POST', '/cmdb/items', engineer.token, {
      type: 'server',
      name: 'pacs-store-01',
      displayName: 'PACS 存储服务器',
      criticality: 'high',
      attributes: { os: 'Linux', ip: '10.20.3.21' },
    });
    expect(server.status).toBe(201);
    expect((await p.call('POST', '/cmdb/relations', engineer.token, { type: 'runs_on', sourceId: 'SYS-11', targetId: server.body.id })).status).toBe(201);
    const manager = await p.user(['it_manager'], '信息科主任');
    expect((await p.call('PATCH', '/cmdb/items/SYS-11', manager.token, { criticality: 'critical' })).status).toBe(200);
    dispatcher = await p.user(['dispatcher'], '王调度');
    // Enough history for a fit: about 20 samples a second apart.
    await waitFor(
      '20 s of scraped samples',
      async () => {
        const [r] = await monitoring.query('count_over_time(node_filesystem_avail_bytes{mountpoint="/pacs"}[1m])');
        if (!r || Number(r.value[1]) < 20) throw new Error(`samples: ${r?.value[1] ?? 0}`);
      },
      60_000,
    );
  }, 180_000);

  afterAll(async () => {
    await schedule?.delete().catch(() => undefined);
    await p?.stop();
    await monitoring?.stop();
    await exporter?.close();
  });

  it('a Temporal Schedule runs the forecast; the filling disk’s time to full is within 10 % of the truth, the flat one predicts nothing', async () => {
    const settings = { ...forecastSettingsOf(p.config), windowMs: 60_000, stepMs: 1000 };
    schedule = await ensureForecastSchedule(p.temporal, { scheduleId: `forecast-test-${randomUUID()}`, taskQueue: p.config.taskQueue, everyMs: HOUR_MS, settings });
    const described = await schedule.describe();
    expect(described.spec.intervals).toEqual([expect.objectContaining({ every: HOUR_MS })]);
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'forecastWorkflow' });
    await schedule.trigger();

    const res = await waitFor(
      'predictions',
      async () => {
        const r = await p.call('GET', '/predictions', engineer.token);
        if (r.status !== 200 || r.body.items.flatMap((i: any) => i.forecasts).length < 2) throw new Error(JSON.stringify(r.body));
        return r;
      },
      60_000,
    );
    expect(res.body.horizonHours).toBe(72);
    const forecasts = res.body.items.flatMap((i: any) => i.forecasts.map((f: any) => ({ ...f, item: i.item, system: i.system })));
    expect(forecasts).toHaveLength(2);
    const pacs = forecasts.find((f: any) => f.labels.mountpoint === '/pacs');
    const archive = forecasts.find((f: any) => f.labels.mountpoint === '/archive');

    expect(pacs).toMatchObject({ kind: 'filesystem_fill', outcome: 'trend', withinHorizon: true, method: 'least_squares', limit: 0 });
    expect(pacs.item).toMatchObject({ type: 'server', name: 'pacs-store-01' });
    expect(pacs.system).toMatchObject({ code: 'SYS-11' });
    const computedAt = Date.parse(pacs.computedAt);
    const truthHours = (fullAt - computedAt) / HOUR_MS;
    expect(truthHours).toBeGreaterThan(1);
    expect(Math.abs(pacs.timeToExhaustionHours - truthHours) / truthHours).toBeLessThan(0.1);
    expect(pacs.confidence).toBeGreaterThan(0.9);
    expect(pacs.fit.samples).toBeGreaterThanOrEqual(20);
    expect(pacs.fit.slopePerHour / (-RATE * 3600)).toBeCloseTo(1, 1);
    expect(Date.parse(pacs.earliest)).toBeLessThanOrEqual(Date.parse(pacs.exhaustionAt));

    expect(archive).toMatchObject({ kind: 'filesystem_fill', outcome: 'no_trend', withinHorizon: false, exhaustionAt: null, timeToExhaustionHours: null });

    const inside = await p.call('GET', '/predictions?withinHorizon=true&item=server:pacs-store-01', engineer.token);
    expect(inside.body.items).toHaveLength(1);
    expect(inside.body.items[0].forecasts.map((f: any) => f.labels.mountpoint)).toEqual(['/pacs']);
    expect((await p.call('GET', '/predictions?kind=disk', engineer.token)).body.errors[0].field).toBe('kind');
    expect((await p.call('GET', '/predictions?item=server:nope', engineer.token)).status).toBe(404);
  });

  it('the forecast inside the horizon opens one preventive incident on the system (P2 → P3); the next run adds to it; out of the horizon it recovers', async () => {
    const groups = () => p.ds.query(`SELECT id, incident_id, group_key, firing FROM alert_groups WHERE source = 'prediction'`);
    const [group] = await waitFor(
      'the preventive incident',
      async () => {
        const rows = await groups();
        if (rows.length === 0 || !rows[0].incident_id) throw new Error('no preventive incident yet');
        return rows;
      },
      60_000,
    );
    const [{ id: pacsSystemId }] = await p.ds.query(`SELECT id FROM business_systems WHERE code = 'SYS-11'`);
    const incident = (await p.call('GET', `/incidents/${group.incident_id}`, dispatcher.token)).body;
    // The forecast's severity (high) on a critical system: P1 by the seeded priority table.
    expect(incident).toMatchObject({ systemId: pacsSystemId, priority: 'P1', channel: 'alert' });
    expect(incident.title).toMatch(/^预计 [0-9.]+ 小时后磁盘/);
    expect(incident.reporter).toMatchObject({ name: 'Wardline 故障预判 / fault prediction' });
    // The forecast, its confidence and the series it came from travel with it.
    expect(incident.description).toContain('置信度 / confidence');
    expect(incident.description).toContain('node_filesystem_avail_bytes');
    expect(incident.description).toContain('"mountpoint":"/pacs"');
    const alerts = (await p.call('GET', `/incidents/${group.incident_id}/alerts`, dispatcher.token)).body.alerts;
    expect(alerts).toEqual([expect.objectContaining({ source: 'prediction', alertname: 'ForecastFilesystemFull', status: 'firing', item: expect.objectContaining({ name: 'pacs-store-01' }) })]);
    expect(alerts[0].labels).toMatchObject({ mountpoint: '/pacs', forecast_kind: 'filesystem_fill' });

    // The next run still forecasts /pacs inside the horizon: the same incident hears it again, nothing new opens.
    const before = alerts[0].attached.receipts;
    await schedule!.trigger();
    await waitFor(
      'the second run’s preventive alert',
      async () => {
        const res = await p.call('GET', `/incidents/${group.incident_id}/alerts`, dispatcher.token);
        if (res.body.alerts[0].attached.receipts <= before) throw new Error(`receipts ${res.body.alerts[0].attached.receipts}`);
      },
      60_000,
    );
    expect(await groups()).toHaveLength(1);
    expect((await p.ds.query(`SELECT count(*)::int AS n FROM incidents WHERE channel = 'alert'`))[0].n).toBe(1);

    // A run with a one-minute horizon no longer sees /pacs running out inside it: the preventive alert resolves and,
    // nobody having acknowledged it, the incident recovers by itself (a dispatcher confirms).
    const run = await p.temporal.workflow.start('forecastWorkflow', {
      workflowId: `forecast-short-${randomUUID()}`,
      taskQueue: p.config.taskQueue,
      args: [{ settings: { ...forecastSettingsOf(p.config), windowMs: 60_000, stepMs: 1000, horizonMs: 60_000 } }],
    });
    const summary = await run.result();
    expect(summary).toMatchObject({ withinHorizon: [], preventive: { firing: 0, resolved: 1 } });
    await waitFor(
      'the preventive incident recovered',
      async () => {
        const res = await p.call('GET', `/incidents/${group.incident_id}`, dispatcher.token);
        if (res.body.state !== 'recovered') throw new Error(res.body.state);
      },
      60_000,
    );
    const [quiet] = await groups();
    expect(quiet.firing).toBe(0);
  });

  it('GET /cmdb/items/:ref/metrics draws the item’s series from Prometheus, and names the field of a bad range', async () => {
    const to = new Date().toISOString();
    const from = new Date(Date.now() - 30_000).toISOString();
    const res = await p.call('GET', `/cmdb/items/server:pacs-store-01/metrics?from=${from}&to=${to}&step=1`, engineer.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ item: { type: 'server', name: 'pacs-store-01' }, stepSeconds: 1 });
    expect(res.body.selectors).toEqual(['wardline_ci="server:pacs-store-01"', 'instance=~"10\\\\.20\\\\.3\\\\.21(:[0-9]+)?"']);
    const avail = res.body.series.filter((s: any) => s.key === 'filesystem_avail_bytes');
    expect(avail.map((s: any) => s.metric.mountpoint).sort()).toEqual(['/archive', '/pacs']);
    const pacs = avail.find((s: any) => s.metric.mountpoint === '/pacs');
    expect(pacs.points.length).toBeGreaterThanOrEqual(15);
    // The disk fills: later points hold less.
    expect(pacs.points[pacs.points.length - 1][1]).toBeLessThan(pacs.points[0][1]);
    // A scrape may time out on a loaded machine (up 0 for a second); the target is up now.
    const up = res.body.series.find((s: any) => s.key === 'up').points;
    expect(up.length).toBeGreaterThanOrEqual(15);
    expect(up[up.length - 1][1]).toBe(1);
    expect(res.body.missing).toEqual(expect.arrayContaining(['cpu_busy_percent', 'memory_available_percent']));

    const field = async (query: string) => (await p.call('GET', `/cmdb/items/server:pacs-store-01/metrics?${query}`, engineer.token)).body.errors?.[0]?.field;
    expect(await field(`from=${to}&to=${from}`)).toBe('to');
    expect(await field('step=0')).toBe('step');
    expect(await field(`from=${encodeURIComponent('2026-01-01T00:00:00+08:00')}&to=${encodeURIComponent('2026-01-01T12:00:00+08:00')}&step=1`)).toBe('step');
    expect(await field('from=yesterday')).toBe('from');
    expect((await p.call('GET', '/cmdb/items/server:ghost/metrics', engineer.token)).status).toBe(404);
  });
});
