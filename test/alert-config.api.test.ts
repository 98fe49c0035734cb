import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/** P3: the mapping rules and the priority table are data, edited through the API and refused naming the field when wrong. */
describe('alert mapping rules and priority table', () => {
  let p: TestPlatform;
  let dispatcher: TestUser;
  let manager: TestUser;
  let engineer: TestUser;

  beforeAll(async () => {
    p = await startPlatform({ worker: false });
    dispatcher = await p.user(['dispatcher'], '王调度');
    manager = await p.user(['it_manager'], '信息科主任');
    engineer = await p.user(['engineer'], '李工');
    const db = await p.call('POST', '/cmdb/items', engineer.token, { type: 'database', name: 'lis-oracle', displayName: 'LIS 数据库', attributes: { engine: 'oracle' } });
    const srv = await p.call('POST', '/cmdb/items', engineer.token, { type: 'server', name: 'lis-db-01', displayName: 'LIS 数据库服务器', attributes: { os: 'Linux', ip: '10.20.2.41' } });
    expect((await p.call('POST', '/cmdb/relations', engineer.token, { type: 'uses_database', sourceId: 'SYS-12', targetId: db.body.id })).status).toBe(201);
    expect((await p.call('POST', '/cmdb/relations', engineer.token, { type: 'runs_on', sourceId: db.body.id, targetId: srv.body.id })).status).toBe(201);
    expect((await p.call('PATCH', '/cmdb/items/SYS-12', manager.token, { criticality: 'critical' })).status).toBe(200);
  });
  afterAll(() => p?.stop());

  it('seeded rules in order; a probe shows where labels land; rules are added, changed and deleted by the IT manager only', async () => {
    const rules = await p.call('GET', '/alerts/mapping-rules', dispatcher.token);
    expect(rules.body.map((r: any) => [r.kind, r.label])).toEqual([
      ['label_ref', 'wardline_ci'],
      ['label_ip', 'instance'],
      ['label_ip', 'host_ip'],
      ['label_name', 'host'],
      ['label_name', 'job'],
    ]);
    const byIp = await p.call('POST', '/alerts/mapping-rules/probe', dispatcher.token, { source: 'alertmanager', labels: { alertname: 'PostgresDown', instance: '10.20.2.41:9187' } });
    expect(byIp.body).toMatchObject({ item: { type: 'server', name: 'lis-db-01' }, system: { code: 'SYS-12', criticality: 'critical' }, priorityBySeverity: { critical: 'P1', high: 'P1', warning: 'P2', info: 'P4' } });
    expect(byIp.body.systems.map((s: any) => s.code)).toEqual(['SYS-12']);
    const nowhere = await p.call('POST', '/alerts/mapping-rules/probe', dispatcher.token, { source: 'zabbix', labels: { alertname: 'PingLoss', host: 'unknown-box' } });
    expect(nowhere.body).toMatchObject({ item: null, system: null, groupKey: 'unmapped:PingLoss:unknown-box', priorityBySeverity: { critical: 'P2' } });

    expect((await p.call('POST', '/alerts/mapping-rules', dispatcher.token, { kind: 'item', itemRef: 'SYS-12' })).status).toBe(403);
    const bad = await p.call('POST', '/alerts/mapping-rules', manager.token, { kind: 'label_ref', label: 'x', match: { job: '(' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field)).toEqual(['match.job']);
    expect(bad.body.messageZh).toBeTruthy();
    expect((await p.call('POST', '/alerts/mapping-rules', manager.token, { kind: 'label_ip' })).body.errors.map((e: any) => e.field)).toEqual(['label']);
    expect((await p.call('POST', '/alerts/mapping-rules', manager.token, { kind: 'guess', label: 'x' })).body.errors.map((e: any) => e.field)).toEqual(['kind']);
    const unknown = await p.call('POST', '/alerts/mapping-rules', manager.token, { kind: 'item', itemRef: 'server:ghost' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].field).toBe('itemRef');

    const created = await p.call('POST', '/alerts/mapping-rules', manager.token, { position: 1, kind: 'item', itemRef: 'SYS-12', match: { job: 'lis-.*' }, note: 'LIS 接口机' });
    expect(created.status).toBe(201);
    const probe = await p.call('POST', '/alerts/mapping-rules/probe', dispatcher.token, { source: 'alertmanager', labels: { alertname: 'X', job: 'lis-mq' } });
    expect(probe.body).toMatchObject({ item: { type: 'business_system', name: 'SYS-12', ruleId: created.body.id }, system: { code: 'SYS-12' } });
    const off = await p.call('PATCH', `/alerts/mapping-rules/${created.body.id}`, manager.token, { enabled: false });
    expect(off.body.enabled).toBe(false);
    expect((await p.call('POST', '/alerts/mapping-rules/probe', dispatcher.token, { source: 'alertmanager', labels: { job: 'lis-mq' } })).body.item).toBeNull();
    expect((await p.call('PATCH', `/alerts/mapping-rules/${created.body.id}`, manager.token, { kind: 'label_ref' })).body.errors.map((e: any) => e.field).sort()).toEqual(['itemRef', 'label']);
    expect((await p.call('PATCH', '/alerts/mapping-rules/not-a-uuid', manager.token, { enabled: true })).body.errors[0].field).toBe('id');
    expect((await p.call('DELETE', `/alerts/mapping-rules/${created.body.id}`, manager.token)).status).toBe(200);
    expect((await p.call('DELETE', `/alerts/mapping-rules/${created.body.id}`, manager.token)).status).toBe(404);
  });

  it('the priority table is replaced whole by the IT manager; a partial one is refused', async () => {
    const table = await p.call('GET', '/alerts/priority-map', dispatcher.token);
    expect(table.body.cells).toHaveLength(25);
    const cells = table.body.cells.map((c: any) => ({ severity: c.severity, criticality: c.criticality, priority: c.severity === 'warning' && c.criticality === 'critical' ? 'P1' : c.priority }));
    const partial = await p.call('PUT', '/alerts/priority-map', manager.token, { cells: cells.slice(1) });
    expect(partial.status).toBe(400);
    expect(partial.body.errors.map((e: any) => e.field)).toEqual(['cells']);
    expect((await p.call('PUT', '/alerts/priority-map', manager.token, { cells: [...cells.slice(1), { severity: 'high', criticality: 'high', priority: 'P0' }] })).body.errors.map((e: any) => e.field)).toContain('cells.24.priority');
    expect((await p.call('PUT', '/alerts/priority-map', engineer.token, { cells })).status).toBe(403);
    const put = await p.call('PUT', '/alerts/priority-map', manager.token, { cells });
    expect(put.status).toBe(200);
    const probe = await p.call('POST', '/alerts/mapping-rules/probe', dispatcher.token, { source: 'alertmanager', labels: { instance: '10.20.2.41:9100' } });
    expect(probe.body.priorityBySeverity.warning).toBe('P1');
  });

  it('alert lists: all, an incident’s, a change’s; 404 naming what is missing', async () => {
    expect((await p.call('GET', '/alerts?status=firing', dispatcher.token)).body).toMatchObject({ total: 0, items: [] });
    expect((await p.call('GET', '/alerts?status=burning', dispatcher.token)).body.errors[0].field).toBe('status');
    expect((await p.call('GET', '/incidents/INC-20261130-9999/alerts', dispatcher.token)).status).toBe(404);
    expect((await p.call('GET', '/changes/CHG-20261130-9999/alerts', dispatcher.token)).status).toBe(404);
    expect((await p.call('GET', '/alerts')).status).toBe(401);
  });
});
