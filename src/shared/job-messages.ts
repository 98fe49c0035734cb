import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { RunCommand, RunView } from '../domain/jobs/job-run';

export const jobRunCommandUpdate = defineUpdate<RunView, [RunCommand]>('jobRunCommand');
export const jobRunViewQuery = defineQuery<RunView>('jobRunView');
export const JOB_RUN_WORKFLOW_TYPE = 'jobRunWorkflow';
export const PATCH_RUN_WORKFLOW_TYPE = 'patchRunWorkflow';
export const SCHEDULED_JOB_WORKFLOW_TYPE = 'scheduledJobWorkflow';

export function jobRunWorkflowId(number: string, runId: string): string {
  return `job-${number}-${runId.slice(0, 8)}`;
}

/** Activity timeouts stay above the adapter's own: connect (per hop, two hops at most) plus the command, plus slack. */
export function hostActivityTimeoutMs(connectTimeoutMs: number, commandTimeoutMs: number): number {
  return 2 * connectTimeoutMs + commandTimeoutMs + 30_000;
}
