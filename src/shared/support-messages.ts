import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { SupportCommand, SupportView } from '../domain/support/support-request';

/** Messages the API sends to a support request's workflow; both sides import these (STYLE.md). */
export const supportCommandUpdate = defineUpdate<SupportView, [SupportCommand]>('supportCommand');
export const supportViewQuery = defineQuery<SupportView>('supportView');
export const SUPPORT_WORKFLOW_TYPE = 'supportRequestWorkflow';

export function supportWorkflowId(number: string, id: string): string {
  return `support-${number}-${id.slice(0, 8)}`;
}
