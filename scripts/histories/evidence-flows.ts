import { randomUUID } from 'node:crypto';
import { formatDayNumber, localDayNumber } from '../../src/domain/time';
import { MONTHLY_REPORT_SCHEDULE_WORKFLOW_TYPE, monthlyReportWorkflowId } from '../../src/shared/evidence-messages';
import type { TestUser } from '../../test/support/platform';
import { waitUntil } from '../../test/support/workflow-input';
import type { FlowCase, FlowContext } from './flows';

/** S17 and S8 flows: acceptance packs accepted and rejected, a monthly report published, the schedule's run. */

function must(res: { status: number; body: any }, status: number): any {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

let fixture: Promise<TestUser> | null = null;

/** A contract whose period holds today, and a quality manager (the shared people have none). */
function evidenceFixture(ctx: FlowContext): Promise<TestUser> {
  fixture ??= (async () => {
    const today = localDayNumber(Date.now(), 480);
    const startDate = `${formatDayNumber(today - 120).slice(0, 7)}-01`;
    must(await ctx.p.call('POST', '/contracts', ctx.people.itManager.token, { number: `HT-HIST-${randomUUID().slice(0, 6)}`, title: '运维服务合同', hospital: '市人民医院', vendor: '某信息公司', startDate }), 201);
    return ctx.p.user(['quality_manager'], '刘质量');
  })();
  return fixture;
}

async function builtPack(ctx: FlowContext): Promise<any> {
  const pack = must(await ctx.p.call('POST', '/acceptance-packs', ctx.people.pm.token, { scope: 'period' }), 201);
  await waitUntil('the pack built', async () => ((await ctx.p.call('GET', `/acceptance-packs/${pack.number}`, ctx.people.pm.token)).body.state === 'submitted' ? true : null), 180_000);
  return pack;
}

const workflowIdOfPack = (number: string) => `acceptance-pack-${number}`;

export const EVIDENCE_CASES: FlowCase[] = [
  {
    name: 'acceptance-pack/accepted',
    produces: ['acceptance-pack/accepted'],
    async run(ctx) {
      await evidenceFixture(ctx);
      const pack = await builtPack(ctx);
      must(await ctx.p.call('POST', `/acceptance-packs/${pack.number}/accept`, ctx.people.itManager.token, { note: '资料齐全' }), 200);
      await ctx.p.temporal.workflow.getHandle(workflowIdOfPack(pack.number)).result();
      return { 'acceptance-pack/accepted': workflowIdOfPack(pack.number) };
    },
  },
  {
    name: 'acceptance-pack/rejected',
    produces: ['acceptance-pack/rejected'],
    async run(ctx) {
      await evidenceFixture(ctx);
      const pack = await builtPack(ctx);
      must(await ctx.p.call('POST', `/acceptance-packs/${pack.number}/reject`, ctx.people.itManager.token, { note: '违约说明不全' }), 200);
      await ctx.p.temporal.workflow.getHandle(workflowIdOfPack(pack.number)).result();
      return { 'acceptance-pack/rejected': workflowIdOfPack(pack.number) };
    },
  },
  {
    // Through the API: drafted, the plan edited by both managers (a publish refused between), published, the IT manager told.
    name: 'monthly-report/published',
    produces: ['monthly-report/published'],
    async run(ctx) {
      const qm = await evidenceFixture(ctx);
      const { p, people } = ctx;
      const month = formatDayNumber(localDayNumber(Date.now(), 480) - 35).slice(0, 7);
      must(await p.call('POST', '/monthly-reports', people.pm.token, { month }), 201);
      await waitUntil('the draft', async () => ((await p.call('GET', `/monthly-reports/${month}`, people.pm.token)).body.state === 'draft' ? true : null), 180_000);
      must(await p.call('PUT', `/monthly-reports/${month}/improvement-plan`, people.pm.token, { text: '增加夜间二线值守。' }), 200);
      must(await p.call('POST', `/monthly-reports/${month}/publish`, people.pm.token, {}), 409);
      must(await p.call('PUT', `/monthly-reports/${month}/improvement-plan`, qm.token, { text: '增加夜间二线值守；每周抽查维护记录。' }), 200);
      must(await p.call('POST', `/monthly-reports/${month}/publish`, qm.token, {}), 200);
      await p.temporal.workflow.getHandle(monthlyReportWorkflowId(month)).result();
      return { 'monthly-report/published': monthlyReportWorkflowId(month) };
    },
  },
  {
    // As the Temporal Schedule runs it: on a first working day it starts that month's report; on other days nothing.
    name: 'monthly-report-schedule/first-working-day',
    produces: ['monthly-report-schedule/first-working-day', 'monthly-report-schedule/not-due'],
    async run(ctx) {
      const run = async (at: number) => {
        const workflowId = `wardline-monthly-report-run-${randomUUID()}`;
        await ctx.p.temporal.workflow.execute(MONTHLY_REPORT_SCHEDULE_WORKFLOW_TYPE, { workflowId, taskQueue: ctx.p.config.taskQueue, args: [{ at }] });
        return workflowId;
      };
      // 4 January 2026, a Sunday worked in lieu of 元旦: the first working day, so December 2025's report starts.
      const due = await run(Date.parse('2026-01-04T09:00:00+08:00'));
      const notDue = await run(Date.parse('2026-01-05T09:00:00+08:00'));
      return { 'monthly-report-schedule/first-working-day': due, 'monthly-report-schedule/not-due': notDue };
    },
  },
];
