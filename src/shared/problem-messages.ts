import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ProblemCommand, ProblemView } from '../domain/problems/problem';

/** Messages the API (and the outbox dispatcher) send to a problem workflow; both sides import these (STYLE.md). */
export const problemCommandUpdate = defineUpdate<ProblemView, [ProblemCommand]>('problemCommand');
export const problemViewQuery = defineQuery<ProblemView>('problemView');
export const PROBLEM_WORKFLOW_TYPE = 'problemWorkflow';
export const PROBLEM_COMMAND_UPDATE = 'problemCommand';

export function problemWorkflowId(number: string, id: string): string {
  return `problem-${number}-${id.slice(0, 8)}`;
}
