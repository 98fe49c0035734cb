import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/** End to end on real PostgreSQL and Temporal: the API, the workflow's Updates and the projection (P3, S10, S14). */
describe('incidents through the API', () => {
  let p: TestPlatform;
  let dispatcher: TestUser;
  let engineer: TestUser;
  let otherEngineer: TestUser;
  let itManager: TestUser;
  let vendorContact: TestUser;

  const report = (overrides: Record<string, unknown> = {}) => ({
    systemId: 'SYS-11',
    title: 'PACS 影像无法调阅',
    description: '放射科所有工作站打不开影像',
    reporter: { name: '李护士长', department: '放射科', phone: '8021' },
    priority: 'P1',
    channel: 'phone',
    ...overrides,
  });

  beforeAll(async () => {
    p = await startPlatform();
    dispatcher = await p.user(['dispatcher'], '王调度');
    engineer = await p.user(['engineer'], '李工');
    otherEngineer = await p.user(['engineer'], '赵工');
    itManager = await p.user(['it_manager'], '信息科主任');
    vendorContact = await p.user(['vendor_contact'], '原厂支持');
  });
  afterAll(() => p?.stop());

  it('walks an incident from report to closed, keeping actor and time of each step', async () => {
    const opened = await p.call('POST', '/incidents', dispatcher.token, report({ assigneeId: engineer.id, reportedAt: '2026-11-20T09:00:00+08:00' }));
    expect(opened.status).toBe(201);
    expect(opened.body.number).toMatch(/^INC-\d{8}-\d{4}$/);
    expect(opened.body.state).toBe('reported');
    // S10: a Friday 09:00 report is in working time: 30 min to respond, 60 min on site; S2: 2 working days to repair.
    expect(opened.body.tier).toBe('working_time');
    expect(opened.body.deadlines).toEqual({
      respond: '2026-11-20T09:30:00+08:00',
      onSite: '2026-11-20T10:00:00+08:00',
      repair: '2026-11-24T09:00:00+08:00',
      provisional: false,
    });
    const n = opened.body.number;

    const steps: [string, TestUser, unknown, string][] = [
      ['acknowledge', engineer, {}, 'acknowledged'],
      ['arrive', engineer, { note: '已到放射科机房' }, 'on_site'],
      ['resolve', engineer, { cause: 'PACS 存储卷写满', fix: '清理过期缓存并扩容 2TB', category: 'system_error_fix' }, 'resolved'],
      ['confirm', dispatcher, { note: '科室确认可正常调阅' }, 'confirmed'],
      ['close', dispatcher, {}, 'closed'],
    ];
    for (const [action, who, body, state] of steps) {
      const res = await p.call('POST', `/incidents/${n}/${action}`, who.token, body);
      expect({ action, status: res.status, state: res.body.state }).toEqual({ action, status: 200, state });
    }

    const detail = await p.call('GET', `/incidents/${n}`, dispatcher.token);
    expect(detail.status).toBe(200);
    expect(detail.body.state).toBe('closed');
    // Reported a week ago, so each clock had already breached: recorded once each, at the contract deadline (S11).
    const breaches = detail.body.timeline.filter((e: any) => e.type === 'sla_breached');
    expect(breaches.map((e: any) => [e.data.clock, e.at, e.actor.name])).toEqual([
      ['respond', '2026-11-20T09:30:00+08:00', 'Wardline'],
      ['on_site', '2026-11-20T10:00:00+08:00', 'Wardline'],
      ['repair', '2026-11-24T09:00:00+08:00', 'Wardline'],
    ]);
    expect(detail.body.timeline.filter((e: any) => e.type === 'sla_warning')).toEqual([]);
    expect(detail.body.breached).toBe(true);
    expect(detail.body.breachedClocks.sort()).toEqual(['on_site', 'repair', 'respond']);
    // Half the repair budget had passed too, so the original vendor was called in by itself (S7).
    expect(detail.body.timeline.find((e: any) => e.type === 'escalated')).toMatchObject({ data: { trigger: 'repair_share' } });
    const steps_ = ['opened', 'acknowledge', 'arrive', 'resolve', 'confirm', 'close'];
    const lifecycle = detail.body.timeline.filter((e: any) => steps_.includes(e.type));
    expect(lifecycle.map((e: any) => [e.type, e.actor?.name, e.from, e.to])).toEqual([
      ['opened', '王调度', null, 'reported'],
      ['acknowledge', '李工', 'reported', 'acknowledged'],
      ['arrive', '李工', 'acknowledged', 'on_site'],
      ['resolve', '李工', 'on_site', 'resolved'],
      ['confirm', '王调度', 'resolved', 'confirmed'],
      ['close', '王调度', 'confirmed', 'closed'],
    ]);
    expect(lifecycle[2].note).toBe('已到放射科机房');
    // S14: the maintenance record is complete: cause, fix, category, who and when.
    expect(detail.body.resolution).toMatchObject({
      cause: 'PACS 存储卷写满',
      fix: '清理过期缓存并扩容 2TB',
      category: 'system_error_fix',
      resolvedBy: { id: engineer.id, name: '李工' },
    });
    expect(detail.body.resolution.resolvedAt).toMatch(/\+08:00$/);
    expect(detail.body.clocks.repair.state).toBe('stopped');
    expect(detail.body.milestones.closedAt).toMatch(/\+08:00$/);

    const after = await p.call('POST', `/incidents/${n}/reopen`, dispatcher.token, { reason: '又坏了' });
    expect(after.status).toBe(409);
    expect(after.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', state: 'closed', allowedActions: [] });
  });

  it('shows the business systems that depend on the failed one, through the CMDB (P1, S9)', async () => {
    const itManager2 = await p.user(['it_manager'], 'CMDB 管理员');
    // 临床用血管理系统 (SYS-22) depends on the PACS (SYS-11) here.
    const rel = await p.call('POST', '/cmdb/relations', itManager2.token, { type: 'depends_on', sourceId: 'SYS-22', targetId: 'SYS-11' });
    expect(rel.status).toBe(201);
    const opened = await p.call('POST', '/incidents', dispatcher.token, report({ priority: 'P2' }));
    const detail = await p.call('GET', `/incidents/${opened.body.number}`, dispatcher.token);
    expect(detail.body.affectedSystems.map((s: any) => s.name)).toEqual(['SYS-11', 'SYS-22']);
    expect(detail.body.affectedSystems[1].path.length).toBe(2);
  });

  it('answers 409 naming the state and the allowed actions for an illegal transition', async () => {
    const opened = await p.call('POST', '/incidents', dispatcher.token, report({ priority: 'P3' }));
    const res = await p.call('POST', `/incidents/${opened.body.number}/confirm`, dispatcher.token, {});
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('ILLEGAL_TRANSITION');
    expect(res.body.state).toBe('reported');
    // What this dispatcher may do now: acknowledging and arriving are the engineers' (INCIDENT_ACTION_ROLES).
    expect(res.body.allowedActions).toEqual(['cancel', 'assign', 'change_priority', 'escalate']);
    expect(res.body.message).toContain('reported');
  });

  it('reopens a resolved incident and continues the same repair clock', async () => {
    const opened = await p.call('POST', '/incidents', dispatcher.token, report({ assigneeId: engineer.id }));
    const n = opened.body.number;
    await p.call('POST', `/incidents/${n}/arrive`, engineer.token, {});
    const resolved = await p.call('POST', `/incidents/${n}/resolve`, engineer.token, { cause: 'c', fix: 'f', category: 'data_repair' });
    expect(resolved.body.clocks.repair.state).toBe('paused');
    const reopened = await p.call('POST', `/incidents/${n}/reopen`, itManager.token, { reason: '科室反馈仍无法打印报告' });
    expect(reopened.status).toBe(200);
    expect(reopened.body.state).toBe('reopened');
    expect(reopened.body.clocks.repair.state).toBe('running');
    expect(reopened.body.clocks.repair.pauses).toHaveLength(1);
    // The IT manager reopened it: the answer lists what they may do now; resolving is the engineer's (INCIDENT_ACTION_ROLES).
    expect(reopened.body.allowedActions).toEqual(['change_priority', 'pause_repair_clock']);
    const again = await p.call('POST', `/incidents/${n}/resolve`, engineer.token, { cause: 'c2', fix: 'f2', category: 'system_error_fix' });
    expect(again.body.state).toBe('resolved');
  });

  it('cancels a mistaken report with a reason, and stops every clock', async () => {
    const opened = await p.call('POST', '/incidents', dispatcher.token, report());
    const res = await p.call('POST', `/incidents/${opened.body.number}/cancel`, dispatcher.token, { reason: '重复报障，见上一单' });
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('cancelled');
    expect(res.body.cancelReason).toBe('重复报障，见上一单');
    expect(Object.values(res.body.clocks).map((c: any) => c.state)).toEqual(['stopped', 'stopped', 'stopped']);
  });

  it('assigns the engineer on duty by default (S12, S13) and reassigns on request', async () => {
    const shift = await p.call('POST', '/roster/shifts', p.adminToken, {
      userId: otherEngineer.id,
      startsAt: '2026-01-01T00:00:00+08:00',
      endsAt: '2027-01-01T00:00:00+08:00',
    });
    expect(shift.status).toBe(201);
    const opened = await p.call('POST', '/incidents', dispatcher.token, report({ reportedAt: '2026-11-20T20:00:00+08:00' }));
    expect(opened.body.assignee).toEqual({ id: otherEngineer.id, name: '赵工' });
    // S10: 20:00 is outside working time: 60 min to respond, 120 min on site.
    expect(opened.body.tier).toBe('off_hours');
    expect(opened.body.deadlines.respond).toBe('2026-11-20T21:00:00+08:00');
    expect(opened.body.deadlines.onSite).toBe('2026-11-20T22:00:00+08:00');

    const reassigned = await p.call('POST', `/incidents/${opened.body.number}/assign`, dispatcher.token, { assigneeId: engineer.id });
    expect(reassigned.status).toBe(200);
    expect(reassigned.body.assignee).toEqual({ id: engineer.id, name: '李工' });
    // Reported a week ago, so its clocks breach at once too; here only who was told of the assignment matters.
    const notes = await p.ds.query(
      `SELECT event, recipient_id, title FROM notifications WHERE incident_id = $1 AND event LIKE 'incident_%' ORDER BY created_at`,
      [opened.body.id],
    );
    expect(notes.map((n: any) => [n.event, n.recipient_id])).toEqual([
      ['incident_opened', otherEngineer.id],
      ['incident_assigned', engineer.id],
    ]);
    expect(notes[0].title).toContain('新报障');
  });

  it('lists with filters and pagination', async () => {
    await p.call('POST', '/incidents', dispatcher.token, report({ systemId: 'SYS-05', priority: 'P4', reportedAt: '2026-03-02T10:00:00+08:00' }));
    await p.call('POST', '/incidents', dispatcher.token, report({ systemId: 'SYS-05', priority: 'P2', reportedAt: '2026-03-03T10:00:00+08:00' }));
    const bySystem = await p.call('GET', '/incidents?systemId=SYS-05', dispatcher.token);
    expect(bySystem.status).toBe(200);
    expect(bySystem.body.total).toBe(2);
    expect(bySystem.body.items.map((i: any) => i.priority)).toEqual(['P2', 'P4']);
    const page = await p.call('GET', '/incidents?systemId=SYS-05&pageSize=1&page=2', dispatcher.token);
    expect(page.body.items.map((i: any) => i.priority)).toEqual(['P4']);
    const window = await p.call('GET', '/incidents?reportedFrom=2026-03-01T00:00:00%2B08:00&reportedTo=2026-03-03T00:00:00%2B08:00', engineer.token);
    expect(window.body.items.map((i: any) => i.priority)).toEqual(['P4']);
    // One that must match (reported now, so nothing has breached), so the `every` below is over something.
    expect((await p.call('POST', '/incidents', dispatcher.token, report({ priority: 'P2' }))).status).toBe(201);
    const combined = await p.call('GET', '/incidents?state=reported&priority=P2&breached=false', engineer.token);
    expect(combined.body.items.length).toBeGreaterThanOrEqual(1);
    expect(combined.body.items.every((i: any) => i.state === 'reported' && i.priority === 'P2' && i.breached === false)).toBe(true);
    const closed = await p.call('GET', '/incidents?state=closed', engineer.token);
    expect(closed.body.total).toBeGreaterThanOrEqual(1);
    expect(closed.body.items.length).toBeGreaterThanOrEqual(1);
    expect(closed.body.items.every((i: any) => i.state === 'closed')).toBe(true);
    const bad = await p.call('GET', '/incidents?state=broken&pageSize=1000', engineer.token);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['pageSize', 'state']);
  });

  describe('refuses what it must', () => {
    it('401 without a token or with a revoked one', async () => {
      expect((await p.call('GET', '/incidents')).status).toBe(401);
      expect((await p.call('GET', '/incidents', 'wl_not-a-token')).status).toBe(401);
      const temp = await p.user(['dispatcher']);
      const tokens = await p.call('GET', `/users/${temp.id}/tokens`, p.adminToken);
      expect((await p.call('GET', '/incidents', temp.token)).status).toBe(200);
      expect((await p.call('DELETE', `/tokens/${tokens.body[0].id}`, p.adminToken)).status).toBe(200);
      const revoked = await p.call('GET', '/incidents', temp.token);
      expect(revoked.status).toBe(401);
      expect(revoked.body.message).toContain('revoked');
    });

    it('403 for a role that may not act', async () => {
      const byEngineer = await p.call('POST', '/incidents', engineer.token, report());
      expect(byEngineer.status).toBe(403);
      expect(byEngineer.body.message).toContain('dispatcher');
      expect((await p.call('GET', '/incidents', vendorContact.token)).status).toBe(403);
      const opened = await p.call('POST', '/incidents', dispatcher.token, report());
      expect((await p.call('POST', `/incidents/${opened.body.number}/acknowledge`, dispatcher.token, {})).status).toBe(403);
      expect((await p.call('POST', '/users', dispatcher.token, { username: 'x1', displayName: 'x', roles: ['admin'] })).status).toBe(403);
    });

    it('400 naming each bad field, unknown fields and times without a zone', async () => {
      const res = await p.call('POST', '/incidents', dispatcher.token, {
        ...report({ priority: 'P9', channel: 'fax', reportedAt: '2026-11-27T09:00:00' }),
        reporter: { name: '', department: '放射科', phone: 'call me' },
        urgent: true,
      });
      expect(res.status).toBe(400);
      const fields = res.body.errors.map((e: any) => e.field).sort();
      expect(fields).toEqual(['channel', 'priority', 'reportedAt', 'reporter.name', 'reporter.phone', 'urgent']);
      expect(res.body.errors.find((e: any) => e.field === 'reportedAt').reasons[0]).toContain('zone');
      expect((await p.call('POST', '/incidents', dispatcher.token, report({ reportedAt: '2099-01-01T00:00:00Z' }))).status).toBe(400);
      const badResolve = await p.call('POST', '/incidents/INC-20000101-0001/resolve', engineer.token, { cause: 'x', fix: 'y', category: 'magic' });
      expect(badResolve.status).toBe(400);
      expect(badResolve.body.errors[0].field).toBe('category');
    });

    it('404 for an unknown incident, 422 for an unknown system or assignee; never a 500', async () => {
      const missing = await p.call('POST', '/incidents/INC-20000101-0001/acknowledge', engineer.token, {});
      expect(missing.status).toBe(404);
      expect((await p.call('GET', '/incidents/00000000-0000-4000-8000-000000000000', engineer.token)).status).toBe(404);
      const unknownSystem = await p.call('POST', '/incidents', dispatcher.token, report({ systemId: 'SYS-99' }));
      expect(unknownSystem.status).toBe(422);
      expect(unknownSystem.body.errors[0].field).toBe('systemId');
      const notEngineer = await p.call('POST', '/incidents', dispatcher.token, report({ assigneeId: dispatcher.id }));
      expect(notEngineer.status).toBe(422);
      expect(notEngineer.body.errors[0].field).toBe('assigneeId');
      expect((await p.call('POST', '/incidents', dispatcher.token, '"just a string"' as unknown)).status).toBe(400);
    });
  });
});
