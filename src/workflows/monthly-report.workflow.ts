import { ParentClosePolicy, allHandlersFinished, condition, proxyActivities, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { createEvidenceActivities } from '../activities/evidence/evidence.activities';
import { MonthlyReportState, PlanEdit, validatePlanEdit, validatePublish } from '../domain/evidence/monthly-report';
import { DomainError, DomainErrorCode } from '../domain/errors';
import {
  MonthlyReportInput,
  MonthlyReportProgress,
  MonthlyReportScheduleInput,
  monthlyReportPlanUpdate,
  monthlyReportProgressQuery,
  monthlyReportPublishUpdate,
  monthlyReportWorkflowId,
} from '../shared/evidence-messages';
import { PROJECTION_ACTIVITY_OPTIONS, asFailure } from './domain-failure';
import { notifyAll } from './notify';

type Acts = ReturnType<typeof createEvidenceActivities>;
const { openMonthlyReport, saveImprovementPlan, failMonthlyReport, monthToReport } = proxyActivities<Acts>(PROJECTION_ACTIVITY_OPTIONS);
// Chromium draws the report; a stuck browser is retried, a report that cannot be drawn is marked failed.
const { renderMonthlyReport, publishMonthlyReport } = proxyActivities<Acts>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

/**
 * One month's service report (S8): drafted from the month's data, then the project manager and the quality manager
 * each edit the improvement plan (every edit draws the report again), then either publishes it and the IT department
 * is told through the notification channels. Edits and publishing are Updates whose validators hold the rules
 * (src/domain/evidence/monthly-report.ts); each answers after the database has the result.
 */
export async function monthlyReportWorkflow(input: MonthlyReportInput): Promise<MonthlyReportState> {
  let state: MonthlyReportState = 'drafting';
  let plan: string | null = null;
  let edits: PlanEdit[] = [];
  let busy = false;
  let publishedBy: { id: string; name: string } | null = null;
  let headline: Awaited<ReturnType<Acts['publishMonthlyReport']>> | null = null;
  let reportId = '';
  const progress = (): MonthlyReportProgress => ({ state, plan, edits });
  const notBusy = () => {
    if (busy) throw new DomainError(DomainErrorCode.IllegalTransition, 'the report is being drawn: try again in a moment', { state }, '报告正在生成，请稍后再试');
  };
  setHandler(monthlyReportProgressQuery, progress);
  setHandler(
    monthlyReportPlanUpdate,
    async ({ text, actor }) => {
      busy = true;
      try {
        const edit: PlanEdit = { by: { id: actor.id, name: actor.name }, as: validatePlanEdit(state, actor, text), at: Date.now() };
        await saveImprovementPlan({ reportId, text, edit });
        plan = text;
        edits = [...edits, edit];
        await renderMonthlyReport({ reportId });
      } finally {
        busy = false;
      }
      return progress();
    },
    { validator: ({ text, actor }) => asFailure(() => (notBusy(), validatePlanEdit(state, actor, text))) },
  );
  setHandler(
    monthlyReportPublishUpdate,
    async ({ actor }) => {
      busy = true;
      state = 'published';
      publishedBy = { id: actor.id, name: actor.name };
      try {
        headline = await publishMonthlyReport({ reportId, by: publishedBy, at: Date.now() });
      } finally {
        busy = false;
      }
      return progress();
    },
    { validator: ({ actor }) => asFailure(() => (notBusy(), validatePublish(state, actor, plan, edits))) },
  );

  const opened = await openMonthlyReport({ month: input.month, trigger: input.trigger, requestedBy: input.requestedBy.name });
  reportId = opened.reportId;
  plan = opened.plan;
  edits = opened.edits;
  try {
    await renderMonthlyReport({ reportId });
  } catch (err) {
    state = 'failed';
    await failMonthlyReport({ reportId, error: (err as Error).message });
    return state;
  }
  state = 'draft';
  await condition(() => headline !== null && !busy && allHandlersFinished());
  await notifyAll({
    processId: workflowInfo().workflowId,
    step: 'published',
    incidentId: null,
    recipients: [{ kind: 'role', role: 'it_manager' }],
    subject: { kind: 'monthly_report_published', ...headline!, publishedBy: publishedBy!.name, link: `/monthly-reports/${input.month}/pdf` },
    urgent: false,
  });
  return state;
}

/**
 * The Temporal Schedule's run (daily in the first half of each month): on the month's first working day by the China
 * calendar it starts the previous month's report workflow, once per month (its id is the month); on other days it
 * does nothing. The report's workflow outlives this run.
 */
export async function monthlyReportScheduleWorkflow(input: MonthlyReportScheduleInput = {}): Promise<string | null> {
  const month = await monthToReport({ at: input.at });
  if (!month) return null;
  try {
    await startChild(monthlyReportWorkflow, {
      workflowId: monthlyReportWorkflowId(month),
      args: [{ month, trigger: 'schedule', requestedBy: { id: null, name: '月度报告计划 / monthly schedule' } }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  } catch (err) {
    // Someone asked for that month's report already: it is there, nothing to start.
    // (@temporalio/workflow does not export the error's class; its name is its contract.)
    if ((err as Error)?.name !== 'WorkflowExecutionAlreadyStartedError') throw err;
  }
  return month;
}
