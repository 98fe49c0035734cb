import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { IncidentCommand, IncidentCommandBody, IncidentInput } from '../src/domain/incident-process';
import { loadNotifyConfig } from '../src/infra/notify-config';
import { EscalationView, escalationViewQuery } from '../src/shared/escalation-messages';
import { INCIDENT_WORKFLOW_TYPE, incidentCommandUpdate, incidentOpenedUpdate, incidentWorkflowId } from '../src/shared/incident-messages';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { Receiver, parseMail, startReceiver, startSmtp } from './support/receivers';
import { incidentInput, shrunkPolicy, waitUntil } from './support/workflow-input';

/**
 * S7 and the notification channels end to end: a real SMTP server and HTTP receivers on loopback stand where
 * the hospital's mail relay, WeCom, DingTalk and the vendor's webhook would; escalation levels run on shrunk timers.
 */
describe('vendor escalation and notifications', () => {
  let p: TestPlatform;
  let wecom: Receiver;
  let dingtalk: Receiver;
  let hook: Receiver;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let engineer: TestUser;
  let itManager: TestUser;
  let vendorUser: TestUser;
  let vendorId: string;
  const contacts: Record<string, string> = {};
  const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123';
  // The test drives the workflow as an administrator; who may take which action is covered by the domain specs.
  const actor = { id: 'eng', name: '李工', roles: ['admin'] };

  beforeAll(async () => {
    [wecom, dingtalk, hook] = await Promise.all([startReceiver(), startReceiver(), startReceiver()]);
    smtp = await startSmtp({ authOptional: true });
    const notify = loadNotifyConfig({
      WARDLINE_SMTP_HOST: '127.0.0.1',
      WARDLINE_SMTP_PORT: String(smtp.port),
      WARDLINE_SMTP_FROM: 'Wardline 运维平台 <wardline@hospital.example.cn>',
      WARDLINE_WECOM_BASE_URL: wecom.base,
      WARDLINE_DINGTALK_BASE_URL: dingtalk.base,
      WARDLINE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      // The vendor's webhook receiver listens on loopback: allowed here explicitly (webhooks reach public addresses only by default).
      WARDLINE_WEBHOOK_ALLOW: '127.0.0.1',
      WARDLINE_ROBOT_LIMIT: '20',
      WARDLINE_ROBOT_WINDOW_MS: '4000',
    });
    notify.email!.rejectUnauthorized = false;
    p = await startPlatform({ config: { notify, publicUrl: 'https://wardline.hospital.example.cn' } });
    engineer = await p.user(['engineer'], '李工');
    itManager = await p.user(['it_manager'], '信息科王主任');
    await p.ds.query(`UPDATE users SET email = 'wang@hospital.example.cn' WHERE id = $1`, [itManager.id]);
    expect((await p.call('PUT', `/users/${itManager.id}/channels`, p.adminToken, { channels: ['email'] })).status).toBe(200);
    vendorUser = await p.user(['vendor_contact'], '原厂赵经理');

    const vendor = await p.call('POST', '/vendors', p.adminToken, { name: '某影像厂商', systems: ['SYS-11'] });
    expect(vendor.status).toBe(201);
    vendorId = vendor.body.id;
    const add = async (key: string, body: Record<string, unknown>) => {
      const res = await p.call('POST', `/vendors/${vendorId}/contacts`, p.adminToken, body);
      expect(res.status).toBe(201);
      contacts[key] = res.body.id;
    };
    await add('l1', { name: '张工', role: '技术支持', level: 1, wecomRobotKey: 'robot-l1-0123456789' });
    await add('l2', { name: '赵经理', role: '技术经理', level: 2, email: 'zhao@vendor.example.cn', userId: vendorUser.id });
    await add('l3', { name: '钱总', role: '总经理', level: 3, webhookUrl: `${hook.base}/vendor-hook` });
  });
  afterAll(async () => {
    await p?.stop();
    await Promise.all([wecom?.close(), dingtalk?.close(), hook?.close(), smtp?.close()]);
  });

  async function open(overrides: Partial<IncidentInput> = {}, ackSeconds = 2) {
    const policy = { ...shrunkPolicy({ respond: 600, onSite: 600, repair: 600 }), escalation: { repairShare: { P1: 0.5, P2: 0.5, P3: 0.75, P4: 0.75 }, ackTimeoutMinutes: [ackSeconds / 60, ackSeconds / 60, ackSeconds / 60] as [number, number, number], linkTtlMinutes: 5 } };
    const input = await incidentInput(p.ds, policy, { assignee: { id: engineer.id, name: '李工' }, ...overrides });
    const handle = await p.temporal.workflow.start(INCIDENT_WORKFLOW_TYPE, {
      workflowId: incidentWorkflowId(input.number, input.incidentId),
      taskQueue: p.config.taskQueue,
      args: [input],
    });
    await handle.executeUpdate(incidentOpenedUpdate);
    const act = (command: IncidentCommandBody) => handle.executeUpdate(incidentCommandUpdate, { args: [{ ...command, actor } as IncidentCommand] });
    return { input, handle, act };
  }
  const timeline = async (incidentId: string) =>
    (await p.ds.query(`SELECT type, note, data FROM incident_events WHERE incident_id = $1 ORDER BY seq`, [incidentId])) as { type: string; note: string | null; data: any }[];
  const robotTexts = () => wecom.requests.map((r) => JSON.parse(r.text).markdown.content as string);

  it('calls L1, then L2 with the IT manager; a one-time link acknowledges; vendor progress and resolution reach the incident', async () => {
    const { input, act } = await open();
    const escalated = await p.call('POST', `/incidents/${input.number}/escalations`, engineer.token, { reason: '数据库死锁，现场无法定位' });
    expect(escalated.status).toBe(200);
    const again = await p.call('POST', `/incidents/${input.number}/escalations`, engineer.token, { reason: 'again' });
    expect(again.status).toBe(409);

    // L1: the WeCom robot of the vendor's support group.
    await waitUntil('the L1 robot message', async () => robotTexts().find((t) => t.includes(input.number) && t.includes('第1级')));
    expect(robotTexts().find((t) => t.includes(input.number))).toContain('/vendor-ack/');
    // L2 after the L1 timeout: the vendor's manager by email, and the hospital's IT manager.
    const mailTo = (address: string) => smtp.mails.find((m) => m.to.includes(address) && parseMail(m.raw).headers.get('subject')!.includes(input.number));
    const l2 = await waitUntil('the L2 mail', async () => mailTo('zhao@vendor.example.cn'));
    await waitUntil('the IT manager mail', async () => mailTo('wang@hospital.example.cn'));
    const l2Mail = parseMail(l2.raw);
    expect(l2Mail.headers.get('subject')).toContain('第2级');
    const link = /https:\/\/wardline\.hospital\.example\.cn(\/vendor-ack\/\S+)/.exec(l2Mail.text)![1];

    // The link works without a login, once.
    const page = await p.call('GET', link);
    expect(page.status).toBe(200);
    expect(page.body).toContain(input.number);
    const acked = await p.call('POST', link, null, { promisedLocalTime: '2099-01-01T10:00', note: '专家已出发' });
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: '某影像厂商 赵经理', promisedOnSiteAt: '2099-01-01T10:00:00+08:00' });
    expect((await p.call('POST', link, null, {})).status).toBe(410);
    expect((await p.call('GET', `${link}x`)).status).toBe(404);

    const [row] = await p.ds.query(`SELECT id FROM escalations WHERE incident_id = $1`, [input.incidentId]);
    const arrived = await p.call('POST', `/escalations/${row.id}/progress`, vendorUser.token, { kind: 'arrived', note: '到达机房' });
    expect(arrived.status).toBe(200);
    // The hospital's IT manager hears that the vendor is on site.
    await waitUntil('the on-site mail', async () =>
      smtp.mails.find((m) => m.to.includes('wang@hospital.example.cn') && parseMail(m.raw).headers.get('subject')!.includes('原厂已到场')),
    );
    // Acknowledged at L2: the workflow's own state says the level loop stopped there, so L3 is never called.
    const [escalationRow] = await p.ds.query(`SELECT workflow_id FROM escalations WHERE incident_id = $1`, [input.incidentId]);
    const state = await p.temporal.workflow.getHandle(escalationRow.workflow_id).query(escalationViewQuery);
    expect(state).toMatchObject({ level: 2, status: 'vendor_on_site' });
    expect(state.acknowledgement).not.toBeNull();
    expect(hook.requests.filter((r) => r.text.includes(input.number))).toEqual([]);

    await act({ action: 'acknowledge' });
    await act({ action: 'resolve', cause: '索引损坏', fix: '原厂重建索引', category: 'system_error_fix' });
    await waitUntil('the end of the escalation', async () => (await timeline(input.incidentId)).some((e) => e.type === 'escalation_ended'));
    const types = (await timeline(input.incidentId)).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['escalated', 'escalation_level', 'vendor_acknowledged', 'vendor_arrived', 'resolve', 'escalation_ended']),
    );
    expect(types.filter((t) => t === 'escalation_level')).toHaveLength(2);
    const escalation = await p.call('GET', `/escalations/${row.id}`, itManager.token);
    expect(escalation.body).toMatchObject({ status: 'resolved', level: 2, acknowledgedBy: '某影像厂商 赵经理' });
    // Everyone who was told hears that it is over.
    await waitUntil('the resolution mail to the vendor', async () =>
      smtp.mails.find((m) => m.to.includes('zhao@vendor.example.cn') && parseMail(m.raw).headers.get('subject')!.includes('故障已修复')),
    );
    await waitUntil('the resolution robot message', async () => robotTexts().find((t) => t.includes(input.number) && t.includes('故障已修复')));

    // The closing mails to everyone told may still be on their way: read the log once every email has settled.
    const log = await waitUntil('every email delivery settled', async () => {
      const res = await p.call('GET', `/notifications?incident=${input.number}&channel=email`, itManager.token);
      return res.status === 200 && res.body.items.every((d: any) => !['pending', 'sending'].includes(d.status)) ? res : null;
    });
    expect(log.status).toBe(200);
    // At least the L2 mail and the IT manager's, both waited for above: the check below is over something.
    expect(log.body.items.length).toBeGreaterThanOrEqual(2);
    expect(log.body.items.filter((d: any) => d.status !== 'sent' || d.attempts !== 1)).toEqual([]);
    // The stored copy masks the link: it is a credential.
    expect(JSON.stringify(log.body)).not.toContain(link.split('/').pop());
  });

  it('escalates by itself when the repair clock passes its share, and resolution stops it before L2', async () => {
    const policy = {
      ...shrunkPolicy({ respond: 600, onSite: 600, repair: 4 }),
      escalation: { repairShare: { P1: 0.5, P2: 0.5, P3: 0.75, P4: 0.75 }, ackTimeoutMinutes: [0.1, 0.1, 0.1] as [number, number, number], linkTtlMinutes: 5 },
    };
    const { input, act } = await open({ policy });
    await waitUntil('the automatic escalation', async () => (await timeline(input.incidentId)).find((e) => e.type === 'escalated'));
    const escalatedEvent = (await timeline(input.incidentId)).find((e) => e.type === 'escalated')!;
    expect(escalatedEvent.data.trigger).toBe('repair_share');
    await waitUntil('the L1 robot message', async () => robotTexts().find((t) => t.includes(input.number)));
    await act({ action: 'arrive' });
    await act({ action: 'resolve', cause: 'c', fix: 'f', category: 'other' });
    await waitUntil('the end of the escalation', async () => (await timeline(input.incidentId)).some((e) => e.type === 'escalation_ended'));
    // The escalation workflow has finished at level 1: nothing can call L2 any more, no need to wait and see.
    const [escalationRow] = await p.ds.query(`SELECT workflow_id FROM escalations WHERE incident_id = $1`, [input.incidentId]);
    const ended: EscalationView = await p.temporal.workflow.getHandle(escalationRow.workflow_id).result();
    expect(ended).toMatchObject({ level: 1, status: 'resolved' });
    expect(ended.history.filter((h) => h.type === 'escalation_level')).toHaveLength(1);
    expect(smtp.mails.filter((m) => parseMail(m.raw).headers.get('subject')!.includes(input.number) && parseMail(m.raw).headers.get('subject')!.includes('第2级'))).toEqual([]);
    expect((await timeline(input.incidentId)).filter((e) => e.type === 'escalation_level')).toHaveLength(1);
  });

  it('a system without vendor contacts escalates to the project manager and says why', async () => {
    const { input } = await open({ systemId: (await p.ds.query(`SELECT id FROM business_systems WHERE code = 'SYS-05'`))[0].id });
    const res = await p.call('POST', `/incidents/${input.number}/escalations`, engineer.token, { reason: '需要原厂' });
    expect(res.status).toBe(200);
    const event = await waitUntil('the no-contacts event', async () => (await timeline(input.incidentId)).find((e) => e.type === 'escalation_no_contacts'));
    // A code, not an English sentence (issue 9): the page renders it in the reader's language.
    expect(event.note).toBeNull();
    expect(event.data).toMatchObject({ reasonCode: 'no_vendor' });
    const [note] = await p.ds.query(`SELECT recipient_role, title FROM notifications WHERE incident_id = $1 AND event = 'escalation_no_contacts'`, [input.incidentId]);
    expect(note).toMatchObject({ recipient_role: 'project_manager' });
    expect(note.title).toContain('无法升级原厂');
  });

  it('50 events in a minute to one WeCom robot arrive as at most 20 messages per window, with nothing lost', async () => {
    const watcher = await p.user(['engineer'], '值班群');
    expect((await p.call('PUT', `/users/${watcher.id}/channels`, watcher.token, { channels: ['wecom'], wecomRobotKey: 'robot-burst-0123456789' })).status).toBe(200);
    const before = wecom.requests.length;
    const opened = await Promise.all(Array.from({ length: 50 }, () => open({ assignee: { id: watcher.id, name: '值班群' } })));
    const numbers = opened.map((o) => o.input.number);
    const burst = () => wecom.requests.slice(before).filter((r) => r.url.searchParams.get('key') === 'robot-burst-0123456789');
    await waitUntil('all 50 numbers at the robot', async () => numbers.every((n) => burst().some((r) => r.text.includes(n))), 60_000);
    const times = burst().map((r) => r.at);
    // 50 events at 20 per window: at least three messages, each window checked below.
    expect(times.length).toBeGreaterThanOrEqual(3);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 4000).length).toBeLessThanOrEqual(20);
    expect(burst().length).toBeLessThan(50);
    // The robot answers before the batch activity records `sent`: wait for the record, not only the robot.
    const rows = await waitUntil('the 50 deliveries recorded', async () => {
      const r = await p.ds.query(`SELECT status, digest_id FROM notification_deliveries WHERE channel = 'wecom' AND recipient_id = $1`, [watcher.id]);
      return r.length === 50 && r.every((d: any) => d.status !== 'queued' && d.status !== 'sending') ? r : null;
    }, 30_000);
    expect(rows).toHaveLength(50);
    expect(rows.every((r: any) => r.status === 'sent')).toBe(true);
    expect(rows.some((r: any) => r.digest_id !== null)).toBe(true);
    for (const o of opened) await o.act({ action: 'cancel', reason: 'burst test' });
  });

  it('a channel that keeps failing is recorded as failed and falls back to the next channel', async () => {
    const user = await p.user(['engineer'], '周工');
    await p.ds.query(`UPDATE users SET email = 'zhou@vendor-team.example.cn' WHERE id = $1`, [user.id]);
    // The webhook answers 400 (not retryable); email is the fallback.
    hook.reply = (r) => (r.url.pathname === '/broken' ? { status: 400, body: { error: 'nope' } } : { status: 200, body: {} });
    expect((await p.call('PUT', `/users/${user.id}/channels`, user.token, { channels: ['webhook', 'email'], webhookUrl: `${hook.base}/broken` })).status).toBe(200);
    const { input } = await open({ assignee: { id: user.id, name: '周工' } });
    await waitUntil('the fallback mail', async () => smtp.mails.find((m) => m.to.includes('zhou@vendor-team.example.cn') && parseMail(m.raw).headers.get('subject')!.includes(input.number)));
    // The providers' answers are for administrators only (a webhook's reply may be whatever its URL reached).
    const asUser = (await p.call('GET', `/notifications?incident=${input.incidentId}`, user.token)).body.items;
    expect(asUser.length).toBeGreaterThan(0);
    expect(asUser.every((d: any) => d.providerResponse === undefined)).toBe(true);
    const log = await p.call('GET', `/notifications?incident=${input.incidentId}`, p.adminToken);
    const mine = log.body.items.filter((d: any) => d.recipientId === user.id);
    const failed = mine.find((d: any) => d.channel === 'webhook');
    const sent = mine.find((d: any) => d.channel === 'email');
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed.providerResponse).toContain('nope');
    expect(sent).toMatchObject({ status: 'sent', fallbackOf: failed.id });
    const req = hook.requests.find((r) => r.url.pathname === '/broken')!;
    const expected = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(req.raw).digest('hex')}`;
    expect(req.headers['x-wardline-signature']).toBe(expected);
  });

  it('refuses malformed contacts with a clear 400', async () => {
    const res = await p.call('POST', `/vendors/${vendorId}/contacts`, p.adminToken, {
      name: '坏数据',
      role: 'x',
      level: 4,
      phone: '12345abc',
      email: 'not-an-email',
      webhookUrl: 'ftp://x',
      pager: '1',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.field).sort()).toEqual(['email', 'level', 'pager', 'phone', 'webhookUrl']);
    const none = await p.call('POST', `/vendors/${vendorId}/contacts`, p.adminToken, { name: '无联系方式', role: 'x', level: 1 });
    expect(none.status).toBe(422);
    expect((await p.call('POST', `/vendors/${vendorId}/contacts`, engineer.token, { name: 'n', role: 'r', level: 1, phone: '13800138000' })).status).toBe(403);
  });
});
