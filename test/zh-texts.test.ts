import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IncidentCommand, IncidentCommandBody, IncidentInput } from '../src/domain/incident-process';
import { loadNotifyConfig } from '../src/infra/notify-config';
import { INCIDENT_WORKFLOW_TYPE, incidentCommandUpdate, incidentOpenedUpdate, incidentWorkflowId } from '../src/shared/incident-messages';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { Receiver, startReceiver } from './support/receivers';
import { incidentInput, shrunkPolicy, waitUntil } from './support/workflow-input';

/**
 * People read Simplified Chinese first (issue 9): what the system writes by itself — timeline lines, escalation
 * reasons, notifications — comes from label tables and templates, so the zh-CN text of a full flow has no English
 * in it but proper nouns and ids. The flows below pass every system-made timeline entry and escalation outcome.
 */
describe('zh-CN texts of a full flow carry no English', () => {
  let p: TestPlatform;
  let hook: Receiver;
  let engineer: TestUser;
  let engineer2: TestUser;
  let pm: TestUser;
  let dispatcher: TestUser;
  let vendorUser: TestUser;
  const numbers: string[] = [];
  const incidentIds: string[] = [];

  beforeAll(async () => {
    hook = await startReceiver();
    p = await startPlatform({ config: { notify: loadNotifyConfig({ WARDLINE_WEBHOOK_SECRET: 'webhook-secret-for-tests-0123', WARDLINE_WEBHOOK_ALLOW: '127.0.0.1' }) } });
    engineer = await p.user(['engineer'], '李工');
    engineer2 = await p.user(['engineer'], '张工');
    pm = await p.user(['project_manager'], '陈经理');
    dispatcher = await p.user(['dispatcher'], '王调度');
    await p.user(['it_manager'], '信息科主任');
    vendorUser = await p.user(['vendor_contact'], '原厂赵经理');
    const vendor = await p.call('POST', '/vendors', p.adminToken, { name: '某影像厂商', systems: ['SYS-11'] });
    expect(vendor.status).toBe(201);
    for (const [level, name] of [[1, '张工'], [2, '赵经理']] as const) {
      const res = await p.call('POST', `/vendors/${vendor.body.id}/contacts`, p.adminToken, {
        name,
        role: '技术支持',
        level,
        webhookUrl: `${hook.base}/vendor-l${level}`,
        ...(level === 2 ? { userId: vendorUser.id } : {}),
      });
      expect(res.status).toBe(201);
    }
  });
  afterAll(async () => {
    await p?.stop();
    await hook?.close();
  });

  async function open(seconds: { respond: number; onSite: number; repair: number }, ackSeconds: number, overrides: Partial<IncidentInput> = {}) {
    const policy = {
      ...shrunkPolicy(seconds),
      escalation: { repairShare: { P1: 0.5, P2: 0.5, P3: 0.75, P4: 0.75 }, ackTimeoutMinutes: [ackSeconds / 60, ackSeconds / 60, ackSeconds / 60] as [number, number, number], linkTtlMinutes: 5 },
    };
    const input = await incidentInput(p.ds, policy, { assignee: { id: engineer.id, name: '李工' }, ...overrides });
    const handle = await p.temporal.workflow.start(INCIDENT_WORKFLOW_TYPE, { workflowId: incidentWorkflowId(input.number, input.incidentId), taskQueue: p.config.taskQueue, args: [input] });
    await handle.executeUpdate(incidentOpenedUpdate);
    numbers.push(input.number);
    incidentIds.push(input.incidentId);
    const act = (command: IncidentCommandBody, by: TestUser = engineer) =>
      // Driven as an administrator: the validators check roles (INCIDENT_ACTION_ROLES), covered by the domain specs.
      handle.executeUpdate(incidentCommandUpdate, { args: [{ ...command, actor: { id: by.id, name: by.name, roles: ['admin'] } } as IncidentCommand] });
    const waitFor = (type: string) =>
      waitUntil(`${type}`, async () => (await p.ds.query(`SELECT 1 FROM incident_events WHERE incident_id = $1 AND type = $2`, [input.incidentId, type])).length > 0, 60_000);
    return { input, handle, act, waitFor };
  }

  /** Words of the Latin alphabet left after the proper nouns and ids a Chinese text may carry. */
  function englishIn(text: string): string[] {
    const stripped = text
      .replace(/https?:\/\/\S+/g, ' ')
      .replace(/INC-[A-Z0-9-]+/g, ' ')
      .replace(/\b(PACS|RIS|HIS|LIS|EMR|Wardline)\b/g, ' ');
    return stripped.match(/[A-Za-z]{2,}/g) ?? [];
  }

  it('timeline lines, escalation reasons and every notification of three incidents', async () => {
    // 1. Breaches, the automatic escalation when nobody responds, every level timing out, a missed promise.
    const a = await open({ respond: 1.5, onSite: 3, repair: 5 }, 1);
    await a.act({ action: 'assign', assignee: { id: engineer2.id, name: '张工' } }, dispatcher);
    await a.act({ action: 'change_priority', priority: 'P2', reason: '影响范围缩小' }, dispatcher);
    await a.waitFor('escalation_exhausted');
    const [esc] = await p.ds.query(`SELECT id FROM escalations WHERE incident_id = $1`, [a.input.incidentId]);
    const ack = await p.call('POST', `/escalations/${esc.id}/acknowledge`, vendorUser.token, { promisedOnSiteAt: new Date(Date.now() + 1000).toISOString(), note: '专家已出发' });
    expect(ack.status).toBe(200);
    await a.waitFor('vendor_promise_missed');
    expect((await p.call('POST', `/escalations/${esc.id}/progress`, vendorUser.token, { kind: 'arrived', note: '到达机房' })).status).toBe(200);
    await a.act({ action: 'arrive' }, engineer2);
    await a.act({ action: 'pause_repair_clock', reason: '等待院方停机窗口' }, dispatcher);
    await a.act({ action: 'resume_repair_clock' }, dispatcher);
    await a.act({ action: 'resolve', cause: '索引损坏', fix: '原厂重建索引', category: 'system_error_fix' }, engineer2);
    await a.waitFor('escalation_ended');
    await a.act({ action: 'confirm' }, dispatcher);
    await a.act({ action: 'reopen', reason: '科室反馈仍无法调阅' }, dispatcher);
    await a.act({ action: 'resolve', cause: '缓存未刷新', fix: '刷新缓存', category: 'other' }, engineer2);
    await a.act({ action: 'confirm' }, dispatcher);
    await a.act({ action: 'close' }, dispatcher);
    await a.handle.result();

    // 2. The repair clock passes its share: escalated by itself; then cancelled while the vendor is being called.
    const b = await open({ respond: 600, onSite: 600, repair: 3 }, 60);
    await b.act({ action: 'acknowledge' });
    await b.waitFor('escalation_level');
    await b.act({ action: 'cancel', reason: '院方决定停用该功能' }, dispatcher);
    await b.handle.result();

    // 3. A system without a vendor: nobody to call.
    const [sys05] = await p.ds.query(`SELECT id, display_name FROM business_systems WHERE code = 'SYS-05'`);
    const c = await open({ respond: 600, onSite: 600, repair: 600 }, 60, { systemId: sys05.id, systemName: sys05.display_name });
    expect((await p.call('POST', `/incidents/${c.input.number}/escalations`, engineer.token, { reason: '需要原厂' })).status).toBe(200);
    await c.waitFor('escalation_no_contacts');
    await c.act({ action: 'arrive' });
    await c.act({ action: 'resolve', cause: '配置错误', fix: '修正配置', category: 'other' });
    await c.waitFor('escalation_ended');

    const texts: { where: string; text: string }[] = [];
    const types = new Set<string>();
    for (const n of numbers) {
      const detail = await p.call('GET', `/incidents/${n}`, pm.token);
      expect(detail.status).toBe(200);
      for (const e of detail.body.timeline) {
        types.add(e.type);
        expect(typeof e.text).toBe('string');
        expect(e.textEn).toMatch(/[a-z]/);
        texts.push({ where: `${n} timeline ${e.type}`, text: e.text });
        // What the system did has no note of its own; people's notes stay as written.
        if (e.actor?.id === 'system') expect({ type: e.type, note: e.note }).toEqual({ type: e.type, note: null });
      }
      const escalations = await p.call('GET', `/incidents/${n}/escalations`, pm.token);
      for (const x of escalations.body) {
        texts.push({ where: `${n} escalation reason`, text: x.reason });
        for (const h of x.history) texts.push({ where: `${n} escalation history ${h.type}`, text: h.text });
      }
    }
    // Every kind of line the system writes was produced, so none is untested.
    expect([...types].sort()).toEqual(
      expect.arrayContaining([
        'opened', 'assign', 'change_priority', 'sla_warning', 'sla_breached', 'escalated', 'escalation_level', 'escalation_exhausted',
        'vendor_acknowledged', 'vendor_promise_missed', 'vendor_arrived', 'arrive', 'pause_repair_clock', 'resume_repair_clock',
        'resolve', 'escalation_ended', 'confirm', 'reopen', 'close', 'acknowledge', 'cancel', 'escalation_no_contacts',
      ]),
    );
    const automatic = (await p.ds.query(`SELECT trigger FROM escalations WHERE incident_id = ANY($1::uuid[])`, [incidentIds])).map((r: any) => r.trigger).sort();
    expect(automatic).toEqual(['manual', 'not_acknowledged', 'repair_share']);

    const inApp = await p.ds.query(`SELECT event, title, body FROM notifications WHERE incident_id = ANY($1::uuid[]) AND locale = 'zh-CN'`, [incidentIds]);
    expect(inApp.length).toBeGreaterThan(10);
    for (const m of inApp) texts.push({ where: `in-app ${m.event}`, text: `${m.title}\n${m.body}` });
    const sent = hook.requests.map((r) => JSON.parse(r.text) as { title: string; body: string }).filter((m) => numbers.some((n) => m.title.includes(n)));
    expect(sent.length).toBeGreaterThan(3);
    for (const m of sent) texts.push({ where: 'webhook to the vendor', text: `${m.title}\n${m.body}` });
    const events = new Set(inApp.map((m: any) => m.event));
    for (const kind of ['sla_warning', 'sla_breached', 'escalated_to_vendor', 'escalation_no_contacts', 'vendor_acknowledged', 'vendor_promise_missed', 'vendor_on_site']) {
      expect({ kind, present: events.has(kind) }).toEqual({ kind, present: true });
    }

    expect(texts.length).toBeGreaterThan(60);
    const leaks = texts.map((t) => ({ ...t, english: englishIn(t.text) })).filter((t) => t.english.length > 0);
    expect(leaks).toEqual([]);
  });
});
