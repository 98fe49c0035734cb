import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../src/config';
import { waitFor } from '../src/infra/net';
import { RunningMonitoring, TestExporter, startMonitoring, startTestExporter } from './support/monitoring';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/**
 * P3 end to end on the real Prometheus and Alertmanager, with monitoring/'s own rules and alertmanager.yml: a test
 * exporter's disk fills, FilesystemAlmostFull fires, Alertmanager posts to Wardline with its bearer token, one
 * incident opens on the system the server serves (mapped by the server's IP) with the right priority and the alert
 * attached; Alertmanager's repeats open nothing; the disk recovers, the alert resolves, the incident is recovered.
 */
describe('a real Prometheus rule becomes one incident and recovers by itself', () => {
  let exporter: TestExporter;
  let monitoring: RunningMonitoring;
  let p: TestPlatform;
  let dispatcher: TestUser;
  let free = 5e9;
  let pacsSystemId: string;

  beforeAll(async () => {
    p = await startPlatform({ config: { monitoring: { ...loadConfig({}).monitoring, flapWindowMs: 60_000 } } });
    dispatcher = await p.user(['dispatcher'], '王调度');
    const engineer = await p.user(['engineer'], '李工');
    const manager = await p.user(['it_manager'], '信息科主任');
    const integration = await p.user(['integration'], 'Alertmanager');
    // The exporter answers on 127.0.0.1, so the CMDB's PACS storage server has that IP (seeded rule: instance → ip).
    const server = await p.call('POST', '/cmdb/items', engineer.token, { type: 'server', name: 'pacs-store-01', displayName: 'PACS 存储服务器', attributes: { os: 'Linux', ip: '127.0.0.1' } });
    expect(server.status).toBe(201);
    expect((await p.call('POST', '/cmdb/relations', engineer.token, { type: 'runs_on', sourceId: 'SYS-11', targetId: server.body.id })).status).toBe(201);
    expect((await p.call('PATCH', '/cmdb/items/SYS-11', manager.token, { criticality: 'critical' })).status).toBe(200);
    [{ id: pacsSystemId }] = await p.ds.query(`SELECT id FROM business_systems WHERE code = 'SYS-11'`);

    exporter = await startTestExporter();
    const disk = { device: '/dev/vdb1', fstype: 'xfs', mountpoint: '/pacs' };
    exporter.gauge('node_filesystem_avail_bytes', ['device', 'fstype', 'mountpoint']).set(disk, () => free);
    exporter.gauge('node_filesystem_size_bytes', ['device', 'fstype', 'mountpoint']).set(disk, 100e9);
    // Alertmanager repeats an unchanged group every 2 s here, so the test sees repeats arrive.
    monitoring = await startMonitoring({ jobs: { node: [{ targets: [exporter.target] }] }, wardline: { baseUrl: p.baseUrl, token: integration.token }, repeatInterval: '2s' });
  }, 180_000);

  afterAll(async () => {
    await monitoring?.stop();
    await exporter?.close();
    await p?.stop();
  });

  const groups = () => p.ds.query(`SELECT id, incident_id, group_key, firing FROM alert_groups WHERE alertname = 'FilesystemAlmostFull'`);

  it('fires, opens one incident on the mapped system with the alert attached, repeats open nothing, and recovers', async () => {
    const [group] = await waitFor(
      'the incident opened by Alertmanager',
      async () => {
        const rows = await groups();
        if (rows.length === 0 || !rows[0].incident_id) throw new Error('no incident yet');
        return rows;
      },
      90_000,
    );
    expect(group.group_key).toMatch(/^alertmanager:.*alertname="FilesystemAlmostFull"/);
    const incident = (await p.call('GET', `/incidents/${group.incident_id}`, dispatcher.token)).body;
    // high severity × critical system = P1 (the seeded priority table).
    expect(incident).toMatchObject({ systemId: pacsSystemId, priority: 'P1', channel: 'alert', title: '磁盘空间不足 / filesystem almost full: ' + exporter.target + ' /pacs' });

    // Alertmanager's repeats (every 2 s) count on the alert; still one group, one incident.
    const alerts = await waitFor(
      'repeats',
      async () => {
        const res = await p.call('GET', `/incidents/${group.incident_id}/alerts`, dispatcher.token);
        if (res.body.alerts.length !== 1 || res.body.alerts[0].attached.receipts < 3) throw new Error(JSON.stringify(res.body.alerts.map((a: any) => a.attached)));
        return res.body.alerts;
      },
      60_000,
    );
    expect(alerts[0]).toMatchObject({ source: 'alertmanager', alertname: 'FilesystemAlmostFull', status: 'firing', severity: 'high', item: { type: 'server', name: 'pacs-store-01' } });
    expect(alerts[0].labels).toMatchObject({ mountpoint: '/pacs', instance: exporter.target, component: 'server' });
    expect(await groups()).toHaveLength(1);
    expect((await p.ds.query(`SELECT count(*)::int AS n FROM incidents WHERE channel = 'alert'`))[0].n).toBe(1);

    // The disk is cleaned up: the rule resolves, Alertmanager sends the resolution, the incident recovers by itself.
    free = 50e9;
    await waitFor(
      'recovered',
      async () => {
        const res = await p.call('GET', `/incidents/${group.incident_id}`, dispatcher.token);
        if (res.body.state !== 'recovered') throw new Error(res.body.state);
      },
      90_000,
    );
    const after = (await p.call('GET', `/incidents/${group.incident_id}`, dispatcher.token)).body;
    expect(after.timeline.map((e: any) => e.type)).toEqual(['opened', 'auto_recovered']);
    expect(after.clocks.respond.state).toBe('paused');
    const [quiet] = await groups();
    expect(quiet.firing).toBe(0);
    expect((await p.ds.query(`SELECT count(*)::int AS n FROM incidents WHERE channel = 'alert'`))[0].n).toBe(1);
  });
});
