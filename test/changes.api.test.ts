import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { assessRevision } from '../src/domain/change';
import { ChangeInput } from '../src/domain/change-process';
import { CHANGE_WORKFLOW_TYPE, changeOpenedUpdate, changeWorkflowId } from '../src/shared/change-messages';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { alwaysWorkingCalendar, waitUntil } from './support/workflow-input';

/** S4 end to end: schema changes wait for the hospital's review; the SQL decides, not the submitter's claim. */
describe('change management', () => {
  let p: TestPlatform;
  let engineer: TestUser;
  let reviewer: TestUser;
  let reviewer2: TestUser;
  let itManager: TestUser;
  let selfReviewer: TestUser;

  const hour = 3_600_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const openWindow = () => ({ start: iso(Date.now() - hour), end: iso(Date.now() + hour) });
  const change = (overrides: Record<string, unknown> = {}) => ({
    systemId: 'SYS-11',
    kind: 'normal',
    title: '检查登记表增加影像号字段',
    reason: 'PACS 升级需要',
    dialect: 'oracle',
    forwardScript: 'ALTER TABLE PACS.EXAM_REG ADD (IMAGE_NO VARCHAR2(64));\nCREATE INDEX PACS.IDX_EXAM_IMG ON PACS.EXAM_REG (IMAGE_NO);',
    rollbackScript: 'DROP INDEX PACS.IDX_EXAM_IMG;\nALTER TABLE PACS.EXAM_REG DROP COLUMN IMAGE_NO;',
    // The submitter claims a data fix at low risk; the SQL says otherwise.
    objects: [{ type: 'data', name: 'PACS.EXAM_REG', action: 'update' }],
    risk: 'low',
    window: openWindow(),
    ...overrides,
  });

  beforeAll(async () => {
    p = await startPlatform();
    engineer = await p.user(['engineer'], '李工');
    reviewer = await p.user(['reviewer'], '信息科评审甲');
    reviewer2 = await p.user(['reviewer'], '信息科评审乙');
    itManager = await p.user(['it_manager'], '信息科主任');
    selfReviewer = await p.user(['engineer', 'reviewer'], '又写又审');
  });
  afterAll(() => p?.stop());

  it('walks a schema change through review, implementation in its window, verification and close', async () => {
    const created = await p.call('POST', '/changes', engineer.token, change({ implementerId: engineer.id }));
    expect(created.status).toBe(201);
    // S4, issue 9: the rollback (DROP INDEX, DROP COLUMN) is judged too: destructive, so high risk and two approvals.
    expect(created.body).toMatchObject({ state: 'in_review', schemaChange: true, destructive: true, risk: 'high', currentRevision: 1 });
    const n = created.body.number;
    expect(n).toMatch(/^CHG-\d{8}-\d{4}$/);

    expect((await p.call('POST', `/changes/${n}/implement`, engineer.token, { revision: 1, evidence: 'x' })).status).toBe(409);
    expect((await p.call('POST', `/changes/${n}/review`, reviewer.token, { decision: 'approve', comment: '同意' })).body.state).toBe('in_review');
    const approved = await p.call('POST', `/changes/${n}/review`, itManager.token, { decision: 'approve', comment: '回退脚本已核对' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ state: 'approved', approvedRevision: 1 });
    const wrongRevision = await p.call('POST', `/changes/${n}/implement`, engineer.token, { revision: 2, evidence: 'x' });
    expect(wrongRevision.status).toBe(409);
    expect(wrongRevision.body.message).toContain('approved revision 1');
    const implemented = await p.call('POST', `/changes/${n}/implement`, engineer.token, { revision: 1, evidence: 'sqlplus 执行成功，2 条语句' });
    expect(implemented.body.state).toBe('implemented');
    expect((await p.call('POST', `/changes/${n}/verify`, engineer.token, { outcome: 'succeeded', evidence: '影像号可正常写入' })).body.state).toBe('verified');
    expect((await p.call('POST', `/changes/${n}/close`, itManager.token, {})).body.state).toBe('closed');

    const detail = await p.call('GET', `/changes/${n}`, reviewer.token);
    expect(detail.body.history.map((h: any) => [h.action, h.actor?.name ?? null, h.revision])).toEqual([
      ['submitted', '李工', 1],
      ['review', '信息科评审甲', 1],
      ['review', '信息科主任', 1],
      ['implement', '李工', 1],
      ['verify', '李工', 1],
      ['close', '信息科主任', 1],
    ]);
    const objects = detail.body.revisions[0].objects.map((o: any) => `${o.type}:${o.action}`);
    expect(objects).toEqual(expect.arrayContaining(['table:alter', 'index:create']));
    expect(detail.body.revisions[0].rollbackFindings).toMatchObject({ destructive: true, schemaChange: true, unparsed: [] });
    expect(detail.body.revisions[0].rollbackFindings.objects.map((o: any) => `${o.type}:${o.action}`)).toEqual(['index:drop', 'table:alter']);
    // Reviewers were asked, and the submitter told of the decision.
    const inbox = await p.call('GET', '/me/notifications', reviewer.token);
    expect(inbox.body.some((m: any) => m.title.includes(n) && m.title.includes('变更待评审'))).toBe(true);
  });

  it('refuses implementation outside the approved window', async () => {
    const later = { start: iso(Date.now() + 24 * hour), end: iso(Date.now() + 26 * hour) };
    const created = await p.call('POST', '/changes', engineer.token, change({ window: later }));
    await p.call('POST', `/changes/${created.body.number}/review`, reviewer.token, { decision: 'approve' });
    expect((await p.call('POST', `/changes/${created.body.number}/review`, itManager.token, { decision: 'approve' })).body.state).toBe('approved');
    const res = await p.call('POST', `/changes/${created.body.number}/implement`, engineer.token, { revision: 1, evidence: 'x' });
    expect(res.status).toBe(409);
    expect(res.body.message).toContain('window');
  });

  it('the submitter and the implementer may not approve their own change (403)', async () => {
    const own = await p.call('POST', '/changes', selfReviewer.token, change());
    const res = await p.call('POST', `/changes/${own.body.number}/review`, selfReviewer.token, { decision: 'approve' });
    expect(res.status).toBe(403);
    expect(res.body.message).toContain('submitter');
    const implemented = await p.call('POST', '/changes', engineer.token, change({ implementerId: selfReviewer.id }));
    expect((await p.call('POST', `/changes/${implemented.body.number}/review`, selfReviewer.token, { decision: 'approve' })).status).toBe(403);
  });

  it('a destructive change is high risk and needs two approvals, one from an it_manager', async () => {
    const created = await p.call('POST', '/changes', engineer.token, change({ forwardScript: 'DROP TABLE PACS.EXAM_TMP;', rollbackScript: '' }));
    expect(created.body).toMatchObject({ risk: 'high', destructive: true });
    const n = created.body.number;
    expect((await p.call('POST', `/changes/${n}/review`, reviewer.token, { decision: 'approve' })).body.state).toBe('in_review');
    expect((await p.call('POST', `/changes/${n}/review`, reviewer.token, { decision: 'approve' })).status).toBe(409);
    expect((await p.call('POST', `/changes/${n}/review`, reviewer2.token, { decision: 'approve' })).body.state).toBe('in_review');
    const done = await p.call('POST', `/changes/${n}/review`, itManager.token, { decision: 'approve', comment: '已备份' });
    expect(done.body).toMatchObject({ state: 'approved', approvedRevision: 1 });
    expect(done.body.approvals).toHaveLength(3);
  });

  it('sending back makes a new revision, resets approvals and shows the diff', async () => {
    const created = await p.call('POST', '/changes', engineer.token, change({ forwardScript: 'DROP TABLE PACS.OLD_LOG;', rollbackScript: '' }));
    const n = created.body.number;
    await p.call('POST', `/changes/${n}/review`, reviewer.token, { decision: 'approve' });
    const back = await p.call('POST', `/changes/${n}/review`, itManager.token, { decision: 'send_back', comment: '请先改名备份，不要直接删除' });
    expect(back.body).toMatchObject({ state: 'sent_back', approvals: [] });
    const revised = await p.call('POST', `/changes/${n}/revisions`, engineer.token, {
      dialect: 'oracle',
      forwardScript: 'ALTER TABLE PACS.OLD_LOG RENAME TO OLD_LOG_BAK;',
      rollbackScript: 'ALTER TABLE PACS.OLD_LOG_BAK RENAME TO OLD_LOG;',
      objects: [{ type: 'table', name: 'PACS.OLD_LOG', action: 'alter' }],
      risk: 'medium',
    });
    expect(revised.status).toBe(200);
    expect(revised.body).toMatchObject({ state: 'in_review', currentRevision: 2, risk: 'medium', approvals: [] });
    const detail = await p.call('GET', `/changes/${n}`, reviewer.token);
    expect(detail.body.revisions[1].diffFromPrevious.forward).toEqual(['- DROP TABLE PACS.OLD_LOG;', '+ ALTER TABLE PACS.OLD_LOG RENAME TO OLD_LOG_BAK;']);
    // Issue 9: the diff was computed once when revision 2 was submitted and is read from storage, not recomputed per GET.
    const stored = await p.ds.query(`SELECT d.scripts_id FROM change_script_diffs d JOIN change_scripts s ON s.id = d.scripts_id WHERE s.change_id = $1`, [created.body.id]);
    expect(stored).toHaveLength(1);
    await p.ds.query(`UPDATE change_script_diffs SET forward = '["+ (stored)"]' WHERE scripts_id = $1`, [stored[0].scripts_id]);
    expect((await p.call('GET', `/changes/${n}`, reviewer.token)).body.revisions[1].diffFromPrevious.forward).toEqual(['+ (stored)']);
    expect((await p.call('POST', `/changes/${n}/review`, reviewer.token, { decision: 'approve' })).body).toMatchObject({ state: 'approved', approvedRevision: 2 });
  });

  it('an emergency change is implemented first and cannot close before its retrospective review', async () => {
    const created = await p.call('POST', '/changes', engineer.token, change({ kind: 'emergency' }));
    const n = created.body.number;
    expect(created.body.allowedActions).toContain('implement');
    expect((await p.call('POST', `/changes/${n}/implement`, engineer.token, { revision: 1, evidence: '紧急修复' })).body.state).toBe('implemented');
    const verified = await p.call('POST', `/changes/${n}/verify`, engineer.token, { outcome: 'succeeded', evidence: 'ok' });
    // The retrospective review is the hospital's: the engineer is offered nothing, a reviewer the review.
    expect(verified.body.allowedActions).toEqual([]);
    expect((await p.call('GET', `/changes/${n}`, reviewer.token)).body.allowedActions).toEqual(['review']);
    expect(verified.body.reviewDueAt).not.toBeNull();
    expect((await p.call('POST', `/changes/${n}/close`, itManager.token, {})).status).toBe(409);
    await p.call('POST', `/changes/${n}/review`, reviewer.token, { decision: 'approve', comment: '事后评审同意' });
    const reviewed = await p.call('POST', `/changes/${n}/review`, itManager.token, { decision: 'approve', comment: '回退脚本高风险，主任同意' });
    expect(reviewed.body).toMatchObject({ reviewed: true, state: 'verified', allowedActions: ['close'] });
    expect((await p.call('POST', `/changes/${n}/close`, itManager.token, {})).body.state).toBe('closed');
  });

  it('a standard change of plain data passes without review; unparseable SQL is never waved through', async () => {
    const standard = await p.call('POST', '/changes', engineer.token, change({
      kind: 'standard',
      dialect: 'postgresql',
      forwardScript: "UPDATE his.dict_dept SET dept_name = '放射科' WHERE dept_code = 'RAD';",
      rollbackScript: "UPDATE his.dict_dept SET dept_name = '影像科' WHERE dept_code = 'RAD';",
      objects: [],
    }));
    expect(standard.body).toMatchObject({ state: 'approved', schemaChange: false, risk: 'low' });
    const garbage = await p.call('POST', '/changes', engineer.token, change({ kind: 'standard', dialect: 'postgresql', forwardScript: 'FROBNICATE THE WIDGETS;', objects: [] }));
    expect(garbage.body.state).toBe('in_review');
    const detail = await p.call('GET', `/changes/${garbage.body.number}`, reviewer.token);
    expect(detail.body.revisions[0].unparsed.length).toBeGreaterThan(0);
  });

  it('issue 9: a standard change fails closed: a destructive rollback, a DELETE without WHERE or an unresolved EXEC goes to review at high risk', async () => {
    const standard = (forwardScript: string, rollbackScript: string, dialect = 'sqlserver') =>
      p.call('POST', '/changes', engineer.token, change({ kind: 'standard', dialect, forwardScript, rollbackScript, objects: [] }));
    const rollbackDrops = await standard("UPDATE dbo.dict_dept SET name = N'放射科' WHERE code = 'RAD';", 'DROP TABLE dbo.dict_dept_bak;');
    expect(rollbackDrops.body).toMatchObject({ state: 'in_review', destructive: true, risk: 'high' });
    const deletesAll = await standard('DELETE FROM dbo.lab_interface_queue;', '');
    expect(deletesAll.body).toMatchObject({ state: 'in_review', schemaChange: false, destructive: true, risk: 'high' });
    const opaque = await standard("EXEC dbo.usp_vendor_fix @id = 7", '');
    expect(opaque.body).toMatchObject({ state: 'in_review', risk: 'high' });
    const hiddenRollback = await standard("UPDATE dbo.t SET a = 1 WHERE id = 2;", "DECLARE @s nvarchar(200) = (SELECT cmd FROM dbo.undo_cmds)\nEXEC(@s)");
    expect(hiddenRollback.body).toMatchObject({ state: 'in_review', risk: 'high' });
    const detail = await p.call('GET', `/changes/${hiddenRollback.body.number}`, reviewer.token);
    expect(detail.body.revisions[0].unparsed).toEqual([{ index: 1, error: expect.stringContaining('run time'), script: 'rollback' }]);
  });

  it('bad input names its fields; unknown systems are 422; reviewers only may review', async () => {
    const bad = await p.call('POST', '/changes', engineer.token, { ...change({ kind: 'urgent', dialect: 'db2', risk: 'huge' }), objects: [{ type: 'table', name: 'x', action: 'explode' }], extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['dialect', 'extra', 'kind', 'objects.0.action', 'risk']);
    expect((await p.call('POST', '/changes', engineer.token, change({ systemId: 'SYS-99' }))).status).toBe(422);
    const backwards = await p.call('POST', '/changes', engineer.token, change({ window: { start: iso(Date.now()), end: iso(Date.now() - hour) } }));
    expect(backwards.status).toBe(422);
    expect(backwards.body.errors[0].field).toBe('window.end');
    const created = await p.call('POST', '/changes', engineer.token, change());
    expect((await p.call('POST', `/changes/${created.body.number}/review`, engineer.token, { decision: 'approve' })).status).toBe(403);
    expect((await p.call('GET', '/changes/CHG-20000101-0001', reviewer.token)).status).toBe(404);
  });

  it('the review clock reminds the reviewers after 1 working day and brings in the IT manager after 2 (shrunk)', async () => {
    const [system] = await p.ds.query(`SELECT id, display_name FROM business_systems WHERE code = 'SYS-11'`);
    const now = Date.now();
    const changeId = randomUUID();
    const number = `CHG-TEST-${changeId.slice(0, 6).toUpperCase()}`;
    const revision = {
      number: 1,
      forwardScript: 'CREATE TABLE t (id int);',
      rollbackScript: 'DROP TABLE t;',
      ...assessRevision({ declaredRisk: 'low', declaredObjects: [{ type: 'table', name: 't', action: 'create' }], found: { objects: [], schemaChange: true, destructive: false, unparsed: [], riskFloor: 'medium' } }),
      submittedAt: now,
      submittedBy: { id: engineer.id, name: '李工', roles: ['engineer'] },
    };
    const workflowId = changeWorkflowId(number, changeId);
    await p.ds.query(
      `INSERT INTO changes (id, number, workflow_id, system_id, kind, title, state, risk, schema_change, destructive, current_revision, window_start, window_end, submitted_by, view)
       VALUES ($1,$2,$3,$4,'normal','t','in_review','medium',true,false,1,now(),now() + interval '1 hour',$5,'{}')`,
      [changeId, number, workflowId, system.id, engineer.id],
    );
    // One working day is 24 h on this calendar; 0.00003 of it is about 2.6 s.
    const input: ChangeInput = {
      changeId,
      number,
      systemId: system.id,
      systemName: system.display_name,
      kind: 'normal',
      title: 't',
      reason: 'r',
      window: { start: now, end: now + hour },
      implementer: null,
      submittedBy: revision.submittedBy,
      linkedIncidentId: null,
      linkedModificationId: null,
      firstRevision: revision,
      calendar: alwaysWorkingCalendar(now),
      reviewReminderWorkingDays: 0.00003,
      reviewEscalationWorkingDays: 0.00006,
      emergencyReviewWorkingDays: 0.00003,
    };
    const handle = await p.temporal.workflow.start(CHANGE_WORKFLOW_TYPE, { workflowId, taskQueue: p.config.taskQueue, args: [input] });
    await handle.executeUpdate(changeOpenedUpdate);
    const events = () => p.ds.query(`SELECT action FROM change_events WHERE change_id = $1 ORDER BY seq`, [changeId]);
    await waitUntil('the escalation', async () => (await events()).some((e: any) => e.action === 'review_escalated'), 30_000);
    expect((await events()).map((e: any) => e.action)).toEqual(['submitted', 'review_reminder', 'review_escalated']);
    // the notice is sent after the event is projected: wait for it rather than race it
    const told = async () => (await p.call('GET', '/me/notifications', itManager.token)).body.some((m: any) => m.title.includes(number) && m.title.includes('评审超时升级'));
    await waitUntil('the IT manager is told', told, 30_000);
    expect(await told()).toBe(true);
    await handle.executeUpdate('changeCommand', { args: [{ action: 'cancel', actor: { id: engineer.id, name: '李工', roles: ['engineer'] }, reason: 'test done' }] });
  });
});
