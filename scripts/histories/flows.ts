import { CancelledFailure, WorkflowFailedError, WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { assessRevision } from '../../src/domain/change';
import { ChangeInput } from '../../src/domain/change-process';
import { IncidentCommand, IncidentCommandBody, IncidentInput } from '../../src/domain/incident-process';
import { ModificationCommand, ModificationInput } from '../../src/domain/modification';
import { SlaPolicy } from '../../src/domain/sla-policy';
import { CHANGE_WORKFLOW_TYPE, changeCommandUpdate, changeOpenedUpdate, changeWorkflowId } from '../../src/shared/change-messages';
import { INCIDENT_WORKFLOW_TYPE, incidentCommandUpdate, incidentOpenedUpdate, incidentWorkflowId } from '../../src/shared/incident-messages';
import { MODIFICATION_WORKFLOW_TYPE, modificationCommandUpdate, modificationOpenedUpdate, modificationWorkflowId } from '../../src/shared/modification-messages';
import { ESCALATION_WORKFLOW_TYPE, EscalationInput, escalationViewQuery, incidentSettledSignal } from '../../src/shared/escalation-messages';
import { robotOutboxWorkflowId } from '../../src/shared/notify-messages';
import { pmSignature } from '../../src/adapters/pm-platform';
import type { TestPlatform, TestUser } from '../../test/support/platform';
import { alwaysWorkingCalendar, incidentInput, shrunkPolicy, waitUntil } from '../../test/support/workflow-input';
import { JOB_CASES } from './job-flows';
import { MONITORING_CASES } from './monitoring-flows';
import { INSPECTION_CASES } from './inspection-flows';
import { EVIDENCE_CASES } from './evidence-flows';
import { SERVICE_CASES } from './service-flows';

/**
 * The representative flows `npm run histories:record` runs: every workflow type, through the paths people take
 * (and the timers that fire without them). Flows that need no shrunk timer go through the HTTP API, as people
 * would; the rest start the workflow with the durations shrunk to seconds, as the workflow tests do.
 */

export interface People {
  dispatcher: TestUser;
  engineer: TestUser;
  engineer2: TestUser;
  pm: TestUser;
  itManager: TestUser;
  reviewer: TestUser;
  reviewer2: TestUser;
  vendorUser: TestUser;
  watcher: TestUser;
  watcherRobotKey: string;
}

export interface FlowContext {
  p: TestPlatform;
  people: People;
  /** Bodies the loopback robot/webhook receiver got. */
  received: string[];
  /** Where that receiver listens (it answers 200 to any path). */
  receiverBase: string;
}

/** "<type>/<case>" → the workflow id whose history is saved there. */
export type Recorded = Record<string, string>;

export interface FlowCase {
  name: string;
  produces: string[];
  run(ctx: FlowContext): Promise<Recorded>;
}

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const SECOND_IN_MINUTES = 1 / 60;

export async function setUpPeople(p: TestPlatform, receiverBase: string): Promise<People> {
  const people: People = {
    dispatcher: await p.user(['dispatcher'], '王调度'),
    engineer: await p.user(['engineer'], '李工'),
    engineer2: await p.user(['engineer'], '张工'),
    pm: await p.user(['project_manager'], '陈经理'),
    itManager: await p.user(['it_manager'], '信息科主任'),
    reviewer: await p.user(['reviewer'], '信息科评审甲'),
    reviewer2: await p.user(['reviewer'], '信息科评审乙'),
    vendorUser: await p.user(['vendor_contact'], '原厂赵经理'),
    watcher: await p.user(['engineer'], '值班群'),
    watcherRobotKey: 'histories-watch-robot-0123456789',
  };
  must(await p.call('PUT', `/users/${people.watcher.id}/channels`, people.watcher.token, { channels: ['wecom'], wecomRobotKey: people.watcherRobotKey }), 200);
  const vendor = must(await p.call('POST', '/vendors', p.adminToken, { name: '某影像厂商', systems: ['SYS-11'] }), 201);
  const contact = async (body: Record<string, unknown>) => must(await p.call('POST', `/vendors/${vendor.id}/contacts`, p.adminToken, body), 201);
  await contact({ name: '张工', role: '技术支持', level: 1, webhookUrl: `${receiverBase}/vendor-hook-l1` });
  // A phone only, and no SMS gateway here: nothing reaches this contact, so the project manager is told (issue 9).
  await contact({ name: '孙工', role: '值班工程师', level: 1, phone: '13800138000' });
  await contact({ name: '赵经理', role: '技术经理', level: 2, webhookUrl: `${receiverBase}/vendor-hook`, userId: people.vendorUser.id });
  await contact({ name: '钱总', role: '总经理', level: 3, webhookUrl: `${receiverBase}/vendor-hook-l3` });
  return people;
}

function must(res: { status: number; body: any }, status: number): any {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Waits for a workflow to close; `cancelledToo` accepts a cancellation (a child whose parent closed first). */
export async function finished(handle: WorkflowHandle, options: { timeoutMs?: number; cancelledToo?: boolean } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const result = handle.result().catch((err: unknown) => {
    if (options.cancelledToo && err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure) return;
    throw err;
  });
  await Promise.race([
    result,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${handle.workflowId} did not finish in ${timeoutMs} ms`)), timeoutMs).unref()),
  ]);
}

const timeline = async (p: TestPlatform, incidentId: string) =>
  (await p.ds.query(`SELECT type, data FROM incident_events WHERE incident_id = $1 ORDER BY seq`, [incidentId])) as { type: string; data: any }[];

const escalationRow = (p: TestPlatform, incidentId: string) =>
  waitUntil('the escalation row', async () => (await p.ds.query(`SELECT id, workflow_id FROM escalations WHERE incident_id = $1`, [incidentId]))[0] as { id: string; workflow_id: string });

/** An incident opened through the API, as a dispatcher does; the contract's policy and the real calendar. */
async function openByApi(ctx: FlowContext, body: Record<string, unknown> = {}) {
  const { p, people } = ctx;
  const view = must(
    await p.call('POST', '/incidents', people.dispatcher.token, {
      systemId: 'SYS-11',
      title: 'PACS 影像无法调阅',
      description: '放射科工作站打不开影像',
      reporter: { name: '李护士长', department: '放射科', phone: '8021' },
      priority: 'P2',
      channel: 'phone',
      assigneeId: people.engineer.id,
      ...body,
    }),
    201,
  );
  const [row] = await p.ds.query(`SELECT id, workflow_id FROM incidents WHERE number = $1`, [view.number]);
  const call = (action: string, token: string, payload: Record<string, unknown> = {}) => p.call('POST', `/incidents/${view.number}/${action}`, token, payload).then((r) => must(r, 200));
  return { number: view.number as string, incidentId: row.id as string, workflowId: row.workflow_id as string, call };
}

/** An incident started with shrunk clocks (seconds) and a shrunk escalation policy, as the workflow tests do. */
export async function openShrunk(
  ctx: FlowContext,
  clocks: { respond: number; onSite: number; repair: number },
  ackSeconds: number,
  overrides: Partial<IncidentInput> = {},
) {
  const { p, people } = ctx;
  const policy: SlaPolicy = {
    ...shrunkPolicy(clocks),
    escalation: {
      repairShare: { P1: 0.5, P2: 0.5, P3: 0.75, P4: 0.75 },
      ackTimeoutMinutes: [ackSeconds * SECOND_IN_MINUTES, ackSeconds * SECOND_IN_MINUTES, ackSeconds * SECOND_IN_MINUTES],
      linkTtlMinutes: 30,
    },
  };
  const input = await incidentInput(p.ds, policy, { assignee: { id: people.engineer.id, name: people.engineer.name }, ...overrides });
  const workflowId = incidentWorkflowId(input.number, input.incidentId);
  const handle = await p.temporal.workflow.start(INCIDENT_WORKFLOW_TYPE, { workflowId, taskQueue: p.config.taskQueue, args: [input] });
  await handle.executeUpdate(incidentOpenedUpdate);
  const act = (command: IncidentCommandBody, actor: TestUser = people.engineer) =>
    // Driven as an administrator, as the workflow tests do: the validators check roles (INCIDENT_ACTION_ROLES).
    handle.executeUpdate(incidentCommandUpdate, { args: [{ ...command, actor: { id: actor.id, name: actor.name, roles: ['admin'] } } as IncidentCommand] });
  const waitFor = (type: string) => waitUntil(`incident event ${type}`, async () => (await timeline(p, input.incidentId)).find((e) => e.type === type), 60_000);
  return { input, workflowId, handle, act, waitFor };
}

/** Resolve, confirm and close an open incident through its workflow; a running escalation hears of it and ends first. */
async function finishIncident(o: Awaited<ReturnType<typeof openShrunk>>, ctx: FlowContext, escalated: boolean) {
  await o.act({ action: 'resolve', cause: '索引损坏', fix: '重建索引', category: 'system_error_fix' });
  if (escalated) {
    // The escalation tells everyone it told, then closes; closing the incident before that would cancel it.
    await o.waitFor('escalation_ended');
    await finished(ctx.p.temporal.workflow.getHandle((await escalationRow(ctx.p, o.input.incidentId)).workflow_id));
  }
  await o.act({ action: 'confirm' }, ctx.people.dispatcher);
  await o.act({ action: 'close' }, ctx.people.dispatcher);
  await finished(o.handle);
}

function ackLinkFromReceiver(ctx: FlowContext, number: string): string | undefined {
  for (const raw of ctx.received) {
    if (!raw.includes(number)) continue;
    const m = /\/vendor-ack\/([A-Za-z0-9._~%-]+)/.exec(raw);
    if (m) return `/vendor-ack/${m[1]}`;
  }
  return undefined;
}

async function changeByApi(ctx: FlowContext, body: Record<string, unknown>) {
  const { p, people } = ctx;
  const view = must(
    await p.call('POST', '/changes', people.engineer.token, {
      systemId: 'SYS-11',
      kind: 'normal',
      title: '检查登记表增加影像号字段',
      reason: 'PACS 升级需要',
      dialect: 'oracle',
      forwardScript: 'ALTER TABLE PACS.EXAM_REG ADD (IMAGE_NO VARCHAR2(64));\nCREATE INDEX PACS.IDX_EXAM_IMG ON PACS.EXAM_REG (IMAGE_NO);',
      rollbackScript: 'DROP INDEX PACS.IDX_EXAM_IMG;\nALTER TABLE PACS.EXAM_REG DROP COLUMN IMAGE_NO;',
      objects: [{ type: 'table', name: 'PACS.EXAM_REG', action: 'alter' }],
      risk: 'medium',
      window: { start: iso(Date.now() - HOUR), end: iso(Date.now() + HOUR) },
      ...body,
    }),
    201,
  );
  const [row] = await p.ds.query(`SELECT workflow_id FROM changes WHERE number = $1`, [view.number]);
  const call = (action: string, token: string, payload: Record<string, unknown> = {}) => p.call('POST', `/changes/${view.number}/${action}`, token, payload).then((r) => must(r, 200));
  return { number: view.number as string, workflowId: row.workflow_id as string, call, handle: p.temporal.workflow.getHandle(row.workflow_id) };
}

export const CASES: FlowCase[] = [
  {
    name: 'incident/lifecycle',
    produces: ['incident/lifecycle'],
    async run(ctx) {
      const { people: u } = ctx;
      const i = await openByApi(ctx);
      await i.call('assign', u.dispatcher.token, { assigneeId: u.engineer2.id });
      await i.call('priority', u.dispatcher.token, { priority: 'P1', reason: '影响全院影像调阅' });
      await i.call('acknowledge', u.engineer2.token);
      await i.call('repair-clock/pause', u.dispatcher.token, { reason: '等待院方停机窗口' });
      await i.call('repair-clock/resume', u.dispatcher.token);
      await i.call('arrive', u.engineer2.token);
      await i.call('resolve', u.engineer2.token, { cause: '存储卷写满', fix: '清理缓存并扩容', category: 'system_error_fix' });
      await i.call('confirm', u.dispatcher.token);
      await i.call('close', u.dispatcher.token);
      await finished(ctx.p.temporal.workflow.getHandle(i.workflowId));
      return { 'incident/lifecycle': i.workflowId };
    },
  },
  {
    name: 'incident/reopen',
    produces: ['incident/reopen'],
    async run(ctx) {
      const { people: u } = ctx;
      const i = await openByApi(ctx, { priority: 'P3' });
      await i.call('acknowledge', u.engineer.token);
      await i.call('arrive', u.engineer.token);
      await i.call('resolve', u.engineer.token, { cause: '缓存异常', fix: '重启服务', category: 'system_error_fix' });
      await i.call('confirm', u.dispatcher.token);
      await i.call('reopen', u.dispatcher.token, { reason: '次日再次出现' });
      await i.call('resolve', u.engineer.token, { cause: '磁盘坏道', fix: '更换磁盘', category: 'other' });
      await i.call('confirm', u.dispatcher.token);
      await i.call('close', u.dispatcher.token);
      await finished(ctx.p.temporal.workflow.getHandle(i.workflowId));
      return { 'incident/reopen': i.workflowId };
    },
  },
  {
    name: 'incident/cancel',
    produces: ['incident/cancel'],
    async run(ctx) {
      const i = await openByApi(ctx, { priority: 'P4' });
      await i.call('cancel', ctx.people.dispatcher.token, { reason: '重复报修' });
      await finished(ctx.p.temporal.workflow.getHandle(i.workflowId));
      return { 'incident/cancel': i.workflowId };
    },
  },
  {
    // Respond breach at 1.5 s starts the escalation (not acknowledged); every level times out; repair breaches too.
    name: 'incident/breach',
    produces: ['incident/breach', 'escalation/timeout'],
    async run(ctx) {
      const o = await openShrunk(ctx, { respond: 1.5, onSite: 3, repair: 5 }, 1);
      await o.waitFor('escalation_exhausted');
      await waitUntil('the repair breach', async () => (await timeline(ctx.p, o.input.incidentId)).find((e) => e.type === 'sla_breached' && e.data.clock === 'repair'), 60_000);
      const esc = await escalationRow(ctx.p, o.input.incidentId);
      await o.act({ action: 'arrive' });
      await finishIncident(o, ctx, true);
      await finished(ctx.p.temporal.workflow.getHandle(esc.workflow_id));
      return { 'incident/breach': o.workflowId, 'escalation/timeout': esc.workflow_id };
    },
  },
  {
    // The repair clock passes 50 % at 2 s: the escalation starts by itself; the vendor acknowledges through the API.
    name: 'escalation/ack-api',
    produces: ['incident/escalation-auto', 'escalation/ack-api'],
    async run(ctx) {
      const { p, people: u } = ctx;
      const o = await openShrunk(ctx, { respond: 600, onSite: 600, repair: 4 }, 60);
      await o.act({ action: 'acknowledge' });
      await o.waitFor('escalation_level');
      const esc = await escalationRow(p, o.input.incidentId);
      must(await p.call('POST', `/escalations/${esc.id}/acknowledge`, u.vendorUser.token, { promisedOnSiteAt: iso(Date.now() + 60_000), note: '专家已出发' }), 200);
      await o.waitFor('vendor_acknowledged');
      must(await p.call('POST', `/escalations/${esc.id}/progress`, u.vendorUser.token, { kind: 'remote_session', note: '远程接入' }), 200);
      must(await p.call('POST', `/escalations/${esc.id}/progress`, u.vendorUser.token, { kind: 'arrived', note: '到达机房' }), 200);
      must(await p.call('POST', `/escalations/${esc.id}/progress`, u.vendorUser.token, { kind: 'resolved', note: '原厂重建索引' }), 200);
      await o.waitFor('vendor_resolved');
      await o.act({ action: 'arrive' });
      await finishIncident(o, ctx, true);
      await finished(p.temporal.workflow.getHandle(esc.workflow_id));
      return { 'incident/escalation-auto': o.workflowId, 'escalation/ack-api': esc.workflow_id };
    },
  },
  {
    // An engineer escalates; L1 (a webhook: robots show no links, group chats are shared) acknowledges through the one-time link, promises a time and misses it.
    name: 'escalation/ack-link',
    produces: ['incident/escalation-manual', 'escalation/ack-link'],
    async run(ctx) {
      const { p, people: u } = ctx;
      const o = await openShrunk(ctx, { respond: 600, onSite: 600, repair: 600 }, 60);
      await o.act({ action: 'acknowledge' });
      must(await p.call('POST', `/incidents/${o.input.number}/escalations`, u.engineer.token, { reason: '数据库死锁，现场无法定位' }), 200);
      const link = await waitUntil('the L1 webhook call with its link', async () => ackLinkFromReceiver(ctx, o.input.number), 60_000);
      must(await p.call('GET', link), 200);
      must(await p.call('POST', link, null, { promisedOnSiteAt: iso(Date.now() + 2000), note: '工程师两秒后到' }), 200);
      await o.waitFor('vendor_promise_missed');
      const esc = await escalationRow(p, o.input.incidentId);
      // Staff record the vendor's arrival only on behalf of a named contact of the vendor.
      const [l1] = await p.ds.query(`SELECT id FROM vendor_contacts WHERE name = '张工'`);
      must(await p.call('POST', `/escalations/${esc.id}/progress`, u.engineer.token, { kind: 'arrived', note: '原厂工程师已到场', onBehalfOfContactId: l1.id }), 200);
      await o.waitFor('vendor_arrived');
      await o.act({ action: 'arrive' });
      await finishIncident(o, ctx, true);
      await finished(p.temporal.workflow.getHandle(esc.workflow_id));
      return { 'incident/escalation-manual': o.workflowId, 'escalation/ack-link': esc.workflow_id };
    },
  },
  {
    // The incident is resolved while L1 has not answered yet: the escalation is settled and everyone told hears it.
    name: 'escalation/settled',
    produces: ['incident/escalation-settled', 'escalation/settled'],
    async run(ctx) {
      const { p, people: u } = ctx;
      const o = await openShrunk(ctx, { respond: 600, onSite: 600, repair: 600 }, 60);
      must(await p.call('POST', `/incidents/${o.input.number}/escalations`, u.pm.token, { reason: '需要原厂协助' }), 200);
      await o.waitFor('escalation_level');
      const esc = await escalationRow(p, o.input.incidentId);
      await o.act({ action: 'arrive' });
      await o.act({ action: 'resolve', cause: '配置错误', fix: '修正配置', category: 'system_error_fix' });
      await o.waitFor('escalation_ended');
      await finished(p.temporal.workflow.getHandle(esc.workflow_id));
      await o.act({ action: 'confirm' }, u.dispatcher);
      await o.act({ action: 'close' }, u.dispatcher);
      await finished(o.handle);
      await finished(p.temporal.workflow.getHandle(esc.workflow_id));
      return { 'incident/escalation-settled': o.workflowId, 'escalation/settled': esc.workflow_id };
    },
  },
  {
    // The incident is cancelled while the vendor is being called: the escalation ends as cancelled.
    name: 'escalation/cancelled',
    produces: ['incident/cancel-escalated', 'escalation/cancelled'],
    async run(ctx) {
      const { p, people: u } = ctx;
      const o = await openShrunk(ctx, { respond: 600, onSite: 600, repair: 600 }, 60);
      must(await p.call('POST', `/incidents/${o.input.number}/escalations`, u.engineer.token, { reason: '需要原厂协助' }), 200);
      await o.waitFor('escalation_level');
      const esc = await escalationRow(p, o.input.incidentId);
      await o.act({ action: 'cancel', reason: '院方决定停用该功能' }, u.dispatcher);
      await finished(o.handle);
      // Until issue 9's fix the parent closed first and its close policy cancelled the escalation.
      await finished(p.temporal.workflow.getHandle(esc.workflow_id), { cancelledToo: true });
      return { 'incident/cancel-escalated': o.workflowId, 'escalation/cancelled': esc.workflow_id };
    },
  },
  {
    // An operator cancels the escalation workflow itself: it still ends and tells the people it called.
    name: 'escalation/cancelled-from-outside',
    produces: ['escalation/cancelled-from-outside'],
    async run(ctx) {
      const { p, people: u } = ctx;
      const o = await openShrunk(ctx, { respond: 600, onSite: 600, repair: 600 }, 60);
      must(await p.call('POST', `/incidents/${o.input.number}/escalations`, u.engineer.token, { reason: '需要原厂协助' }), 200);
      await o.waitFor('escalation_level');
      const esc = await escalationRow(p, o.input.incidentId);
      await p.temporal.workflow.getHandle(esc.workflow_id).cancel();
      await finished(p.temporal.workflow.getHandle(esc.workflow_id));
      await o.waitFor('escalation_ended');
      await o.act({ action: 'cancel', reason: '演练结束' }, u.dispatcher);
      await finished(o.handle);
      return { 'escalation/cancelled-from-outside': esc.workflow_id };
    },
  },
  {
    // Started against an incident whose workflow has closed: its reports find nobody to signal, and it still ends.
    name: 'escalation/incident-closed',
    produces: ['escalation/incident-closed'],
    async run(ctx) {
      const { p } = ctx;
      const o = await openShrunk(ctx, { respond: 600, onSite: 600, repair: 600 }, 60);
      await o.act({ action: 'cancel', reason: '重复报修' }, ctx.people.dispatcher);
      await finished(o.handle);
      const escalationId = randomUUID();
      const input: EscalationInput = {
        escalationId,
        incidentId: o.input.incidentId,
        incidentNumber: o.input.number,
        incidentWorkflowId: o.workflowId,
        systemId: o.input.systemId,
        systemName: o.input.systemName,
        title: o.input.title,
        priority: 'P1',
        trigger: 'manual',
        reason: '原厂复核',
        requestedBy: null,
        assigneeId: null,
        policy: { repairShare: { P1: 0.5, P2: 0.5, P3: 0.75, P4: 0.75 }, ackTimeoutMinutes: [1, 1, 1], linkTtlMinutes: 30 },
      };
      const workflowId = `escalation-hist-closed-${escalationId.slice(0, 8)}`;
      const handle = await p.temporal.workflow.start(ESCALATION_WORKFLOW_TYPE, { workflowId, taskQueue: p.config.taskQueue, args: [input] });
      await waitUntil('the L1 call', async () => (await handle.query(escalationViewQuery)).level === 1);
      await handle.signal(incidentSettledSignal, { outcome: 'cancelled' });
      await finished(handle);
      return { 'escalation/incident-closed': workflowId };
    },
  },
  {
    // A system without vendor contacts: the project manager hears why.
    name: 'escalation/no-contacts',
    produces: ['escalation/no-contacts'],
    async run(ctx) {
      const { p, people: u } = ctx;
      const [sys05] = await p.ds.query(`SELECT id, display_name FROM business_systems WHERE code = 'SYS-05'`);
      const o = await openShrunk(ctx, { respond: 600, onSite: 600, repair: 600 }, 60, { systemId: sys05.id, systemName: sys05.display_name });
      must(await p.call('POST', `/incidents/${o.input.number}/escalations`, u.engineer.token, { reason: '需要原厂' }), 200);
      await o.waitFor('escalation_no_contacts');
      const esc = await escalationRow(p, o.input.incidentId);
      await o.act({ action: 'arrive' });
      await o.act({ action: 'resolve', cause: 'c', fix: 'f', category: 'other' });
      await o.waitFor('escalation_ended');
      await finished(p.temporal.workflow.getHandle(esc.workflow_id));
      await o.act({ action: 'confirm' }, u.dispatcher);
      await o.act({ action: 'close' }, u.dispatcher);
      await finished(o.handle);
      await finished(p.temporal.workflow.getHandle(esc.workflow_id));
      return { 'escalation/no-contacts': esc.workflow_id };
    },
  },
  {
    // Five messages to one robot limited to 3 per window: two go alone, the rest as one digest. The outbox then idles.
    name: 'robot-outbox/burst',
    produces: ['robot-outbox/burst'],
    async run(ctx) {
      const { p, people: u } = ctx;
      const opened = [];
      for (let n = 0; n < 5; n++) opened.push(await openShrunk(ctx, { respond: 600, onSite: 600, repair: 600 }, 60, { assignee: { id: u.watcher.id, name: u.watcher.name } }));
      await waitUntil(
        'five robot deliveries sent',
        async () => {
          const rows = await p.ds.query(`SELECT status FROM notification_deliveries WHERE channel = 'wecom' AND recipient_id = $1`, [u.watcher.id]);
          return rows.length === 5 && rows.every((r: { status: string }) => r.status === 'sent');
        },
        60_000,
      );
      for (const o of opened) await o.act({ action: 'cancel', reason: '演练结束' }, u.dispatcher);
      return { 'robot-outbox/burst': robotOutboxWorkflowId('wecom', 'user', u.watcher.id) };
    },
  },
  {
    name: 'change/standard',
    produces: ['change/standard'],
    async run(ctx) {
      const { people: u } = ctx;
      const c = await changeByApi(ctx, {
        kind: 'standard',
        dialect: 'postgresql',
        forwardScript: "UPDATE his.dict_dept SET dept_name = '放射科' WHERE dept_code = 'RAD';",
        rollbackScript: "UPDATE his.dict_dept SET dept_name = '影像科' WHERE dept_code = 'RAD';",
        objects: [],
        risk: 'low',
      });
      await c.call('implement', u.engineer.token, { revision: 1, evidence: 'psql 执行成功，1 行' });
      await c.call('verify', u.engineer.token, { outcome: 'succeeded', evidence: '字典显示正确' });
      await c.call('close', u.pm.token);
      await finished(c.handle);
      return { 'change/standard': c.workflowId };
    },
  },
  {
    // A destructive change is sent back by the IT manager, revised into a rename, approved, rolled back, closed.
    name: 'change/revised',
    produces: ['change/revised'],
    async run(ctx) {
      const { people: u } = ctx;
      const c = await changeByApi(ctx, { forwardScript: 'DROP TABLE PACS.OLD_LOG;', rollbackScript: '', objects: [{ type: 'table', name: 'PACS.OLD_LOG', action: 'drop' }], risk: 'high' });
      await c.call('review', u.reviewer.token, { decision: 'approve' });
      await c.call('review', u.itManager.token, { decision: 'send_back', comment: '请先改名备份，不要直接删除' });
      await c.call('revisions', u.engineer.token, {
        dialect: 'oracle',
        forwardScript: 'ALTER TABLE PACS.OLD_LOG RENAME TO OLD_LOG_BAK;',
        rollbackScript: 'ALTER TABLE PACS.OLD_LOG_BAK RENAME TO OLD_LOG;',
        objects: [{ type: 'table', name: 'PACS.OLD_LOG', action: 'alter' }],
        risk: 'medium',
      });
      await c.call('review', u.reviewer2.token, { decision: 'approve', comment: '同意' });
      await c.call('implement', u.engineer.token, { revision: 2, evidence: 'sqlplus 执行成功' });
      await c.call('verify', u.engineer.token, { outcome: 'rolled_back', evidence: '应用报错，已回退' });
      await c.call('close', u.itManager.token);
      await finished(c.handle);
      return { 'change/revised': c.workflowId };
    },
  },
  {
    name: 'change/emergency',
    produces: ['change/emergency'],
    async run(ctx) {
      const { people: u } = ctx;
      const c = await changeByApi(ctx, { kind: 'emergency' });
      await c.call('implement', u.engineer.token, { revision: 1, evidence: '紧急修复' });
      await c.call('verify', u.engineer.token, { outcome: 'succeeded', evidence: '恢复正常' });
      await c.call('review', u.reviewer.token, { decision: 'approve', comment: '事后评审同意' });
      await c.call('close', u.itManager.token);
      await finished(c.handle);
      return { 'change/emergency': c.workflowId };
    },
  },
  {
    // The review clock shrunk: the reminder after "1 working day" and the IT manager after "2", then cancelled.
    name: 'change/review-clock',
    produces: ['change/review-clock'],
    async run(ctx) {
      const { p, people: u } = ctx;
      const [system] = await p.ds.query(`SELECT id, display_name FROM business_systems WHERE code = 'SYS-11'`);
      const now = Date.now();
      const changeId = randomUUID();
      const number = `CHG-HIST-${changeId.slice(0, 6).toUpperCase()}`;
      const submittedBy = { id: u.engineer.id, name: u.engineer.name, roles: ['engineer'] };
      const revision = {
        number: 1,
        forwardScript: 'CREATE TABLE t (id int);',
        rollbackScript: 'DROP TABLE t;',
        ...assessRevision({ declaredRisk: 'low', declaredObjects: [{ type: 'table', name: 't', action: 'create' }], found: { objects: [], schemaChange: true, destructive: false, unparsed: [], riskFloor: 'medium' } }),
        submittedAt: now,
        submittedBy,
      };
      const workflowId = changeWorkflowId(number, changeId);
      await p.ds.query(
        `INSERT INTO changes (id, number, workflow_id, system_id, kind, title, state, risk, schema_change, destructive, current_revision, window_start, window_end, submitted_by, view)
         VALUES ($1,$2,$3,$4,'normal','t','in_review','medium',true,false,1,now(),now() + interval '1 hour',$5,'{}')`,
        [changeId, number, workflowId, system.id, u.engineer.id],
      );
      const input = {
        changeId,
        number,
        systemId: system.id,
        systemName: system.display_name,
        kind: 'normal',
        title: 't',
        reason: 'r',
        window: { start: now, end: now + HOUR },
        implementer: null,
        submittedBy,
        linkedIncidentId: null,
        linkedModificationId: null,
        firstRevision: revision,
        calendar: alwaysWorkingCalendar(now),
        // One working day is 24 h on this calendar: 0.00003 of it is about 2.6 s.
        reviewReminderWorkingDays: 0.00003,
        reviewEscalationWorkingDays: 0.00006,
        emergencyReviewWorkingDays: 0.00003,
      } as ChangeInput;
      const handle = await p.temporal.workflow.start(CHANGE_WORKFLOW_TYPE, { workflowId, taskQueue: p.config.taskQueue, args: [input] });
      await handle.executeUpdate(changeOpenedUpdate);
      await waitUntil('the review escalation', async () => (await p.ds.query(`SELECT 1 FROM change_events WHERE change_id = $1 AND action = 'review_escalated'`, [changeId])).length > 0, 60_000);
      await handle.executeUpdate(changeCommandUpdate, { args: [{ action: 'cancel', actor: submittedBy, reason: '撤回' } as never] });
      await finished(handle);
      return { 'change/review-clock': workflowId };
    },
  },
  {
    // Through the API: a schema-changing request waits for its linked change; delivered; still running (acceptance later).
    name: 'modification/linked-change',
    produces: ['modification/linked-change'],
    async run(ctx) {
      const { p, people: u } = ctx;
      const m = must(
        await p.call('POST', '/modifications', u.dispatcher.token, { systemId: 'SYS-11', type: 'interface', title: '影像号同步到 HIS', description: '检查登记后回写影像号', department: '放射科' }),
        201,
      );
      const c = await changeByApi(ctx, { reason: m.number });
      const call = (action: string, token: string, body: Record<string, unknown> = {}) => p.call('POST', `/modifications/${m.number}/${action}`, token, body).then((r) => must(r, 200));
      await call('assess', u.engineer.token, { feasible: true, effortDays: 3, schemaChange: true, linkedChange: c.number });
      await call('approve-scope', u.itManager.token, { comment: '同意范围' });
      await c.call('review', u.reviewer.token, { decision: 'approve' });
      await call('deliver', u.engineer.token, { note: '已上线' });
      const [row] = await p.ds.query(`SELECT workflow_id FROM modifications WHERE number = $1`, [m.number]);
      await c.call('cancel', u.engineer.token, { reason: '演练结束' });
      return { 'modification/linked-change': row.workflow_id };
    },
  },
  {
    // Shrunk: delivery warning and breach, assessment, scope, go-live, acceptance, the end of free maintenance.
    name: 'modification/full-path',
    produces: ['modification/full-path'],
    async run(ctx) {
      const { p, people: u } = ctx;
      const [system] = await p.ds.query(`SELECT id, display_name FROM business_systems WHERE code = 'SYS-22'`);
      const id = randomUUID();
      const now = Date.now();
      const input: ModificationInput = {
        modificationId: id,
        number: `MOD-HIST-${id.slice(0, 6).toUpperCase()}`,
        systemId: system.id,
        systemName: system.display_name,
        type: 'improvement',
        title: '报表增加科室筛选',
        description: 'd',
        department: '输血科',
        submittedBy: { id: u.dispatcher.id, name: u.dispatcher.name },
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
        [id, input.number, workflowId, system.id, u.dispatcher.id],
      );
      const handle = await p.temporal.workflow.start(MODIFICATION_WORKFLOW_TYPE, { workflowId, taskQueue: p.config.taskQueue, args: [input] });
      await handle.executeUpdate(modificationOpenedUpdate);
      await waitUntil('the delivery breach', async () => (await p.ds.query(`SELECT 1 FROM modification_events WHERE modification_id = $1 AND type = 'delivery_breached'`, [id])).length > 0);
      const actor = { id: u.engineer.id, name: u.engineer.name, roles: ['admin'] };
      const act = (c: Record<string, unknown>) => handle.executeUpdate(modificationCommandUpdate, { args: [{ ...c, actor } as unknown as ModificationCommand] });
      await act({ action: 'assess', feasible: true, effortDays: 1, schemaChange: false, linkedChangeId: null, note: null });
      await act({ action: 'approve_scope', comment: null });
      await act({ action: 'deliver', note: null, linkedChangeApproved: false });
      // 0.00001 of a 24-hour working day is 864 ms after go-live.
      await new Promise((r) => setTimeout(r, 1200));
      await act({ action: 'request_acceptance', note: null });
      await act({ action: 'accept', comment: '验收通过' });
      await finished(handle);
      return { 'modification/full-path': workflowId };
    },
  },
  ...JOB_CASES,
  {
    // Through the API (S15): a pushing platform's fault report becomes an incident, its progress goes back signed,
    // a comment comes in; the integration's long-running poller is stopped by hand at the end.
    name: 'pm-integration/webhook',
    produces: ['pm-integration/webhook'],
    async run(ctx) {
      const { p, people: u } = ctx;
      const secret = 'histories-pm-secret-0123456789';
      const integration = must(
        await p.call('POST', '/integrations', u.itManager.token, {
          name: '禅道（录制）',
          kind: 'webhook',
          webhook: { progressUrl: `${ctx.receiverBase}/pm-progress`, secret },
          mapping: {
            trackers: { fault: ['缺陷'], requirement: ['需求'] },
            system: { field: null, default: 'SYS-11' },
            department: { field: null, default: '信息科' },
            priorities: { map: {}, default: 'P3' },
            modificationType: 'improvement',
            numberField: null,
            outbound: { incident: { reported: '待处理', acknowledged: '处理中' }, modification: {} },
            inbound: { incident: { 已取消: 'cancel' }, modification: {} },
          },
          pollIntervalSeconds: 2,
        }),
        201,
      );
      let n = 0;
      const push = async (extra: Record<string, unknown>) => {
        const raw = JSON.stringify({
          eventId: `hist-${++n}`,
          sentAt: iso(Date.now()),
          item: { id: 'BUG-1', type: '缺陷', title: 'PACS 影像无法调阅', status: '激活', author: { id: 'u1', name: '李护士长' }, updatedAt: iso(Date.now()) },
          ...extra,
        });
        const res = await fetch(`${p.baseUrl}/integrations/${integration.id}/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-wardline-signature': pmSignature(raw, secret) },
          body: raw,
        });
        if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
      };
      const view = async () => must(await p.call('GET', `/integrations/${integration.id}`, u.itManager.token), 200);
      await push({});
      const item = await waitUntil('the linked incident', async () => (await view()).items.find((i: any) => i.syncState === 'synced'));
      must(await p.call('POST', `/incidents/${item.record.number}/acknowledge`, u.engineer.token, {}), 200);
      await push({ actor: { id: 'u2', name: '放射科主任' }, comment: { text: '急诊也打不开' } });
      await waitUntil('the acknowledgement posted back', async () => {
        const v = await view();
        return v.backlog.outbound.pending === 0 && v.items[0].syncState === 'synced' && ctx.received.some((t) => t.includes(`${item.record.number}:2`));
      });
      const handle = p.temporal.workflow.getHandle(integration.workflow.id);
      await handle.terminate('histories recorded');
      return { 'pm-integration/webhook': integration.workflow.id };
    },
  },
  ...MONITORING_CASES,
  ...INSPECTION_CASES,
  ...EVIDENCE_CASES,
  ...SERVICE_CASES,
];
