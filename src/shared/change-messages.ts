import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ChangeCommand, ChangeView } from '../domain/change-process';

export const changeCommandUpdate = defineUpdate<ChangeView, [ChangeCommand]>('changeCommand');
export const changeOpenedUpdate = defineUpdate<ChangeView, []>('changeOpened');
export const changeViewQuery = defineQuery<ChangeView>('changeView');
export const CHANGE_WORKFLOW_TYPE = 'changeWorkflow';

export function changeWorkflowId(number: string, changeId: string): string {
  return `change-${number}-${changeId.slice(0, 8)}`;
}
