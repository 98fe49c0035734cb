import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ACK_LINK_SECRET, appSecret, signAckLink } from '../src/infra/ack-links';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { waitUntil } from './support/workflow-input';

/**
 * Issue 9, "access that is wider than the contract", over HTTP on a real API, worker, PostgreSQL and Temporal:
 * vendor scoping (S7), acts recorded on the vendor's behalf, one-time links, who may pause the repair clock (S10),
 * who owns a response (S12), and allowedActions that list only what the caller may do.
 */
describe('access as wide as the contract, and no wider', () => {
  let p: TestPlatform;
  let dispatcher: TestUser;
  let engineer: TestUser;
  let colleague: TestUser;
  let pm: TestUser;
  let contactUserA: TestUser;
  let contactUserB: TestUser;
  const vendorA = { id: '', contactId: '', spareContactId: '' };
  const vendorB = { id: '', contactId: '' };

  const report = (systemId: string, overrides: Record<string, unknown> = {}) => ({
    systemId,
    title: '系统无法登录',
    description: '全院无法登录',
    reporter: { name: '李护士长', department: '放射科', phone: '8021' },
    priority: 'P2',
    channel: 'phone',
    ...overrides,
  });

  async function vendor(name: string, system: string, contactUser: TestUser) {
    const v = await p.call('POST', '/vendors', p.adminToken, { name, systems: [system] });
    expect(v.status).toBe(201);
    const c = await p.call('POST', `/vendors/${v.body.id}/contacts`, p.adminToken, { name: '张工', role: '技术支持', level: 1, phone: '13800138000', userId: contactUser.id });
    expect(c.status).toBe(201);
    return { id: v.body.id as string, contactId: c.body.id as string };
  }

  /** An incident on `system`, escalated to its vendor; resolves once the escalation is projected with its vendor. */
  async function escalated(system: string) {
    const opened = await p.call('POST', '/incidents', dispatcher.token, report(system, { assigneeId: engineer.id }));
    expect(opened.status).toBe(201);
    const number = opened.body.number as string;
    expect((await p.call('POST', `/incidents/${number}/escalations`, engineer.token, { reason: '需要原厂专家' })).status).toBe(200);
    const row = await waitUntil('the escalation at level 1', async () => {
      const [r] = await p.ds.query(`SELECT e.id, e.vendor_id, e.level FROM escalations e JOIN incidents i ON i.id = e.incident_id WHERE i.number = $1`, [number]);
      return r?.vendor_id && r.level >= 1 ? r : null;
    });
    return { number, incidentId: opened.body.id as string, escalationId: row.id as string };
  }

  beforeAll(async () => {
    p = await startPlatform();
    dispatcher = await p.user(['dispatcher'], '王调度');
    engineer = await p.user(['engineer'], '李工');
    colleague = await p.user(['engineer'], '赵工');
    pm = await p.user(['project_manager'], '项目经理');
    contactUserA = await p.user(['vendor_contact'], '甲厂张工');
    contactUserB = await p.user(['vendor_contact'], '乙厂王工');
    Object.assign(vendorA, await vendor('甲影像厂商', 'SYS-11', contactUserA));
    Object.assign(vendorB, await vendor('乙检验厂商', 'SYS-12', contactUserB));
    const spare = await p.call('POST', `/vendors/${vendorA.id}/contacts`, p.adminToken, { name: '刘经理', role: '技术经理', level: 2, phone: '13900139000' });
    vendorA.spareContactId = spare.body.id;
  });
  afterAll(() => p?.stop());

  it('a vendor contact sees and acts on its own vendor\'s escalations only, and finds them at /me/escalations', async () => {
    const a = await escalated('SYS-11');
    const b = await escalated('SYS-12');
    // Vendor A's contact: its own escalation yes, vendor B's not even by id (404, nothing revealed).
    expect((await p.call('GET', `/escalations/${a.escalationId}`, contactUserA.token)).status).toBe(200);
    expect((await p.call('GET', `/escalations/${b.escalationId}`, contactUserA.token)).status).toBe(404);
    expect((await p.call('POST', `/escalations/${b.escalationId}/acknowledge`, contactUserA.token, {})).status).toBe(404);
    const own = await p.call('POST', `/escalations/${a.escalationId}/acknowledge`, contactUserA.token, { note: '马上联系' });
    expect(own).toMatchObject({ status: 200, body: { status: 'acknowledged', acknowledgedBy: '甲厂张工', recordedBy: null } });
    // B's escalation is not acknowledged by anyone, so only the scope stops A's contact posting progress on it.
    expect((await p.call('POST', `/escalations/${b.escalationId}/progress`, contactUserA.token, { kind: 'arrived' })).status).toBe(404);
    expect((await p.call('POST', `/escalations/${a.escalationId}/progress`, contactUserA.token, { kind: 'arrived' })).status).toBe(200);

    const mine = await p.call('GET', '/me/escalations', contactUserA.token);
    expect(mine.status).toBe(200);
    expect(mine.body).toHaveLength(1);
    expect(mine.body[0]).toMatchObject({ id: a.escalationId, vendor: '甲影像厂商', status: 'vendor_on_site', incident: { number: a.number } });
    const theirs = await p.call('GET', '/me/escalations', contactUserB.token);
    expect(theirs.body.map((e: any) => e.id)).toEqual([b.escalationId]);
    // Staff have their own routes; /incidents stays closed to vendor contacts.
    expect((await p.call('GET', '/me/escalations', engineer.token)).status).toBe(403);
    expect((await p.call('GET', '/incidents', contactUserA.token)).status).toBe(403);
  });

  it('staff record the vendor\'s acknowledgement and arrival only on behalf of a named contact, and stay the actor', async () => {
    const e = await escalated('SYS-11');
    const bare = await p.call('POST', `/escalations/${e.escalationId}/acknowledge`, pm.token, {});
    expect(bare.status).toBe(400);
    expect(bare.body.errors[0].field).toBe('onBehalfOfContactId');
    // Not a contact of this vendor.
    expect((await p.call('POST', `/escalations/${e.escalationId}/acknowledge`, pm.token, { onBehalfOfContactId: vendorB.contactId })).status).toBe(422);
    const recorded = await p.call('POST', `/escalations/${e.escalationId}/acknowledge`, pm.token, { onBehalfOfContactId: vendorA.spareContactId, note: '电话确认' });
    expect(recorded).toMatchObject({ status: 200, body: { acknowledgedBy: '甲影像厂商 刘经理', recordedBy: '项目经理' } });

    expect((await p.call('POST', `/escalations/${e.escalationId}/progress`, engineer.token, { kind: 'arrived' })).status).toBe(400);
    expect((await p.call('POST', `/escalations/${e.escalationId}/progress`, engineer.token, { kind: 'arrived', onBehalfOfContactId: vendorA.spareContactId })).status).toBe(200);

    const detail = await p.call('GET', `/escalations/${e.escalationId}`, dispatcher.token);
    expect(detail.body).toMatchObject({
      acknowledgedBy: '甲影像厂商 刘经理',
      acknowledgementRecordedBy: { by: '项目经理', onBehalfOf: '甲影像厂商 刘经理' },
      arrivalRecordedBy: { by: '李工', onBehalfOf: '甲影像厂商 刘经理' },
    });
    const incident = await p.call('GET', `/incidents/${e.number}`, dispatcher.token);
    const acked = incident.body.timeline.find((t: any) => t.type === 'vendor_acknowledged');
    expect(acked).toMatchObject({ actor: { id: pm.id, name: '项目经理' }, data: { onBehalfOf: { contactId: vendorA.spareContactId, name: '甲影像厂商 刘经理' } } });
  });

  it('a one-time link dies with its contact, and one tried after the escalation ended is not burned', async () => {
    const secret = await appSecret(p.ds, ACK_LINK_SECRET);
    const e = await escalated('SYS-11');
    const link = (contactId: string) => `/vendor-ack/${signAckLink({ escalationId: e.escalationId, contactId, level: 1, expiresAt: Date.now() + 3_600_000 }, secret)}`;
    // The spare contact leaves the vendor: their link no longer acknowledges.
    const leaving = await p.call('POST', `/vendors/${vendorA.id}/contacts`, p.adminToken, { name: '离职员工', role: '技术支持', level: 1, phone: '13700137000' });
    expect((await p.call('DELETE', `/vendors/${vendorA.id}/contacts/${leaving.body.id}`, p.adminToken)).status).toBe(200);
    const revoked = await p.call('POST', link(leaving.body.id), null, {});
    expect(revoked).toMatchObject({ status: 410, body: { code: 'LINK_REVOKED' } });
    expect((await p.call('GET', `/escalations/${e.escalationId}`, dispatcher.token)).body.status).toBe('awaiting_ack');

    // The incident is resolved, which ends the escalation: the link answers 409 and stays unused.
    await p.call('POST', `/incidents/${e.number}/arrive`, engineer.token, {});
    await p.call('POST', `/incidents/${e.number}/resolve`, engineer.token, { cause: 'c', fix: 'f', category: 'other' });
    await waitUntil('the end of the escalation', async () => (await p.ds.query(`SELECT ended_at FROM escalations WHERE id = $1`, [e.escalationId]))[0].ended_at);
    const late = await p.call('POST', link(vendorA.contactId), null, {});
    expect(late).toMatchObject({ status: 409, body: { code: 'ESCALATION_ENDED' } });
    expect(await p.ds.query(`SELECT 1 FROM escalation_links WHERE escalation_id = $1`, [e.escalationId])).toEqual([]);
  });

  it('S10: an engineer only asks for a repair-clock pause; a dispatcher confirms it, with the reason kept', async () => {
    const opened = await p.call('POST', '/incidents', dispatcher.token, report('SYS-05', { assigneeId: engineer.id }));
    const n = opened.body.number;
    const acked = await p.call('POST', `/incidents/${n}/acknowledge`, engineer.token, {});
    expect(acked.body.allowedActions).toContain('request_repair_clock_pause');
    expect(acked.body.allowedActions).not.toContain('pause_repair_clock');
    const asked = await p.call('POST', `/incidents/${n}/repair-clock/pause`, engineer.token, { reason: '等待院方停机窗口' });
    expect(asked.status).toBe(200);
    expect(asked.body.clocks.repair.state).toBe('running');
    expect(asked.body.pauseRequest).toMatchObject({ by: { id: engineer.id, name: '李工' }, reason: '等待院方停机窗口' });
    // The engineer cannot confirm their own request.
    expect((await p.call('POST', `/incidents/${n}/repair-clock/pause/confirm`, engineer.token, {})).status).toBe(403);
    const confirmed = await p.call('POST', `/incidents/${n}/repair-clock/pause/confirm`, dispatcher.token, { note: '已与科室确认' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.clocks.repair.state).toBe('paused');
    expect(confirmed.body.clocks.repair.pauses.at(-1).reason).toBe('等待院方停机窗口');
    expect(confirmed.body.allowedActions).toEqual(['cancel', 'assign', 'change_priority', 'resume_repair_clock', 'escalate']);
    const timeline = (await p.call('GET', `/incidents/${n}`, dispatcher.token)).body.timeline;
    expect(timeline.find((e: any) => e.type === 'confirm_repair_clock_pause')).toMatchObject({
      actor: { name: '王调度' },
      data: { request: { by: { name: '李工' }, reason: '等待院方停机窗口' } },
    });
  });

  it('S12: an engineer who acknowledges a colleague\'s incident takes it over, recorded as such', async () => {
    const opened = await p.call('POST', '/incidents', dispatcher.token, report('SYS-05', { assigneeId: colleague.id }));
    const acked = await p.call('POST', `/incidents/${opened.body.number}/acknowledge`, engineer.token, {});
    expect(acked.body.assignee).toEqual({ id: engineer.id, name: '李工' });
    const detail = await p.call('GET', `/incidents/${opened.body.number}`, dispatcher.token);
    expect(detail.body.assignee).toEqual({ id: engineer.id, name: '李工' });
    expect(detail.body.timeline.find((e: any) => e.type === 'acknowledge').data).toEqual({
      reassigned: { from: { id: colleague.id, name: '赵工' }, to: { id: engineer.id, name: '李工' } },
    });
  });

  it('a schema-changing modification assessed without its change gets it linked later, and deliver is offered only once it is approved', async () => {
    const itManager = await p.user(['it_manager'], '信息科主任');
    const reviewer = await p.user(['reviewer'], '评审');
    const created = await p.call('POST', '/modifications', dispatcher.token, { systemId: 'SYS-22', type: 'improvement', title: '增加字段', description: 'd', department: '输血科' });
    const n = created.body.number;
    await p.call('POST', `/modifications/${n}/assess`, engineer.token, { feasible: true, effortDays: 2, schemaChange: true });
    const approved = await p.call('POST', `/modifications/${n}/approve-scope`, itManager.token, {});
    expect(approved.body.state).toBe('approved');
    const stuck = await p.call('GET', `/modifications/${n}`, engineer.token);
    expect(stuck.body.allowedActions).toEqual(['link_change']);
    expect((await p.call('POST', `/modifications/${n}/deliver`, engineer.token, {})).status).toBe(409);

    const hour = 3_600_000;
    const change = await p.call('POST', '/changes', engineer.token, {
      systemId: 'SYS-22',
      kind: 'normal',
      title: '新增字段',
      reason: n,
      dialect: 'postgresql',
      forwardScript: 'ALTER TABLE blood_request ADD COLUMN ward text;',
      rollbackScript: 'ALTER TABLE blood_request DROP COLUMN ward;',
      objects: [],
      risk: 'medium',
      window: { start: new Date(Date.now() - hour).toISOString(), end: new Date(Date.now() + hour).toISOString() },
    });
    expect(change.status).toBe(201);
    const linked = await p.call('POST', `/modifications/${n}/link-change`, engineer.token, { change: change.body.number });
    expect(linked.status).toBe(200);
    expect(linked.body.assessment.linkedChangeId).toBe(change.body.id);
    expect(linked.body.allowedActions).toEqual(['link_change']);
    // The rollback drops a column: high risk, so the IT manager approves too (S4).
    await p.call('POST', `/changes/${change.body.number}/review`, reviewer.token, { decision: 'approve' });
    expect((await p.call('GET', `/modifications/${n}`, engineer.token)).body.allowedActions).toEqual(['link_change']);
    const approvedChange = await p.call('POST', `/changes/${change.body.number}/review`, itManager.token, { decision: 'approve' });
    expect(approvedChange.body.state).toBe('approved');
    expect((await p.call('GET', `/modifications/${n}`, engineer.token)).body.allowedActions).toEqual(['link_change', 'deliver']);
    expect((await p.call('POST', `/modifications/${n}/deliver`, engineer.token, {})).body.state).toBe('live');
  });
});
