import { defineQuery, defineSignal } from '@temporalio/workflow';

/** Messages to an integration's workflow (S15); the API and the workflow import these. */
export const PM_INTEGRATION_WORKFLOW_TYPE = 'pmIntegrationWorkflow';

/** Poll now: a webhook platform pushed an event, or someone asked. */
export const pmPollNowSignal = defineSignal<[]>('pmPollNow');

export interface PmIntegrationStatus {
  cursor: Record<string, string | number | null> | null;
  rounds: number;
  lastError: string | null;
}
export const pmStatusQuery = defineQuery<PmIntegrationStatus>('pmStatus');

export function pmIntegrationWorkflowId(integrationId: string): string {
  return `pm-integration-${integrationId}`;
}

export interface PmIntegrationInput {
  integrationId: string;
  cursor: Record<string, string | number | null> | null;
  /** How long between polls when nothing is waiting; tests shrink it. */
  pollIntervalMs: number;
  /** Retries of one delivery within a round; a platform still down is tried again next round, so nothing is lost. */
  delivery: { initialIntervalMs: number; maximumIntervalMs: number; maximumAttempts: number };
  /** Rounds before the workflow continues as new, to keep its history short. */
  roundsPerRun?: number;
}

/** Failure types of a delivery: waiting may help (the platform is down), or it will not (refused, bad key). */
export const PM_UNAVAILABLE = 'PM_UNAVAILABLE';
export const PM_REJECTED = 'PM_REJECTED';
