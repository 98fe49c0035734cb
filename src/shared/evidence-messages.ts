import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PackDecision, PackState } from '../domain/evidence/acceptance';

/** S17 acceptance packs: the workflow builds one, then waits for the hospital's decision. */
export interface AcceptancePackInput {
  packId: string;
  number: string;
}

export const ACCEPTANCE_PACK_WORKFLOW_TYPE = 'acceptancePackWorkflow';
export const acceptancePackWorkflowId = (number: string) => `acceptance-pack-${number}`;
export const acceptancePackStateQuery = defineQuery<PackState>('acceptancePackState');
export const acceptancePackDecisionUpdate = defineUpdate<PackState, [PackDecision]>('acceptancePackDecision');
