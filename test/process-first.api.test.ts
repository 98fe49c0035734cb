import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { assessRevision } from '../src/domain/change';
import { ChangeInput } from '../src/domain/change-process';
import { ModificationInput } from '../src/domain/modification';
import { CHANGE_WORKFLOW_TYPE, changeOpenedUpdate, changeWorkflowId } from '../src/shared/change-messages';
import { MODIFICATION_WORKFLOW_TYPE, modificationOpenedUpdate, modificationWorkflowId } from '../src/shared/modification-messages';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { alwaysWorkingCalendar } from './support/workflow-input';

/**
 * Issue 9: a change or modification request used to be stored before its workflow started, so an API killed in
 * between left rows nothing could read or act on. Now the API starts the workflow, which writes the row itself (as
 * incidents do); rows left by the old order read as what they are, and commands on them answer 409, not 500.
 */
describe('processes first, rows second', () => {
  let p: TestPlatform;
  let dispatcher: TestUser;
  let engineer: TestUser;
  let reviewer: TestUser;
  const hour = 3_600_000;

  beforeAll(async () => {
    p = await startPlatform();
    dispatcher = await p.user(['dispatcher'], '王调度');
    engineer = await p.user(['engineer'], '李工');
    reviewer = await p.user(['reviewer'], '评审');
  });
  afterAll(() => p?.stop());

  const system = async () => (await p.ds.query(`SELECT id, display_name FROM business_systems WHERE code = 'SYS-22'`))[0];

  it('a modification request\'s workflow writes its own row: started with no row, it is readable and actionable', async () => {
    const s = await system();
    const id = randomUUID();
    const now = Date.now();
    const input: ModificationInput = {
      modificationId: id,
      number: `MOD-TEST-${id.slice(0, 6).toUpperCase()}`,
      systemId: s.id,
      systemName: s.display_name,
      type: 'improvement',
      title: '报表增加科室筛选',
      description: '按科室筛选输血记录',
      department: '输血科',
      submittedBy: { id: dispatcher.id, name: '王调度' },
      submittedAt: now,
      calendar: alwaysWorkingCalendar(now),
      deliveryBudgetMs: 7 * 24 * hour,
      acceptanceAfterWorkingDays: 7,
      maintenance: { months: 2 },
      maintenanceNoticeMs: 7 * 24 * hour,
      warningFractions: [0.5],
      policyVersion: 1,
    };
    const handle = await p.temporal.workflow.start(MODIFICATION_WORKFLOW_TYPE, { workflowId: modificationWorkflowId(input.number, id), taskQueue: p.config.taskQueue, args: [input] });
    await handle.executeUpdate(modificationOpenedUpdate);
    const [row] = await p.ds.query(`SELECT state, description, department, submitted_by FROM modifications WHERE id = $1`, [id]);
    expect(row).toEqual({ state: 'submitted', description: '按科室筛选输血记录', department: '输血科', submitted_by: dispatcher.id });
    const read = await p.call('GET', `/modifications/${input.number}`, engineer.token);
    expect(read).toMatchObject({ status: 200, body: { state: 'submitted', allowedActions: ['assess'] } });
    const assessed = await p.call('POST', `/modifications/${input.number}/assess`, engineer.token, { feasible: true, effortDays: 1, schemaChange: false });
    expect(assessed.body.state).toBe('assessed');
  });

  it('a change\'s workflow writes its own row too', async () => {
    const s = await system();
    const changeId = randomUUID();
    const now = Date.now();
    const number = `CHG-TEST-${changeId.slice(0, 6).toUpperCase()}`;
    const input: ChangeInput = {
      changeId,
      number,
      systemId: s.id,
      systemName: s.display_name,
      kind: 'normal',
      title: '新增索引',
      reason: 'r',
      window: { start: now, end: now + hour },
      implementer: null,
      submittedBy: { id: engineer.id, name: '李工', roles: ['engineer'] },
      linkedIncidentId: null,
      linkedModificationId: null,
      firstRevision: {
        number: 1,
        forwardScript: 'CREATE INDEX ix_t ON t (id);',
        rollbackScript: 'DROP INDEX ix_t;',
        ...assessRevision({ declaredRisk: 'low', declaredObjects: [{ type: 'index', name: 'ix_t', action: 'create' }], found: { objects: [], schemaChange: true, destructive: false, unparsed: [], riskFloor: 'medium' } }),
        submittedAt: now,
        submittedBy: { id: engineer.id, name: '李工', roles: ['engineer'] },
      },
      calendar: alwaysWorkingCalendar(now),
      reviewReminderWorkingDays: 1,
      reviewEscalationWorkingDays: 2,
      emergencyReviewWorkingDays: 1,
    };
    const handle = await p.temporal.workflow.start(CHANGE_WORKFLOW_TYPE, { workflowId: changeWorkflowId(number, changeId), taskQueue: p.config.taskQueue, args: [input] });
    await handle.executeUpdate(changeOpenedUpdate);
    const [row] = await p.ds.query(`SELECT state, submitted_by, kind FROM changes WHERE id = $1`, [changeId]);
    expect(row).toEqual({ state: 'in_review', submitted_by: engineer.id, kind: 'normal' });
    const reviewed = await p.call('POST', `/changes/${number}/review`, reviewer.token, { decision: 'approve' });
    expect(reviewed.body.state).toBe('approved');
  });

  it('rows left without a process by the old order read as such, and commands on them answer 409', async () => {
    const s = await system();
    const modId = randomUUID();
    await p.ds.query(
      `INSERT INTO modifications (id, number, workflow_id, system_id, type, title, description, department, state, submitted_by, submitted_at, view)
       VALUES ($1, 'MOD-20261101-0099', 'modification-MOD-20261101-0099-none', $2, 'improvement', '孤儿', 'd', '输血科', 'submitted', $3, now(), '{}')`,
      [modId, s.id, dispatcher.id],
    );
    const mod = await p.call('GET', '/modifications/MOD-20261101-0099', engineer.token);
    expect(mod).toMatchObject({ status: 200, body: { number: 'MOD-20261101-0099', state: 'submitted', process: 'missing', allowedActions: [] } });
    const act = await p.call('POST', '/modifications/MOD-20261101-0099/assess', engineer.token, { feasible: true, effortDays: 1, schemaChange: false });
    expect(act).toMatchObject({ status: 409, body: { code: 'NO_PROCESS' } });
    expect((await p.call('GET', '/modifications', engineer.token)).body.some((m: any) => m.number === 'MOD-20261101-0099')).toBe(true);

    await p.ds.query(
      `INSERT INTO changes (id, number, workflow_id, system_id, kind, title, state, risk, schema_change, destructive, current_revision, window_start, window_end, submitted_by, view)
       VALUES ($1, 'CHG-20261101-0099', 'change-CHG-20261101-0099-none', $2, 'normal', '孤儿', 'in_review', 'medium', true, false, 1, now(), now() + interval '1 hour', $3, '{}')`,
      [randomUUID(), s.id, engineer.id],
    );
    const change = await p.call('GET', '/changes/CHG-20261101-0099', reviewer.token);
    expect(change).toMatchObject({ status: 200, body: { state: 'in_review', process: 'missing', allowedActions: [] } });
    const review = await p.call('POST', '/changes/CHG-20261101-0099/review', reviewer.token, { decision: 'approve' });
    expect(review).toMatchObject({ status: 409, body: { code: 'NO_PROCESS' } });
  });
});
