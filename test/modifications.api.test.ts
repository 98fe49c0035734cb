import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ModificationCommand, ModificationInput } from '../src/domain/modification';
import { MODIFICATION_WORKFLOW_TYPE, modificationCommandUpdate, modificationOpenedUpdate, modificationWorkflowId } from '../src/shared/modification-messages';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { alwaysWorkingCalendar, waitUntil } from './support/workflow-input';

/** S3, S11, S17: modification requests delivered within 7 days, accepted on the record, maintained 2 months free. */
describe('modification requests', () => {
  let p: TestPlatform;
  let dispatcher: TestUser;
  let engineer: TestUser;
  let itManager: TestUser;
  let reviewer: TestUser;
  const hour = 3_600_000;

  beforeAll(async () => {
    p = await startPlatform();
    dispatcher = await p.user(['dispatcher'], '王调度');
    engineer = await p.user(['engineer'], '李工');
    itManager = await p.user(['it_manager'], '信息科主任');
    reviewer = await p.user(['reviewer'], '信息科评审');
  });
  afterAll(() => p?.stop());

  it('a schema-changing request cannot be delivered before its linked change is approved; acceptance waits 7 working days', async () => {
    const created = await p.call('POST', '/modifications', dispatcher.token, {
      systemId: 'SYS-22',
      type: 'interface',
      title: '临床用血系统对接 HIS 医嘱接口',
      description: '输血申请单从 HIS 自动同步',
      department: '输血科',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ state: 'submitted', delivery: { state: 'running', breached: false } });
    const n = created.body.number;
    // S3: 7 calendar days from submission.
    const submittedAt = Date.parse(created.body.events[0].at);
    expect(Date.parse(created.body.delivery.deadline) - submittedAt).toBe(7 * 24 * hour);

    const change = await p.call('POST', '/changes', engineer.token, {
      systemId: 'SYS-22',
      kind: 'normal',
      title: '新增接口同步表',
      reason: n,
      dialect: 'sqlserver',
      forwardScript: 'CREATE TABLE dbo.his_order_sync (id int PRIMARY KEY, order_no varchar(32));',
      rollbackScript: 'DROP TABLE dbo.his_order_sync;',
      objects: [{ type: 'table', name: 'dbo.his_order_sync', action: 'create' }],
      risk: 'medium',
      window: { start: new Date(Date.now() - hour).toISOString(), end: new Date(Date.now() + hour).toISOString() },
    });
    expect(change.status).toBe(201);
    const assessed = await p.call('POST', `/modifications/${n}/assess`, engineer.token, { feasible: true, effortDays: 3, schemaChange: true, linkedChange: change.body.number });
    expect(assessed.body.state).toBe('assessed');
    expect((await p.call('POST', `/modifications/${n}/approve-scope`, itManager.token, { comment: '同意范围' })).body.state).toBe('approved');
    const early = await p.call('POST', `/modifications/${n}/deliver`, engineer.token, {});
    expect(early.status).toBe(409);
    expect(early.body.message).toContain('linked change');
    // the rollback drops the table: high risk (S4), so an IT manager approves as well
    await p.call('POST', `/changes/${change.body.number}/review`, reviewer.token, { decision: 'approve' });
    await p.call('POST', `/changes/${change.body.number}/review`, itManager.token, { decision: 'approve' });
    const live = await p.call('POST', `/modifications/${n}/deliver`, engineer.token, { note: '已上线' });
    expect(live.body).toMatchObject({ state: 'live', delivery: { state: 'stopped', breached: false } });
    const tooSoon = await p.call('POST', `/modifications/${n}/request-acceptance`, engineer.token, {});
    expect(tooSoon.status).toBe(409);
    expect(tooSoon.body.message).toContain('7 working days');
    expect(live.body.acceptanceEligibleAt).not.toBeNull();
  });

  it('records the 7-day breach, then acceptance starts free maintenance with a notice before it ends (shrunk)', async () => {
    const [system] = await p.ds.query(`SELECT id, display_name FROM business_systems WHERE code = 'SYS-22'`);
    const id = randomUUID();
    const now = Date.now();
    const input: ModificationInput = {
      modificationId: id,
      number: `MOD-TEST-${id.slice(0, 6).toUpperCase()}`,
      systemId: system.id,
      systemName: system.display_name,
      type: 'improvement',
      title: '报表增加科室筛选',
      description: 'd',
      department: '输血科',
      submittedBy: { id: dispatcher.id, name: '王调度' },
      submittedAt: now,
      calendar: alwaysWorkingCalendar(now),
      deliveryBudgetMs: 1500,
      acceptanceAfterWorkingDays: 0.00001,
      maintenance: { ms: 3000 },
      maintenanceNoticeMs: 1500,
      warningFractions: [0.5],
      policyVersion: 1,
    };
    const workflowId = modificationWorkflowId(input.number, id);
    await p.ds.query(
      `INSERT INTO modifications (id, number, workflow_id, system_id, type, title, description, department, state, submitted_by, submitted_at, view)
       VALUES ($1,$2,$3,$4,'improvement','t','d','输血科','submitted',$5,now(),'{}')`,
      [id, input.number, workflowId, system.id, dispatcher.id],
    );
    const handle = await p.temporal.workflow.start(MODIFICATION_WORKFLOW_TYPE, { workflowId, taskQueue: p.config.taskQueue, args: [input] });
    await handle.executeUpdate(modificationOpenedUpdate);
    const events = async () => (await p.ds.query(`SELECT type, at FROM modification_events WHERE modification_id = $1 ORDER BY seq`, [id])) as { type: string; at: Date }[];
    const breach = await waitUntil('the delivery breach', async () => (await events()).find((e) => e.type === 'delivery_breached'));
    expect(breach.at.getTime()).toBe(now + 1500);
    const row = await waitUntil('the projection', async () => (await p.ds.query(`SELECT delivery_breached FROM modifications WHERE id = $1`, [id]))[0]?.delivery_breached);
    expect(row).toBe(true);

    const actor = { id: engineer.id, name: '李工', roles: ['admin'] };
    const act = (c: Omit<ModificationCommand, 'actor'>) => handle.executeUpdate(modificationCommandUpdate, { args: [{ ...c, actor } as unknown as ModificationCommand] });
    await act({ action: 'assess', feasible: true, effortDays: 1, schemaChange: false, linkedChangeId: null, note: null } as never);
    await act({ action: 'approve_scope', comment: null } as never);
    await act({ action: 'deliver', note: null, linkedChangeApproved: false } as never);
    // 0.00001 of a 24-hour working day is 864 ms after go-live.
    await new Promise((r) => setTimeout(r, 1200));
    await act({ action: 'request_acceptance', note: null } as never);
    const accepted = await act({ action: 'accept', comment: '验收通过' } as never);
    expect(accepted.state).toBe('accepted');
    expect(accepted.maintenanceEndsAt).toBe(accepted.acceptedAt! + 3000);
    await waitUntil('the end of free maintenance', async () => (await events()).some((e) => e.type === 'maintenance_ended'), 20_000);
    const types = (await events()).map((e) => e.type);
    expect(types).toEqual([
      'submitted',
      'delivery_warning',
      'delivery_breached',
      'assess',
      'approve_scope',
      'deliver',
      'request_acceptance',
      'accept',
      'maintenance_ending',
      'maintenance_ended',
    ]);
    await handle.result();
    // S3/S11: the breach and the end of free maintenance reach the IT manager (and the PM).
    const inbox = await p.call('GET', '/me/notifications', itManager.token);
    const mine = inbox.body.filter((m: any) => m.title.includes(input.number)).map((m: any) => m.title);
    expect(mine.some((t: string) => t.includes('交付已超时'))).toBe(true);
    expect(mine.some((t: string) => t.includes('免费维护即将到期'))).toBe(true);
  });

  it('refuses bad input and the wrong roles', async () => {
    const bad = await p.call('POST', '/modifications', dispatcher.token, { systemId: 'SYS-22', type: 'wish', title: '', description: 'd', department: 'x', urgent: true });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['title', 'type', 'urgent']);
    expect((await p.call('POST', '/modifications', engineer.token, { systemId: 'SYS-22', type: 'improvement', title: 't', description: 'd', department: 'x' })).status).toBe(403);
    expect((await p.call('POST', '/modifications', dispatcher.token, { systemId: 'SYS-99', type: 'improvement', title: 't', description: 'd', department: 'x' })).status).toBe(422);
    expect((await p.call('GET', '/modifications/MOD-20000101-0001', itManager.token)).status).toBe(404);
  });
});
