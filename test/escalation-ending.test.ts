import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { IncidentCommand, IncidentCommandBody, IncidentInput } from '../src/domain/incident-process';
import { loadNotifyConfig } from '../src/infra/notify-config';
import { ESCALATION_WORKFLOW_TYPE, EscalationInput, EscalationView, escalationViewQuery, incidentSettledSignal } from '../src/shared/escalation-messages';
import { INCIDENT_WORKFLOW_TYPE, incidentCommandUpdate, incidentOpenedUpdate, incidentWorkflowId } from '../src/shared/incident-messages';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { Receiver, startReceiver } from './support/receivers';
import { incidentInput, shrunkPolicy, waitUntil } from './support/workflow-input';

/**
 * How a vendor escalation ends (S7, issue 9): cancelling the incident tells the contacts already called, an
 * escalation whose incident has closed still ends instead of failing on "Unable to signal external workflow", and a
 * contact no channel reaches is recorded as undeliverable with the project manager told at once.
 */
describe('the end of a vendor escalation', () => {
  let p: TestPlatform;
  let hook: Receiver;
  let engineer: TestUser;
  let pm: TestUser;
  const contacts: Record<string, string> = {};
  // Driven as an administrator: the validators check roles (INCIDENT_ACTION_ROLES), covered by the domain specs.
  const actor = { id: 'eng', name: '李工', roles: ['admin'] };

  beforeAll(async () => {
    hook = await startReceiver();
    p = await startPlatform({ config: { notify: loadNotifyConfig({ WARDLINE_WEBHOOK_SECRET: 'webhook-secret-for-tests-0123', WARDLINE_WEBHOOK_ALLOW: '127.0.0.1' }) } });
    engineer = await p.user(['engineer'], '李工');
    pm = await p.user(['project_manager'], '陈经理');
    const vendor = await p.call('POST', '/vendors', p.adminToken, { name: '某影像厂商', systems: ['SYS-11'] });
    expect(vendor.status).toBe(201);
    const add = async (key: string, body: Record<string, unknown>) => {
      const res = await p.call('POST', `/vendors/${vendor.body.id}/contacts`, p.adminToken, body);
      expect(res.status).toBe(201);
      contacts[key] = res.body.id;
    };
    await add('webhook', { name: '张工', role: '技术支持', level: 1, webhookUrl: `${hook.base}/vendor-l1` });
    // A phone number only, and no SMS gateway configured: nothing reaches this contact.
    await add('phoneOnly', { name: '孙工', role: '技术支持', level: 1, phone: '13800138000' });
  });
  afterAll(async () => {
    await p?.stop();
    await hook?.close();
  });

  async function open(overrides: Partial<IncidentInput> = {}) {
    const policy = {
      ...shrunkPolicy({ respond: 600, onSite: 600, repair: 600 }),
      escalation: { repairShare: { P1: 0.5, P2: 0.5, P3: 0.75, P4: 0.75 }, ackTimeoutMinutes: [1, 1, 1] as [number, number, number], linkTtlMinutes: 5 },
    };
    const input = await incidentInput(p.ds, policy, { assignee: { id: engineer.id, name: '李工' }, ...overrides });
    const handle = await p.temporal.workflow.start(INCIDENT_WORKFLOW_TYPE, { workflowId: incidentWorkflowId(input.number, input.incidentId), taskQueue: p.config.taskQueue, args: [input] });
    await handle.executeUpdate(incidentOpenedUpdate);
    const act = (command: IncidentCommandBody) => handle.executeUpdate(incidentCommandUpdate, { args: [{ ...command, actor } as IncidentCommand] });
    return { input, handle, act };
  }
  const timeline = async (incidentId: string) =>
    (await p.ds.query(`SELECT type, note, data FROM incident_events WHERE incident_id = $1 ORDER BY seq`, [incidentId])) as { type: string; note: string | null; data: any }[];
  const hookTexts = (number: string) => hook.requests.map((r) => r.text).filter((t) => t.includes(number));

  it('cancelling the incident tells the contacts already called, and the escalation ends instead of being cancelled', async () => {
    const { input, handle, act } = await open();
    expect((await p.call('POST', `/incidents/${input.number}/escalations`, engineer.token, { reason: '需要原厂协助' })).status).toBe(200);
    await waitUntil('the L1 call', async () => hookTexts(input.number).length > 0);
    const [row] = await p.ds.query(`SELECT workflow_id FROM escalations WHERE incident_id = $1`, [input.incidentId]);
    await act({ action: 'cancel', reason: '院方决定停用该功能' });
    await handle.result();
    // The escalation finished by itself (a cancelled one would reject here).
    const ended: EscalationView = await p.temporal.workflow.getHandle(row.workflow_id).result();
    expect(ended).toMatchObject({ status: 'resolved' });
    expect(ended.endedAt).not.toBeNull();
    // The contact called at L1 hears that it is over, and why.
    const texts = hookTexts(input.number);
    expect(texts).toHaveLength(2);
    expect(texts[1]).toContain('工单已取消');
    const events = await timeline(input.incidentId);
    const end = events.find((e) => e.type === 'escalation_ended');
    expect(end).toBeDefined();
    expect(end!.data).toMatchObject({ outcome: 'cancelled' });
    expect(events.map((e) => e.type).indexOf('escalation_ended')).toBeGreaterThan(events.map((e) => e.type).indexOf('cancel'));
  });

  it('an escalation whose incident has already closed still ends, and tells the people it called', async () => {
    const { input, handle, act } = await open();
    await act({ action: 'cancel', reason: '重复报修' });
    await handle.result();
    // Started against the closed incident: every report into its timeline finds no workflow to signal.
    const escalationId = randomUUID();
    const escalationInput: EscalationInput = {
      escalationId,
      incidentId: input.incidentId,
      incidentNumber: input.number,
      incidentWorkflowId: handle.workflowId,
      systemId: input.systemId,
      systemName: input.systemName,
      title: input.title,
      priority: 'P1',
      trigger: 'manual',
      reason: '原厂复核',
      requestedBy: actor,
      assigneeId: null,
      policy: { repairShare: { P1: 0.5, P2: 0.5, P3: 0.75, P4: 0.75 }, ackTimeoutMinutes: [1, 1, 1], linkTtlMinutes: 5 },
    };
    const escalation = await p.temporal.workflow.start(ESCALATION_WORKFLOW_TYPE, {
      workflowId: `escalation-closed-parent-${escalationId.slice(0, 8)}`,
      taskQueue: p.config.taskQueue,
      args: [escalationInput],
    });
    await waitUntil('the L1 call', async () => (await escalation.query(escalationViewQuery)).level === 1);
    await escalation.signal(incidentSettledSignal, { outcome: 'cancelled' });
    const ended: EscalationView = await escalation.result();
    expect(ended.status).toBe('resolved');
    expect(ended.history.map((h) => h.type)).toEqual(['escalation_level', 'escalation_ended']);
    await waitUntil('the closing message to L1', async () => hookTexts(input.number).some((t) => t.includes('工单已取消')));
  });

  it('a contact no channel reaches is undeliverable, not "sent" in an inbox nobody reads, and the project manager hears at once', async () => {
    const { input, act } = await open();
    expect((await p.call('POST', `/incidents/${input.number}/escalations`, engineer.token, { reason: '需要原厂协助' })).status).toBe(200);
    const deliveries = () =>
      p.ds.query(`SELECT channel, status, last_error FROM notification_deliveries WHERE incident_id = $1 AND recipient_id = $2 AND event = 'escalated_to_vendor'`, [
        input.incidentId,
        contacts.phoneOnly,
      ]) as Promise<{ channel: string; status: string; last_error: string | null }[]>;
    const rows = await waitUntil('the delivery to the phone-only contact', async () => ((await deliveries()).length > 0 ? deliveries() : null));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ channel: 'in_app', status: 'undeliverable' });
    const notice = await waitUntil('the notice to the project manager', async () =>
      ((await p.call('GET', '/me/notifications', pm.token)).body as { title: string; body: string }[]).find((m) => m.title.includes('原厂联系人无法送达') && m.title.includes(input.number)),
    );
    expect(notice.title).toContain('孙工');
    expect(notice.body).toContain('没有可用的通知渠道');
    // The contact reached by webhook is not reported.
    // The same escalation step delivers to every contact; the webhook's row may land after the phone-only one's.
    const reached = await waitUntil('the delivery to the webhook contact', async () => {
      const found: { status: string }[] = await p.ds.query(`SELECT status FROM notification_deliveries WHERE incident_id = $1 AND recipient_id = $2`, [input.incidentId, contacts.webhook]);
      return found.length > 0 && found.every((r) => r.status !== 'sending') ? found : null;
    });
    expect(reached.every((r) => r.status === 'sent')).toBe(true);
    await act({ action: 'cancel', reason: 'test done' });
  });
});
