import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ModificationCommand, ModificationView } from '../domain/modification';

export const modificationCommandUpdate = defineUpdate<ModificationView, [ModificationCommand]>('modificationCommand');
export const modificationOpenedUpdate = defineUpdate<ModificationView, []>('modificationOpened');
export const modificationViewQuery = defineQuery<ModificationView>('modificationView');
export const MODIFICATION_WORKFLOW_TYPE = 'modificationWorkflow';

export function modificationWorkflowId(number: string, id: string): string {
  return `modification-${number}-${id.slice(0, 8)}`;
}
