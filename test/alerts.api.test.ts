import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { parse } from 'yaml';
import { waitUntil } from './support/workflow-input';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/**
 * Alert intake through the API (P3): Zabbix through Wardline's own media type script (run here as Zabbix runs it),
 * generic JSON, Alertmanager replays, 400s naming the field, 413, roles, mapping rules and the priority table as data,
 * unmapped alerts to triage, and maintenance windows of approved changes (S4).
 */
describe('alert intake API', () => {
  let p: TestPlatform;
  let zabbix: TestUser;
  let am: TestUser;
  let dispatcher: TestUser;
  let manager: TestUser;
  let engineer: TestUser;
  let lisSystemId: string;

  /** Wardline's Zabbix media type script, with Zabbix's `value` (the parameters) and its HttpRequest, captured. */
  const mediaType = parse(readFileSync(join(__dirname, '..', 'monitoring', 'zabbix', 'wardline-media-type.yaml'), 'utf8')).zabbix_export.media_types[0];
  function zabbixRequest(macros: Record<string, string>): { url: string; headers: string[]; body: string } {
    const params: Record<string, string> = Object.fromEntries(mediaType.parameters.map((x: { name: string; value: string }) => [x.name, x.value]));
    const value = JSON.stringify({ ...params, ...macros, URL: `${p.baseUrl}/alerts/zabbix`, Token: zabbix.token });
    const sent: { url: string; headers: string[]; body: string }[] = [];
    class HttpRequest {
      private headers: string[] = [];
      addHeader(h: string) {
        this.headers.push(h);
      }
      post(url: string, body: string) {
        sent.push({ url, headers: this.headers, body });
        return '{}';
      }
      getStatus() {
        return 200;
      }
    }
    const result = runInNewContext(`(function (value) {\n${mediaType.script}\n})(value)`, { value, HttpRequest, Zabbix: { log: () => undefined } });
    expect(result).toBe('OK');
    expect(sent).toHaveLength(1);
    return sent[0];
  }
  /** Posts what the script would post, the way Zabbix's HttpRequest would. */
  async function replay(req: { url: string; headers: string[]; body: string }) {
    const headers = Object.fromEntries(req.headers.map((h) => [h.slice(0, h.indexOf(':')).trim().toLowerCase(), h.slice(h.indexOf(':') + 1).trim()]));
    const res = await fetch(req.url, { method: 'POST', headers, body: req.body });
    return { status: res.status, body: (await res.json()) as any };
  }

  const incident = async (id: string) => (await p.call('GET', `/incidents/${id}`, dispatcher.token)).body;

  beforeAll(async () => {
    p = await startPlatform({ config: { monitoring: { ...(await import('../src/config')).loadConfig({}).monitoring, flapWindowMs: 60_000 } } });
    zabbix = await p.user(['integration'], 'Zabbix');
    am = await p.user(['integration'], 'Alertmanager');
    dispatcher = await p.user(['dispatcher'], '王调度');
    manager = await p.user(['it_manager'], '信息科主任');
    engineer = await p.user(['engineer'], '李工');
    // The LIS database server: a database item that SYS-12 (LIS) uses, on a server with an IP.
    const item = async (body: Record<string, unknown>) => {
      const res = await p.call('POST', '/cmdb/items', engineer.token, body);
      expect(res.status).toBe(201);
      return res.body;
    };
    const db = await item({ type: 'database', name: 'lis-oracle', displayName: 'LIS 数据库', criticality: 'high', attributes: { engine: 'oracle' } });
    const srv = await item({ type: 'server', name: 'lis-db-01', displayName: 'LIS 数据库服务器', attributes: { os: 'Linux', ip: '10.20.2.41' } });
    expect((await p.call('POST', '/cmdb/relations', engineer.token, { type: 'uses_database', sourceId: 'SYS-12', targetId: db.id })).status).toBe(201);
    expect((await p.call('POST', '/cmdb/relations', engineer.token, { type: 'runs_on', sourceId: db.id, targetId: srv.id })).status).toBe(201);
    expect((await p.call('PATCH', '/cmdb/items/SYS-12', manager.token, { criticality: 'critical' })).status).toBe(200);
    [{ id: lisSystemId }] = await p.ds.query(`SELECT id FROM business_systems WHERE code = 'SYS-12'`);
  }, 120_000);
  afterAll(() => p?.stop());

  it('Zabbix, through its media type script: a problem opens an incident on the system the item serves; its recovery marks it recovered', async () => {
    const problemAt = String(Math.floor(Date.now() / 1000) - 60);
    const problem = zabbixRequest({
      eventId: '3417',
      status: 'PROBLEM',
      severity: 'Disaster',
      eventTimestamp: problemAt,
      recoveryEventId: '{EVENT.RECOVERY.ID}',
      recoveryTimestamp: '{EVENT.RECOVERY.TIMESTAMP}',
      triggerId: '20013',
      triggerName: 'LIS 数据库不可用 / LIS database down',
      triggerDescription: '{TRIGGER.DESCRIPTION}',
      hostName: 'lis-db-01',
      hostIp: '10.20.2.41',
      tags: JSON.stringify([{ tag: 'wardline_ci', value: 'database:lis-oracle' }, { tag: 'service', value: 'oracle' }]),
      eventUrl: '{$ZABBIX.URL}/tr_events.php?triggerid=20013&eventid=3417',
    });
    expect(JSON.parse(problem.body)).toEqual({
      eventId: '3417',
      status: 'PROBLEM',
      severity: 'Disaster',
      trigger: { id: '20013', name: 'LIS 数据库不可用 / LIS database down' },
      host: { name: 'lis-db-01', ip: '10.20.2.41' },
      eventTime: expect.stringMatching(/Z$/),
      tags: [{ tag: 'wardline_ci', value: 'database:lis-oracle' }, { tag: 'service', value: 'oracle' }],
    });
    const opened = await replay(problem);
    expect(opened.status).toBe(200);
    expect(opened.body.groups).toHaveLength(1);
    const g = opened.body.groups[0];
    expect(g).toMatchObject({ groupKey: `system:${lisSystemId}:LIS 数据库不可用 / LIS database down`, incident: { action: 'opened' }, alerts: [{ fingerprint: '3417', outcome: 'opened' }] });
    const inc = await incident(g.incident.id);
    expect(inc).toMatchObject({ systemId: lisSystemId, priority: 'P1', channel: 'alert', state: 'reported', title: 'lis-db-01: LIS 数据库不可用 / LIS database down' });
    const list = await p.call('GET', `/incidents/${g.incident.id}/alerts`, dispatcher.token);
    expect(list.body.alerts).toHaveLength(1);
    expect(list.body.alerts[0]).toMatchObject({ source: 'zabbix', severity: 'critical', rawSeverity: 'Disaster', item: { type: 'database', name: 'lis-oracle' }, attached: { receipts: 1, lastStatus: 'firing' } });

    // Zabbix retries a delivery it thinks failed: the same problem again opens nothing.
    const again = await replay(problem);
    expect(again.body.groups[0]).toMatchObject({ incident: { id: g.incident.id }, alerts: [{ outcome: 'repeat' }] });

    const recovery = zabbixRequest({
      eventId: '3417',
      status: 'RESOLVED',
      severity: 'Disaster',
      eventTimestamp: problemAt,
      recoveryEventId: '3420',
      recoveryTimestamp: String(Math.floor(Date.now() / 1000)),
      triggerId: '20013',
      triggerName: 'LIS 数据库不可用 / LIS database down',
      triggerDescription: 'Oracle 监听不可达',
      hostName: 'lis-db-01',
      hostIp: '10.20.2.41',
      tags: '[{"tag":"wardline_ci","value":"database:lis-oracle"}]',
      eventUrl: 'https://zabbix.hospital.local/tr_events.php?triggerid=20013&eventid=3417',
    });
    expect(JSON.parse(recovery.body)).toMatchObject({ status: 'RESOLVED', recoveryEventId: '3420', recoveryTime: expect.stringMatching(/Z$/), trigger: { description: 'Oracle 监听不可达' } });
    const resolved = await replay(recovery);
    expect(resolved.body.groups[0]).toMatchObject({ incident: { id: g.incident.id, action: 'signalled' }, alerts: [{ outcome: 'resolved' }] });
    await waitUntil('recovered', async () => ((await incident(g.incident.id)).state === 'recovered' ? true : null), 60_000);
    const after = await incident(g.incident.id);
    expect(after.timeline.map((e: any) => e.type)).toEqual(['opened', 'auto_recovered']);
    expect(after.allowedActions ?? []).not.toContain('acknowledge');
    const confirmed = await p.call('POST', `/incidents/${g.incident.id}/confirm-recovery`, dispatcher.token, {});
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.state).toBe('closed');
  });

  it('generic JSON: one alert firing, then resolved; the group is the system and the alert name', async () => {
    const body = (status: string) => ({
      alerts: [{ id: 'mq-77', alertname: 'HL7QueueBacklog', status, severity: 'warning', summary: 'HL7 接口队列积压 / HL7 queue backlog', labels: { wardline_ci: 'SYS-12' }, startsAt: '2026-11-30T10:00:00+08:00', ...(status === 'resolved' ? { endsAt: '2026-11-30T10:20:00+08:00' } : {}) }],
    });
    const fired = await p.call('POST', '/alerts', am.token, body('firing'));
    expect(fired.status).toBe(200);
    expect(fired.body.groups[0]).toMatchObject({ groupKey: `system:${lisSystemId}:HL7QueueBacklog`, incident: { action: 'opened' } });
    expect((await incident(fired.body.groups[0].incident.id)).priority).toBe('P2');
    const cleared = await p.call('POST', '/alerts', am.token, body('resolved'));
    expect(cleared.body.groups[0]).toMatchObject({ incident: { id: fired.body.groups[0].incident.id, action: 'signalled' }, alerts: [{ fingerprint: 'mq-77', outcome: 'resolved' }] });
  });

  it('refuses what the source would not send, naming the field; 413 over 1 MB; only integration tokens post', async () => {
    const am4 = { version: '4', groupKey: 'k', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'X' }, startsAt: '2026-11-30T02:00:00Z', fingerprint: 'f' }] };
    const fields = async (path: string, body: unknown) => {
      const res = await p.call('POST', path, am.token, body);
      expect(res.status).toBe(400);
      expect(res.body.messageZh).toBeTruthy();
      return res.body.errors.map((e: any) => e.field).sort();
    };
    expect(await fields('/alerts/alertmanager', { ...am4, version: '3' })).toEqual(['version']);
    expect(await fields('/alerts/alertmanager', { ...am4, alerts: [{ ...am4.alerts[0], startsAt: 'yesterday' }] })).toEqual(['alerts.0.startsAt']);
    expect(await fields('/alerts/alertmanager', { ...am4, alerts: [{ ...am4.alerts[0], labels: { 'bad-label': 'x' } }] })).toEqual(['alerts.0.labels']);
    expect(await fields('/alerts/alertmanager', { ...am4, extra: 1 })).toEqual(['extra']);
    expect(await fields('/alerts/alertmanager', { ...am4, alerts: [] })).toEqual(['alerts']);
    expect(await fields('/alerts/zabbix', { status: 'PROBLEM', severity: 'High', trigger: { id: '1', name: 'x' }, host: { name: 'h' }, eventTime: '2026-11-30T10:00:00+08:00' })).toEqual(['eventId']);
    expect(await fields('/alerts/zabbix', { eventId: '1', status: 'UPDATE', severity: 'High', trigger: { id: 'x', name: 'x' }, host: { name: 'h' }, eventTime: '2026-11-30T10:00:00+08:00' })).toEqual(['status', 'trigger.id']);
    expect(await fields('/alerts', { alerts: [{ alertname: 'x', status: 'firing', startsAt: '2026-11-30T10:00:00' }] })).toEqual(['alerts.0.startsAt']);
    const big = await fetch(`${p.baseUrl}/alerts/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${am.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...am4, alerts: [{ ...am4.alerts[0], annotations: { summary: 'x'.repeat(1_100_000) } }] }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as any).code).toBe('PAYLOAD_TOO_LARGE');
    expect((await p.call('POST', '/alerts/alertmanager', null, am4)).status).toBe(401);
    expect((await p.call('POST', '/alerts/alertmanager', dispatcher.token, am4)).status).toBe(403);
    const metrics = await (await fetch(`${p.baseUrl}/metrics`, { headers: { authorization: `Bearer ${am.token}` } })).text();
    expect(metrics).toMatch(/^wardline_alerts_received_total\{source="alertmanager",outcome="rejected"\} [5-9]$/m);
    expect(metrics).toMatch(/^wardline_alerts_received_total\{source="zabbix",outcome="opened"\} 1$/m);
  });

  it('Alertmanager: one group is one incident; a replayed message or one with an Idempotency-Key opens nothing more', async () => {
    const msg = {
      version: '4',
      groupKey: '{}/{}:{alertname="PostgresDown"}',
      status: 'firing',
      receiver: 'wardline',
      groupLabels: { alertname: 'PostgresDown' },
      commonLabels: { alertname: 'PostgresDown' },
      commonAnnotations: {},
      externalURL: 'http://am:9093',
      truncatedAlerts: 0,
      alerts: ['a', 'b'].map((x) => ({
        status: 'firing',
        labels: { alertname: 'PostgresDown', severity: 'critical', instance: '10.20.2.41:9187' },
        annotations: { summary: `PostgreSQL 无法连接 / PostgreSQL down ${x}` },
        startsAt: '2026-11-30T02:00:00.123456789Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph',
        fingerprint: `pg-${x}`,
      })),
    };
    const results = await Promise.all([1, 2, 3].map(() => p.call('POST', '/alerts/alertmanager', am.token, msg)));
    const ids = new Set(results.map((r) => r.body.groups[0].incident.id));
    expect(ids.size).toBe(1);
    expect(results.flatMap((r) => r.body.groups[0].alerts.map((a: any) => a.outcome)).sort()).toEqual(['opened', 'opened', 'repeat', 'repeat', 'repeat', 'repeat']);
    const key = randomUUID();
    const headers = { authorization: `Bearer ${am.token}`, 'content-type': 'application/json', 'idempotency-key': key };
    const first = await fetch(`${p.baseUrl}/alerts/alertmanager`, { method: 'POST', headers, body: JSON.stringify(msg) });
    const second = await fetch(`${p.baseUrl}/alerts/alertmanager`, { method: 'POST', headers, body: JSON.stringify(msg) });
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(await first.json());
    const [incidentId] = [...ids];
    const list = await p.call('GET', `/incidents/${incidentId}/alerts`, dispatcher.token);
    expect(list.body.alerts.map((a: any) => [a.fingerprint, a.attached.receipts])).toEqual([
      ['pg-a', 4],
      ['pg-b', 4],
    ]);
    // The server's IP mapped it (seeded rule 2), so it is LIS's.
    expect((await incident(incidentId)).systemId).toBe(lisSystemId);
  });

  it('an alert that maps to nothing opens a triage incident on SYS-00, for a dispatcher', async () => {
    const res = await p.call('POST', '/alerts', am.token, { alerts: [{ alertname: 'PingLoss', status: 'firing', severity: 'high', labels: { host: 'unknown-box' }, startsAt: '2026-11-30T10:00:00+08:00' }] });
    const inc = await incident(res.body.groups[0].incident.id);
    expect(inc.title).toMatch(/^【待分派】/);
    const [triage] = await p.ds.query(`SELECT id FROM business_systems WHERE code = 'SYS-00'`);
    expect(inc.systemId).toBe(triage.id);
    const queue = await p.call('GET', '/incidents?systemId=SYS-00', dispatcher.token);
    expect(queue.body.items.map((i: any) => i.id)).toContain(inc.id);
    expect((await p.call('GET', '/alerts?unmapped=true', dispatcher.token)).body.items.map((a: any) => a.alertname)).toContain('PingLoss');
  });

  it('mapping rules and the priority table are data: edited through the API, refused naming the field when wrong', async () => {
    const rules = await p.call('GET', '/alerts/mapping-rules', dispatcher.token);
    expect(rules.body.map((r: any) => [r.kind, r.label])).toEqual([
      ['label_ref', 'wardline_ci'],
      ['label_ip', 'instance'],
      ['label_ip', 'host_ip'],
      ['label_name', 'host'],
      ['label_name', 'job'],
    ]);
    expect((await p.call('POST', '/alerts/mapping-rules', dispatcher.token, { kind: 'item', itemRef: 'SYS-12' })).status).toBe(403);
    const bad = await p.call('POST', '/alerts/mapping-rules', manager.token, { kind: 'label_ref', label: 'x', match: { job: '(' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field)).toEqual(['match.job']);
    const unknown = await p.call('POST', '/alerts/mapping-rules', manager.token, { kind: 'item', itemRef: 'server:ghost' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].field).toBe('itemRef');
    const created = await p.call('POST', '/alerts/mapping-rules', manager.token, { position: 1, kind: 'item', itemRef: 'SYS-12', match: { job: 'lis-.*' }, note: 'LIS 接口机' });
    expect(created.status).toBe(201);
    const probe = await p.call('POST', '/alerts/mapping-rules/probe', dispatcher.token, { source: 'alertmanager', labels: { alertname: 'X', job: 'lis-mq' } });
    expect(probe.body).toMatchObject({ item: { type: 'business_system', name: 'SYS-12', ruleId: created.body.id }, system: { code: 'SYS-12', criticality: 'critical' }, priorityBySeverity: { critical: 'P1', warning: 'P2' } });
    const off = await p.call('PATCH', `/alerts/mapping-rules/${created.body.id}`, manager.token, { enabled: false });
    expect(off.body.enabled).toBe(false);
    expect((await p.call('POST', '/alerts/mapping-rules/probe', dispatcher.token, { source: 'alertmanager', labels: { job: 'lis-mq' } })).body.item).toBeNull();
    expect((await p.call('DELETE', `/alerts/mapping-rules/${created.body.id}`, manager.token)).status).toBe(200);
    expect((await p.call('DELETE', `/alerts/mapping-rules/${created.body.id}`, manager.token)).status).toBe(404);

    const table = await p.call('GET', '/alerts/priority-map', dispatcher.token);
    expect(table.body.cells).toHaveLength(25);
    const cells = table.body.cells.map((c: any) => ({ severity: c.severity, criticality: c.criticality, priority: c.severity === 'warning' && c.criticality === 'critical' ? 'P1' : c.priority }));
    expect((await p.call('PUT', '/alerts/priority-map', manager.token, { cells: cells.slice(1) })).body.errors.map((e: any) => e.field)).toEqual(['cells']);
    expect((await p.call('PUT', '/alerts/priority-map', engineer.token, { cells })).status).toBe(403);
    const put = await p.call('PUT', '/alerts/priority-map', manager.token, { cells });
    expect(put.status).toBe(200);
    const warned = await p.call('POST', '/alerts', am.token, { alerts: [{ alertname: 'DiskWarn', status: 'firing', severity: 'warning', labels: { wardline_ci: 'SYS-12' }, startsAt: '2026-11-30T10:00:00+08:00' }] });
    expect((await incident(warned.body.groups[0].incident.id)).priority).toBe('P1');
  });

  it('maintenance: while an approved change’s window is open, the alerts are recorded on the change and open no incident', async () => {
    const [user] = await p.ds.query(`SELECT id FROM users WHERE display_name = '李工'`);
    const changeId = randomUUID();
    await p.ds.query(
      `INSERT INTO changes (id, number, workflow_id, system_id, kind, title, state, risk, schema_change, destructive, current_revision, approved_revision,
                            window_start, window_end, submitted_by, view)
       VALUES ($1, 'CHG-20261130-0901', $2, $3, 'normal', 'LIS 数据库扩容', 'approved', 'low', false, false, 1, 1, now() - interval '1 minute', now() + interval '1 hour', $4, '{}')`,
      [changeId, `change-${changeId}`, lisSystemId, user.id],
    );
    const res = await p.call('POST', '/alerts', am.token, { alerts: [{ alertname: 'OracleSlow', status: 'firing', severity: 'critical', labels: { wardline_ci: 'database:lis-oracle' }, startsAt: '2026-11-30T10:00:00+08:00' }] });
    expect(res.body.groups[0]).toMatchObject({ incident: null, suppressedBy: [changeId], alerts: [{ outcome: 'suppressed' }] });
    const shown = await p.call('GET', '/changes/CHG-20261130-0901/alerts', dispatcher.token);
    expect(shown.body.alerts.map((a: any) => [a.alertname, a.attached.lastStatus])).toEqual([['OracleSlow', 'firing']]);
  });
});
