import { randomUUID } from 'node:crypto';
import type { SupportInput } from '../../src/domain/support/support-request';
import { problemWorkflowId } from '../../src/shared/problem-messages';
import { SUPPORT_WORKFLOW_TYPE, supportWorkflowId } from '../../src/shared/support-messages';
import { surveyInvitationWorkflowId } from '../../src/shared/survey-messages';
import { waitUntil } from '../../test/support/workflow-input';
import type { FlowCase, FlowContext } from './flows';

/** S1, S6 and S8 flows: the survey invitation of a confirmed incident; problems (raised by hand and closed; proposed by recurrence, joined, rejected) and support requests. */

function must(res: { status: number; body: any }, status: number): any {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

async function resolvedIncident(ctx: FlowContext, system: string, title: string, cause: string): Promise<string> {
  const { p, people: u } = ctx;
  const opened = must(
    await p.call('POST', '/incidents', u.dispatcher.token, {
      systemId: system,
      title,
      description: `${title}：科室反映`,
      reporter: { name: '钱老师', department: '检验科', phone: '8301' },
      priority: 'P3',
      channel: 'phone',
      assigneeId: u.engineer.id,
    }),
    201,
  );
  must(await p.call('POST', `/incidents/${opened.number}/acknowledge`, u.engineer.token, {}), 200);
  must(await p.call('POST', `/incidents/${opened.number}/resolve`, u.engineer.token, { cause, fix: '重启服务', category: 'other' }), 200);
  return opened.number;
}

async function implementedChange(ctx: FlowContext, system: string): Promise<string> {
  const { p, people: u } = ctx;
  const iso = (ms: number) => new Date(ms).toISOString();
  const c = must(
    await p.call('POST', '/changes', u.engineer.token, {
      systemId: system,
      kind: 'normal',
      title: '调整连接池参数',
      reason: '问题单修复',
      dialect: 'postgresql',
      forwardScript: "UPDATE app.settings SET value = '200' WHERE name = 'pool_max';",
      rollbackScript: "UPDATE app.settings SET value = '50' WHERE name = 'pool_max';",
      objects: [{ type: 'data', name: 'app.settings', action: 'update' }],
      risk: 'low',
      window: { start: iso(Date.now() - 3_600_000), end: iso(Date.now() + 3_600_000) },
      implementerId: u.engineer.id,
    }),
    201,
  );
  for (const who of [u.reviewer, u.itManager]) {
    if ((await p.call('GET', `/changes/${c.number}`, u.dispatcher.token)).body.state !== 'in_review') break;
    must(await p.call('POST', `/changes/${c.number}/review`, who.token, { decision: 'approve', comment: '同意' }), 200);
  }
  must(await p.call('POST', `/changes/${c.number}/implement`, u.engineer.token, { revision: 1, evidence: '已执行' }), 200);
  return c.number;
}

const problemWorkflowOf = (body: { id: string; number: string }) => problemWorkflowId(body.number, body.id);

export const SERVICE_CASES: FlowCase[] = [
  {
    // The hospital confirms a fix: the reporter's survey invitation runs (no SMS gateway here, so the desk passes it on).
    name: 'survey-invitation/no-channel',
    produces: ['survey-invitation/no-channel'],
    async run(ctx) {
      const { p, people: u } = ctx;
      const n = await resolvedIncident(ctx, 'SYS-23', '医嘱打印乱码', `字体缺失 ${randomUUID().slice(0, 4)}`);
      must(await p.call('POST', `/incidents/${n}/confirm`, u.dispatcher.token, {}), 200);
      const [survey] = await p.ds.query(`SELECT v.id FROM satisfaction_surveys v JOIN incidents i ON i.id = v.incident_id WHERE i.number = $1`, [n]);
      const workflowId = surveyInvitationWorkflowId(survey.id);
      await waitUntil('the invitation started', async () => ((await p.ds.query(`SELECT 1 FROM workflow_outbox WHERE workflow_id = $1 AND state = 'done'`, [workflowId])).length ? true : null), 60_000);
      await p.temporal.workflow.getHandle(workflowId).result();
      return { 'survey-invitation/no-channel': workflowId };
    },
  },
  {
    // Raised by hand: root cause, workaround, fixed by an implemented change, closed.
    name: 'problem/closed',
    produces: ['problem/closed'],
    async run(ctx) {
      const { p, people: u } = ctx;
      const inc = await resolvedIncident(ctx, 'SYS-21', '接口偶发超时', '对端服务定时重启');
      const prb = must(await p.call('POST', '/problems', u.engineer.token, { systemId: 'SYS-21', title: '接口偶发超时', description: '近一月多次', incidents: [inc] }), 201);
      const act = async (who: string, action: string, body: unknown) => must(await p.call('POST', `/problems/${prb.number}/${action}`, who, body), 200);
      await act(u.engineer.token, 'root-cause', { rootCause: '对端每日 02:00 重启' });
      await act(u.engineer.token, 'workaround', { workaround: '避开 02:00 调用' });
      await act(u.engineer.token, 'changes', { change: await implementedChange(ctx, 'SYS-21') });
      await act(u.engineer.token, 'fixed', {});
      await act(u.pm.token, 'close', { note: '观察两周无复发' });
      await p.temporal.workflow.getHandle(problemWorkflowOf(prb)).result();
      return { 'problem/closed': problemWorkflowOf(prb) };
    },
  },
  {
    // Proposed by recurrence (the same cause twice), joined by a third incident through the outbox, then rejected.
    name: 'problem/recurrence-rejected',
    produces: ['problem/recurrence-rejected'],
    async run(ctx) {
      const { p, people: u } = ctx;
      const cause = `缓存服务内存溢出 ${randomUUID().slice(0, 4)}`;
      await resolvedIncident(ctx, 'SYS-22', '页面白屏', cause);
      await resolvedIncident(ctx, 'SYS-22', '登录缓慢', cause);
      const list = must(await p.call('GET', '/problems?state=proposed&systemId=SYS-22', u.dispatcher.token), 200);
      const prb = list.items[0];
      await resolvedIncident(ctx, 'SYS-22', '报表打不开', cause);
      await waitUntil('the third incident joined', async () => ((await p.call('GET', `/problems/${prb.number}`, u.dispatcher.token)).body.incidents.length === 3 ? true : null), 60_000);
      must(await p.call('POST', `/problems/${prb.number}/reject`, u.pm.token, { reason: '三次原因不同，仅描述相同' }), 200);
      await p.temporal.workflow.getHandle(problemWorkflowOf(prb)).result();
      return { 'problem/recurrence-rejected': problemWorkflowOf(prb) };
    },
  },
  {
    name: 'support-request/confirmed',
    produces: ['support-request/confirmed'],
    async run(ctx) {
      const { p, people: u } = ctx;
      const sr = must(
        await p.call('POST', '/support-requests', u.dispatcher.token, { systemId: 'SYS-11', type: 'report_export', title: '导出门诊量报表', description: '11 月', requester: { name: '孙主任', department: '医务处' } }),
        201,
      );
      const act = async (who: string, action: string, body: unknown) => must(await p.call('POST', `/support-requests/${sr.number}/${action}`, who, body), 200);
      await act(u.engineer.token, 'accept', {});
      await act(u.engineer.token, 'fulfil', { result: '已导出' });
      await act(u.dispatcher.token, 'reopen', { reason: '缺少急诊数据' });
      await act(u.engineer.token, 'fulfil', { result: '已补充急诊数据' });
      await act(u.dispatcher.token, 'confirm', {});
      await p.temporal.workflow.getHandle(supportWorkflowId(sr.number, sr.id)).result();
      return { 'support-request/confirmed': supportWorkflowId(sr.number, sr.id) };
    },
  },
  {
    // The clock shrunk to seconds (an input): the breach recorded by the timer, then cancelled.
    name: 'support-request/breached',
    produces: ['support-request/breached'],
    async run(ctx) {
      const { p, people: u } = ctx;
      const requestId = randomUUID();
      const number = `SR-HIST-${requestId.slice(0, 4).toUpperCase()}`;
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
        submittedBy: { id: u.dispatcher.id, name: '王调度' },
        dueAt: Date.now() + 2000,
        policy: { type: 'configuration', workingDays: 2, touchesData: false },
      };
      const workflowId = supportWorkflowId(number, requestId);
      await p.temporal.workflow.start(SUPPORT_WORKFLOW_TYPE, { workflowId, taskQueue: p.config.taskQueue, args: [input] });
      await waitUntil('the breach', async () => ((await p.call('GET', `/support-requests/${number}`, u.dispatcher.token)).body.breached ? true : null), 60_000);
      must(await p.call('POST', `/support-requests/${number}/cancel`, u.dispatcher.token, { reason: '需求方撤回' }), 200);
      await p.temporal.workflow.getHandle(workflowId).result();
      return { 'support-request/breached': workflowId };
    },
  },
  {
    // The support-clock-notices patch: accepted, warned at its warning point, breached (both told to the engineer
    // and the project manager), then cancelled. The clock shrunk to seconds (an input).
    name: 'support-request/warned-breached',
    produces: ['support-request/warned-breached'],
    async run(ctx) {
      const { p, people: u } = ctx;
      const requestId = randomUUID();
      const number = `SR-HIST-${requestId.slice(0, 4).toUpperCase()}`;
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
        submittedBy: { id: u.dispatcher.id, name: '王调度' },
        warnAt: t0 + 3000,
        dueAt: t0 + 6000,
        policy: { type: 'report_export', workingDays: 2, touchesData: false },
      };
      const workflowId = supportWorkflowId(number, requestId);
      await p.temporal.workflow.start(SUPPORT_WORKFLOW_TYPE, { workflowId, taskQueue: p.config.taskQueue, args: [input] });
      await waitUntil('on record', async () => ((await p.call('GET', `/support-requests/${number}`, u.dispatcher.token)).status === 200 ? true : null), 60_000);
      must(await p.call('POST', `/support-requests/${number}/accept`, u.engineer.token, {}), 200);
      await waitUntil('the breach', async () => ((await p.call('GET', `/support-requests/${number}`, u.dispatcher.token)).body.breached ? true : null), 60_000);
      await waitUntil(
        'both notices sent',
        async () => ((await p.ds.query(`SELECT 1 FROM notification_deliveries WHERE title LIKE $1`, [`%${number}%`])).length >= 4 ? true : null),
        60_000,
      );
      must(await p.call('POST', `/support-requests/${number}/cancel`, u.dispatcher.token, { reason: '需求方撤回' }), 200);
      await p.temporal.workflow.getHandle(workflowId).result();
      return { 'support-request/warned-breached': workflowId };
    },
  },
];
