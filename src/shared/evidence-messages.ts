import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PackDecision, PackState } from '../domain/evidence/acceptance';
import type { MonthlyReportState, PlanEdit, ReportActor } from '../domain/evidence/monthly-report';

/** S17 acceptance packs: the workflow builds one, then waits for the hospital's decision. */
export interface AcceptancePackInput {
  packId: string;
  number: string;
}

export const ACCEPTANCE_PACK_WORKFLOW_TYPE = 'acceptancePackWorkflow';
export const acceptancePackWorkflowId = (number: string) => `acceptance-pack-${number}`;
export const acceptancePackStateQuery = defineQuery<PackState>('acceptancePackState');
export const acceptancePackDecisionUpdate = defineUpdate<PackState, [PackDecision]>('acceptancePackDecision');

/** S8 monthly service reports: one workflow per month drafts, takes the improvement plan, and publishes. */
export interface MonthlyReportInput {
  month: string;
  trigger: 'schedule' | 'on_demand';
  requestedBy: { id: string | null; name: string };
}

export interface MonthlyReportProgress {
  state: MonthlyReportState;
  plan: string | null;
  edits: PlanEdit[];
}

export interface PlanCommand {
  text: string;
  actor: ReportActor;
}

export const MONTHLY_REPORT_WORKFLOW_TYPE = 'monthlyReportWorkflow';
export const MONTHLY_REPORT_SCHEDULE_WORKFLOW_TYPE = 'monthlyReportScheduleWorkflow';
export const monthlyReportWorkflowId = (month: string) => `monthly-report-${month}`;
export const monthlyReportProgressQuery = defineQuery<MonthlyReportProgress>('monthlyReportProgress');
export const monthlyReportPlanUpdate = defineUpdate<MonthlyReportProgress, [PlanCommand]>('monthlyReportPlan');
export const monthlyReportPublishUpdate = defineUpdate<MonthlyReportProgress, [{ actor: ReportActor }]>('monthlyReportPublish');

/** The schedule's run: `at` only in tests (the instant to judge "first working day" at); the schedule passes none. */
export interface MonthlyReportScheduleInput {
  at?: number;
}
