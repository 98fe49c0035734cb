import { defineQuery } from '@temporalio/workflow';
import type { Profile } from '../domain/inspection/catalogue';

/** What an inspection covers (P4): a business system's dependency tree, every item of a type, or everything. */
export type InspectionScope = { system: string } | { itemType: string } | { all: true };

export interface InspectionWorkflowInput {
  profile: Profile;
  scope: InspectionScope;
  trigger: 'on_demand' | 'schedule';
  requestedBy: { id: string | null; name: string };
  /** Items inspected at once. */
  parallelism: number;
  connectTimeoutMs: number;
  /** Each command or query's own limit. */
  queryTimeoutMs: number;
  /** Set by the API for an on-demand run (the row exists already); a scheduled run makes its own. */
  inspectionId?: string;
}

export interface InspectionProgress {
  inspectionId: string | null;
  phase: 'preparing' | 'collecting' | 'scoring' | 'reporting' | 'done' | 'failed';
  total: number;
  done: number;
  findings: number;
}

export const inspectionProgressQuery = defineQuery<InspectionProgress>('inspectionProgress');
export const INSPECTION_WORKFLOW_TYPE = 'inspectionWorkflow';
export const inspectionWorkflowId = (number: string) => `inspection-${number}`;

/** An item's activity may run every check: connect, then each query or command within its limit, plus slack. */
export function itemActivityTimeoutMs(connectTimeoutMs: number, queryTimeoutMs: number, checks = 30): number {
  return 2 * connectTimeoutMs + checks * (queryTimeoutMs + connectTimeoutMs) + 60_000;
}
