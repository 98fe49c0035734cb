import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { waitUntil } from './support/workflow-input';

/**
 * One source of truth for "made by" (S7, P1), and business systems whose history outlives their CMDB entry:
 * /vendors and the CMDB agree whichever side is edited, a business system with history is retired rather than
 * deleted, and incidents and escalations read without a live CMDB row.
 */
describe('who made a system, and systems with a history', () => {
  let p: TestPlatform;
  let itManager: TestUser;
  let dispatcher: TestUser;
  let engineer: TestUser;

  beforeAll(async () => {
    p = await startPlatform();
    itManager = await p.user(['it_manager'], '信息科主任');
    dispatcher = await p.user(['dispatcher'], '王调度');
    engineer = await p.user(['engineer'], '李工');
  });
  afterAll(() => p?.stop());

  it('a system linked through /vendors shows that vendor in the CMDB, and a CMDB edit shows in /vendors', async () => {
    const created = await p.call('POST', '/vendors', itManager.token, { name: '甲厂商', systems: ['SYS-07'] });
    expect(created.status).toBe(201);
    const a = created.body;
    const b = (await p.call('POST', '/vendors', itManager.token, { name: '乙厂商' })).body;
    expect((await p.call('GET', '/cmdb/items/SYS-07', itManager.token)).body.vendor).toEqual({ id: a.id, name: '甲厂商' });

    expect((await p.call('PUT', `/vendors/${a.id}/systems`, itManager.token, { systems: ['SYS-08', 'SYS-09'] })).status).toBe(200);
    expect((await p.call('GET', '/cmdb/items/SYS-07', itManager.token)).body.vendor).toBeNull();
    expect((await p.call('GET', '/cmdb/items/SYS-09', itManager.token)).body.vendor).toMatchObject({ name: '甲厂商' });

    // The CMDB is edited: /vendors follows.
    expect((await p.call('PATCH', '/cmdb/items/SYS-09', itManager.token, { vendorId: b.id })).status).toBe(200);
    expect((await p.call('GET', `/vendors/${a.id}`, itManager.token)).body.systems.map((s: any) => s.code)).toEqual(['SYS-08']);
    expect((await p.call('GET', `/vendors/${b.id}`, itManager.token)).body.systems.map((s: any) => s.code)).toEqual(['SYS-09']);
    // Who changed "made by" is in the CMDB history either way.
    const history = (await p.call('GET', '/cmdb/items/SYS-08/history', itManager.token)).body.entries;
    expect(history[0]).toMatchObject({ action: 'update', actor: { name: '信息科主任' }, after: { vendorId: a.id } });
  });

  it('a business system is retired, not deleted, and its incidents and escalations read without its CMDB row', async () => {
    const opened = await p.call('POST', '/incidents', dispatcher.token, {
      systemId: 'SYS-10',
      title: '叫号屏不显示',
      description: 'd',
      reporter: { name: '李护士长', department: '放射科', phone: '8021' },
      priority: 'P3',
      channel: 'phone',
      assigneeId: engineer.id,
    });
    expect(opened.status).toBe(201);
    const refused = await p.call('DELETE', '/cmdb/items/SYS-10', itManager.token);
    expect(refused).toMatchObject({ status: 409, body: { code: 'ITEM_IN_USE', history: { incidents: 1 } } });
    expect(refused.body.message).toContain('retire');
    const retired = await p.call('PATCH', '/cmdb/items/SYS-10', itManager.token, { lifecycleStatus: 'retired' });
    expect(retired.body.lifecycleStatus).toBe('retired');

    // A CMDB row lost before this rule (deleted by hand): the incident and its escalations still answer.
    await p.call('POST', `/incidents/${opened.body.number}/escalations`, engineer.token, { reason: '需要原厂' });
    await waitUntil('the escalation', async () => (await p.ds.query(`SELECT 1 FROM escalations WHERE incident_id = $1`, [opened.body.id])).length > 0);
    await p.ds.query(`DELETE FROM cmdb_relations WHERE source_id IN (SELECT id FROM cmdb_items WHERE name = 'SYS-10') OR target_id IN (SELECT id FROM cmdb_items WHERE name = 'SYS-10')`);
    await p.ds.query(`DELETE FROM cmdb_items WHERE name = 'SYS-10'`);
    const detail = await p.call('GET', `/incidents/${opened.body.number}`, dispatcher.token);
    expect(detail.status).toBe(200);
    expect(detail.body.affectedSystems).toEqual([]);
    const escalations = await p.call('GET', `/incidents/${opened.body.number}/escalations`, dispatcher.token);
    expect(escalations.status).toBe(200);
    expect(escalations.body).toHaveLength(1);
  });
});
