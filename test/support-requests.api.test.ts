import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { WorkingCalendar } from '../src/domain/calendar';
import { DEFAULT_SUPPORT_POLICIES, SUPPORT_WARNING_FRACTION, SupportInput } from '../src/domain/support/support-request';
import { buildCalendarSpec } from '../src/infra/china-calendar';
import { SUPPORT_WORKFLOW_TYPE, supportWorkflowId } from '../src/shared/support-messages';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/**
 * S6 end to end on real PostgreSQL and Temporal: support requests are their own tickets with their own clock
 * (2 working days on the China calendar by default, policy as data), a data clean-up is fulfilled only through an
 * implemented change, fulfilment becomes a maintenance record (S14), and a clock that runs out records its breach.
 */
describe('support requests (S6)', () => {
  let p: TestPlatform;
  let dispatcher: TestUser;
  let engineer: TestUser;
  let reviewer: TestUser;
  let itManager: TestUser;
  let pm: TestUser;

  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> => {
    const until = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  };
  const submit = (type: string, title: string) =>
    p.call('POST', '/support-requests', dispatcher.token, { systemId: 'SYS-11', type, title, description: `${title}（信息科提出）`, requester: { name: '孙主任', department: '医务处' } });

  beforeAll(async () => {
    p = await startPlatform();
    dispatcher = await p.user(['dispatcher'], '王调度');
    engineer = await p.user(['engineer'], '李工');
    reviewer = await p.user(['reviewer'], '信息科评审');
    itManager = await p.user(['it_manager'], '信息科主任');
    pm = await p.user(['project_manager'], '张经理');
  });
  afterAll(() => p?.stop());

  it('a report export runs on its own 2-working-day clock and becomes a maintenance record', async () => {
    const policies = await p.call('GET', '/support-requests/policies', engineer.token);
    expect(policies.body.policies.map((x: any) => [x.type, x.workingDays, x.touchesData])).toEqual(DEFAULT_SUPPORT_POLICIES.map((x) => [x.type, 2, x.touchesData]));

    const created = await submit('report_export', '导出 11 月门诊量报表');
    expect(created.status).toBe(201);
    const sr = created.body;
    expect(sr.number).toMatch(/^SR-\d{8}-\d{4}$/);
    expect(sr).toMatchObject({ state: 'submitted', typeLabel: '报表导出', workingDays: 2, touchesData: false, breached: false });
    // The due time is 2 working days of the China calendar after submission.
    const calendar = new WorkingCalendar(buildCalendarSpec());
    const submitted = Date.parse(sr.submittedAt);
    const due = Date.parse(sr.dueAt);
    expect(calendar.workingTimeBetween(submitted, due)).toBeGreaterThan(2 * calendar.dayLengthMs - 1000);
    expect(calendar.workingTimeBetween(submitted, due)).toBeLessThanOrEqual(2 * calendar.dayLengthMs);
    expect(due).toBeGreaterThan(submitted);
    // Its warning falls at three quarters of the same working-time budget, and the workflow carries the system's name.
    const [start] = await p.ds.query(`SELECT start_args FROM workflow_outbox WHERE workflow_id = $1 AND operation = 'start'`, [supportWorkflowId(sr.number, sr.id)]);
    const startInput = start.start_args[0] as SupportInput;
    expect(startInput.dueAt).toBe(due);
    expect(startInput.warnAt).toBe(calendar.addWorkingTime(submitted, SUPPORT_WARNING_FRACTION * 2 * calendar.dayLengthMs));
    expect(startInput.warnAt!).toBeLessThan(due);
    expect(startInput.systemName).toBeTruthy();

    // Out of order: 409 naming the state; the wrong side: 403.
    const early = await p.call('POST', `/support-requests/${sr.number}/confirm`, dispatcher.token, {});
    expect(early.status).toBe(409);
    expect(early.body.messageZh).toContain('待受理');
    expect((await p.call('POST', `/support-requests/${sr.number}/accept`, dispatcher.token, {})).status).toBe(403);
    expect((await p.call('POST', `/support-requests/${sr.number}/accept`, engineer.token, {})).body.state).toBe('in_progress');
    const done = await p.call('POST', `/support-requests/${sr.number}/fulfil`, engineer.token, { result: '已导出 Excel 并发送至医务处邮箱' });
    expect(done.body).toMatchObject({ state: 'fulfilled', result: '已导出 Excel 并发送至医务处邮箱' });
    expect((await p.call('POST', `/support-requests/${sr.number}/confirm`, engineer.token, {})).status).toBe(403);
    const confirmed = await p.call('POST', `/support-requests/${sr.number}/confirm`, dispatcher.token, { note: '已收到' });
    expect(confirmed.body).toMatchObject({ state: 'confirmed', allowedActions: [] });
    expect(confirmed.body.timeline.map((t: any) => t.type)).toEqual(['submitted', 'accept', 'fulfil', 'confirm']);

    const records = await p.call('GET', `/records?source=${sr.number}`, dispatcher.token);
    expect(records.body.items).toHaveLength(1);
    expect(records.body.items[0]).toMatchObject({ type: 'support_request', typeLabel: '服务请求' });
    expect(records.body.items[0].content).toMatchObject({ cause: '报表导出', result: '已完成', sla: { breached: false } });
    // The record links back to the request's full timeline (S14), as incidents' and changes' records do.
    const detail = await p.call('GET', `/records/${records.body.items[0].number}`, dispatcher.token);
    expect(detail.status).toBe(200);
    expect(detail.body.source).toMatchObject({ kind: 'support_request', number: sr.number, link: `/support-requests/${sr.number}` });
    expect(detail.body.timeline.map((t: any) => t.type)).toEqual(['submitted', 'accept', 'fulfil', 'confirm']);
    expect(detail.body.timeline.find((t: any) => t.type === 'fulfil')).toMatchObject({ actorName: '李工', note: '已导出 Excel 并发送至医务处邮箱' });
  });

  it('a data clean-up is fulfilled only through an implemented change', async () => {
    const sr = (await submit('data_cleanup', '清理重复的患者主索引')).body;
    expect(sr.touchesData).toBe(true);
    await p.call('POST', `/support-requests/${sr.number}/accept`, engineer.token, {});
    const noChange = await p.call('POST', `/support-requests/${sr.number}/fulfil`, engineer.token, { result: '已清理' });
    expect(noChange.status).toBe(409);
    expect(noChange.body.messageZh).toContain('关联对应的变更');

    const iso = (ms: number) => new Date(ms).toISOString();
    const chg = await p.call('POST', '/changes', engineer.token, {
      systemId: 'SYS-11',
      kind: 'normal',
      title: '删除重复主索引记录',
      reason: sr.number,
      dialect: 'postgresql',
      forwardScript: "DELETE FROM emr.patient_index WHERE id IN (SELECT id FROM emr.dup_candidates WHERE batch = '2026-11');",
      rollbackScript: "INSERT INTO emr.patient_index SELECT * FROM emr.patient_index_backup WHERE batch = '2026-11';",
      objects: [{ type: 'data', name: 'emr.patient_index', action: 'update' }],
      risk: 'medium',
      window: { start: iso(Date.now() - 3_600_000), end: iso(Date.now() + 3_600_000) },
      implementerId: engineer.id,
    });
    expect(chg.status).toBe(201);
    const c = chg.body.number;
    const linked = await p.call('POST', `/support-requests/${sr.number}/changes`, engineer.token, { change: c });
    expect(linked.body.change).toMatchObject({ number: c });
    expect((await p.call('POST', `/support-requests/${sr.number}/fulfil`, engineer.token, { result: '已清理' })).status).toBe(409);
    for (const who of [reviewer, itManager]) {
      if ((await p.call('GET', `/changes/${c}`, dispatcher.token)).body.state !== 'in_review') break;
      expect((await p.call('POST', `/changes/${c}/review`, who.token, { decision: 'approve', comment: '同意' })).status).toBe(200);
    }
    expect((await p.call('POST', `/changes/${c}/implement`, engineer.token, { revision: 1, evidence: '删除 37 行' })).body.state).toBe('implemented');
    const fulfilled = await p.call('POST', `/support-requests/${sr.number}/fulfil`, engineer.token, { result: '已清理 37 条重复记录' });
    expect(fulfilled.status).toBe(200);
    expect(fulfilled.body.change).toMatchObject({ number: c, state: 'implemented' });
    // Sent back: the work goes on, and a further fulfilment is a new record.
    const back = await p.call('POST', `/support-requests/${sr.number}/reopen`, dispatcher.token, { reason: '仍有 2 条重复' });
    expect(back.body.state).toBe('in_progress');
    expect((await p.call('GET', `/records?source=${sr.number}`, dispatcher.token)).body.items[0].content.result).toBe(`已完成（变更 ${c}）`);
  });

  it('a clock that runs out records its breach once, and the record carries it', async () => {
    // The workflow with a clock of a second and a half (durations are inputs: no time skipping).
    const requestId = randomUUID();
    const number = `SR-TEST-${requestId.slice(0, 4).toUpperCase()}`;
    const [system] = await p.ds.query(`SELECT id FROM business_systems WHERE code = 'SYS-12'`);
    const input: SupportInput = {
      requestId,
      number,
      systemId: system.id,
      type: 'configuration',
      title: '调整打印模板参数',
      description: '门诊发票模板',
      requester: { name: '周老师', department: '财务处' },
      submittedAt: Date.now(),
      submittedBy: { id: dispatcher.id, name: '王调度' },
      dueAt: Date.now() + 1500,
      policy: { type: 'configuration', workingDays: 2, touchesData: false },
    };
    await p.temporal.workflow.start(SUPPORT_WORKFLOW_TYPE, { workflowId: supportWorkflowId(number, requestId), taskQueue: p.config.taskQueue, args: [input] });
    const breached = await waitFor('breach', async () => {
      const r = await p.call('GET', `/support-requests/${number}`, dispatcher.token);
      return r.status === 200 && r.body.breached ? r.body : undefined;
    });
    expect(breached.timeline.map((t: any) => t.type)).toEqual(['submitted', 'breached']);
    await p.call('POST', `/support-requests/${number}/accept`, engineer.token, {});
    await p.call('POST', `/support-requests/${number}/fulfil`, engineer.token, { result: '已调整' });
    const rec = (await p.call('GET', `/records?source=${number}`, dispatcher.token)).body.items[0];
    expect(rec.content.sla).toMatchObject({ breached: true });
    const events = await p.ds.query(`SELECT type FROM support_request_events WHERE support_request_id = $1 ORDER BY seq`, [requestId]);
    expect(events.map((e: any) => e.type)).toEqual(['submitted', 'breached', 'accept', 'fulfil']);
    // Nobody had accepted it: the breach went to the project manager alone (no warning point in this input).
    const told = await waitFor('the breach notice', async () => {
      const rows = await p.ds.query(`SELECT event, recipient_id, body FROM notification_deliveries WHERE title LIKE $1 ORDER BY event`, [`%${number}%`]);
      return rows.length > 0 ? rows : undefined;
    });
    expect(told.map((r: any) => [r.event, r.recipient_id])).toEqual([['support_breached', pm.id]]);
    expect(told[0].body).toContain('尚无人受理');
  });

  it('the clock warns, then runs out: the assignee and the project manager are told each time (zh-CN)', async () => {
    const requestId = randomUUID();
    const number = `SR-TEST-${requestId.slice(0, 4).toUpperCase()}`;
    const [system] = await p.ds.query(`SELECT id, display_name FROM business_systems WHERE code = 'SYS-12'`);
    const t0 = Date.now();
    const input: SupportInput = {
      requestId,
      number,
      systemId: system.id,
      systemName: system.display_name,
      type: 'report_export',
      title: '导出住院费用明细',
      description: '财务处月结',
      requester: { name: '周老师', department: '财务处' },
      submittedAt: t0,
      submittedBy: { id: dispatcher.id, name: '王调度' },
      warnAt: t0 + 3000,
      dueAt: t0 + 6000,
      policy: { type: 'report_export', workingDays: 2, touchesData: false },
    };
    await p.temporal.workflow.start(SUPPORT_WORKFLOW_TYPE, { workflowId: supportWorkflowId(number, requestId), taskQueue: p.config.taskQueue, args: [input] });
    await waitFor('the request on record', async () => (await p.call('GET', `/support-requests/${number}`, dispatcher.token)).status === 200);
    expect((await p.call('POST', `/support-requests/${number}/accept`, engineer.token, {})).status).toBe(200);
    await waitFor('breach', async () => (await p.call('GET', `/support-requests/${number}`, dispatcher.token)).body.breached);
    const told = await waitFor('both notices to both people', async () => {
      const rows: { event: string; recipient_id: string; channel: string; status: string; title: string; body: string }[] = await p.ds.query(
        `SELECT event, recipient_id, channel, status, title, body FROM notification_deliveries WHERE title LIKE $1 ORDER BY event, recipient_id`,
        [`%${number}%`],
      );
      return rows.length >= 4 ? rows : undefined;
    });
    const people = [engineer.id, pm.id].sort();
    expect(told.map((r) => [r.event, r.recipient_id])).toEqual([...people.map((id) => ['support_breached', id]), ...people.map((id) => ['support_warning', id])]);
    for (const r of told) {
      expect(r).toMatchObject({ channel: 'in_app', status: 'sent' });
      expect(r.title).toContain(r.event === 'support_warning' ? '【服务请求时限预警】' : '【服务请求已超时】');
      expect(r.title).toContain(system.display_name);
      expect(r.body).toContain('报表导出：导出住院费用明细');
      expect(r.body).toContain('负责工程师：李工');
    }
    expect(told.find((r) => r.event === 'support_warning')!.body).toContain('75%');
    const inbox = await p.ds.query(`SELECT event, recipient_id, locale FROM notifications WHERE title LIKE $1`, [`%${number}%`]);
    expect(inbox).toHaveLength(4);
    expect(new Set(inbox.map((r: any) => r.locale))).toEqual(new Set(['zh-CN']));
    // The warning and the breach are notices, not steps: the timeline holds the breach once.
    const events = await p.ds.query(`SELECT type FROM support_request_events WHERE support_request_id = $1 ORDER BY seq`, [requestId]);
    expect(events.map((e: any) => e.type)).toEqual(['submitted', 'accept', 'breached']);
  });

  it('refuses bad input with the field named', async () => {
    const bad = await p.call('POST', '/support-requests', dispatcher.token, { systemId: 'SYS-11', type: 'coffee', title: 'x', description: 'y', requester: { name: 'a', department: 'b' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('type');
    expect((await p.call('POST', '/support-requests', engineer.token, { systemId: 'SYS-11', type: 'other', title: 'x', description: 'y', requester: { name: 'a', department: 'b' } })).status).toBe(403);
    const noSystem = await p.call('POST', '/support-requests', dispatcher.token, { systemId: 'SYS-99', type: 'other', title: 'x', description: 'y', requester: { name: 'a', department: 'b' } });
    expect(noSystem.status).toBe(422);
    expect((await p.call('GET', '/support-requests/SR-19990101-0001', dispatcher.token)).status).toBe(404);
    // Policy as data: the IT manager makes configuration requests a one-day job.
    const set = await p.call('PUT', '/support-requests/policies', itManager.token, { policies: [{ type: 'configuration', workingDays: 1, touchesData: false }] });
    expect(set.body.policies.find((x: any) => x.type === 'configuration').workingDays).toBe(1);
    const one = (await p.call('POST', '/support-requests', dispatcher.token, { systemId: 'SYS-11', type: 'configuration', title: 'x', description: 'y', requester: { name: 'a', department: 'b' } })).body;
    const calendar = new WorkingCalendar(buildCalendarSpec());
    expect(calendar.workingTimeBetween(Date.parse(one.submittedAt), Date.parse(one.dueAt))).toBeLessThanOrEqual(calendar.dayLengthMs);
    expect(calendar.workingTimeBetween(Date.parse(one.submittedAt), Date.parse(one.dueAt))).toBeGreaterThan(calendar.dayLengthMs - 1000);
  });
});
