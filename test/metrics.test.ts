import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { waitFor } from '../src/infra/net';
import { RunningMonitoring, startMonitoring } from './support/monitoring';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/** Wardline's own /metrics (P2), read by the real Prometheus with an integration token, as monitoring/prometheus.yml says. */
describe('GET /metrics', () => {
  let p: TestPlatform;
  let integration: TestUser;
  let dispatcher: TestUser;
  let monitoring: RunningMonitoring;

  beforeAll(async () => {
    p = await startPlatform({ worker: false });
    integration = await p.user(['integration'], 'Prometheus');
    dispatcher = await p.user(['dispatcher'], '王调度');
    const [system] = await p.ds.query(`SELECT id FROM business_systems WHERE code = 'SYS-11'`);
    // Rows as the projections write them: two open incidents, one closed; two breaches and a warning; a failed SMS.
    const incident = async (state: string, priority: string) => {
      const id = randomUUID();
      await p.ds.query(
        `INSERT INTO incidents (id, number, workflow_id, system_id, title, description, reporter_name, reporter_department, priority, channel, state, tier,
                                reported_at, opened_by_id, opened_by_name, clocks, policy_version, projected_seq)
         VALUES ($1, $2, $3, $4, 't', 'd', 'r', 'd', $5, 'api', $6, 'working_time', now(), 'u', 'u', '{}', 1, 1)`,
        [id, `INC-M-${id.slice(0, 6)}`, `incident-${id}`, system.id, priority, state],
      );
      return id;
    };
    const a = await incident('reported', 'P1');
    await incident('acknowledged', 'P2');
    await incident('closed', 'P3');
    const event = (seq: number, type: string, clock: string) =>
      p.ds.query(`INSERT INTO incident_events (incident_id, seq, type, at, to_state, data) VALUES ($1, $2, $3, now(), 'reported', $4)`, [a, seq, type, JSON.stringify({ clock })]);
    await event(2, 'sla_warning', 'respond');
    await event(3, 'sla_breached', 'respond');
    await event(4, 'sla_breached', 'on_site');
    await p.ds.query(
      `INSERT INTO notification_deliveries (idempotency_key, process_id, event, recipient_kind, recipient_id, recipient_label, channel, status, title, body)
       VALUES ($1, 'p', 'sla_breached', 'user', 'u', '王工', 'sms', 'failed', 't', 'b')`,
      [randomUUID()],
    );
    const url = new URL(p.baseUrl);
    monitoring = await startMonitoring({ jobs: { wardline: [{ targets: [url.host] }] }, wardline: { baseUrl: p.baseUrl, token: integration.token } });
  }, 120_000);

  afterAll(async () => {
    await monitoring?.stop();
    await p?.stop();
  });

  it('needs a token with the integration role', async () => {
    expect((await p.call('GET', '/metrics')).status).toBe(401);
    expect((await p.call('GET', '/metrics', dispatcher.token)).status).toBe(403);
    const res = await fetch(`${p.baseUrl}/metrics`, { headers: { authorization: `Bearer ${integration.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
  });

  it('counts open incidents by state, SLA warnings and breaches, and notification failures from PostgreSQL', async () => {
    const text = await (await fetch(`${p.baseUrl}/metrics`, { headers: { authorization: `Bearer ${integration.token}` } })).text();
    expect(text).toMatch(/^wardline_incidents_open\{state="reported",priority="P1"\} 1$/m);
    expect(text).toMatch(/^wardline_incidents_open\{state="acknowledged",priority="P2"\} 1$/m);
    expect(text).not.toMatch(/wardline_incidents_open\{state="closed"/);
    expect(text).toMatch(/^wardline_sla_warnings_total\{clock="respond"\} 1$/m);
    expect(text).toMatch(/^wardline_sla_breaches_total\{clock="respond"\} 1$/m);
    expect(text).toMatch(/^wardline_sla_breaches_total\{clock="on_site"\} 1$/m);
    expect(text).toMatch(/^wardline_notification_failures_total\{channel="sms"\} 1$/m);
    expect(text).toMatch(/^# TYPE wardline_alert_intake_seconds histogram$/m);
    expect(text).toMatch(/^wardline_process_cpu_seconds_total \d/m);
  });

  it('the real Prometheus scrapes it with the token file of monitoring/prometheus.yml, and the Wardline rules stay quiet', async () => {
    await waitFor(
      'Prometheus scraping Wardline',
      async () => {
        const [up] = await monitoring.query('up{job="wardline"}');
        if (up?.value[1] !== '1') throw new Error(`up: ${JSON.stringify(up)}`);
        const breaches = await monitoring.query('sum(wardline_sla_breaches_total)');
        if (breaches[0]?.value[1] !== '2') throw new Error(`breaches: ${JSON.stringify(breaches)}`);
      },
      30_000,
    );
    const firing = (await monitoring.alerts()).filter((a) => a.labels.component === 'wardline' && a.labels.alertname !== 'WardlineSlaBreachSurge');
    expect(firing).toEqual([]);
  });

  it('without a Prometheus configured, an item’s series answer 503 and there are no forecasts', async () => {
    const res = await p.call('GET', '/cmdb/items/SYS-11/metrics', dispatcher.token);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'MONITORING_NOT_CONFIGURED', messageZh: expect.stringContaining('Prometheus'), messageEn: expect.stringContaining('WARDLINE_PROMETHEUS_URL') });
    expect((await p.call('GET', '/predictions', dispatcher.token)).body).toEqual({ horizonHours: 72, items: [] });
  });
});
