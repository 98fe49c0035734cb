import { ParentClosePolicy, executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createJobActivities } from '../activities/jobs.activities';
import { JOB_RUN_WORKFLOW_TYPE } from '../shared/job-messages';

const { startScheduledRun } = proxyActivities<ReturnType<typeof createJobActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/**
 * One firing of a daily-operations schedule (日常运维, P5): the run is made at this moment from the schedule's
 * request and runs as a child, so the schedule's overlap policy sees it as running until it ends.
 */
export async function scheduledJobWorkflow(input: { scheduleRowId: string }): Promise<string> {
  const firedAt = workflowInfo().startTime.getTime();
  const made = await startScheduledRun({ scheduleRowId: input.scheduleRowId, firedAt });
  if ('refused' in made) return `refused: ${made.refused}`;
  await executeChild(JOB_RUN_WORKFLOW_TYPE, { workflowId: made.workflowId, args: [made.input], parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL });
  return made.input.runId;
}
