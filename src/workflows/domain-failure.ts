import { ApplicationFailure } from '@temporalio/workflow';
import { DomainError } from '../domain/errors';

/** Domain errors leave a workflow as non-retryable failures typed by their code; the API maps them to 409/403/400. */
function rethrowAsFailure(err: unknown): never {
  if (err instanceof DomainError) {
    throw ApplicationFailure.create({ type: err.code, message: err.message, details: [err.details], nonRetryable: true });
  }
  throw err;
}

/** Runs a domain rule; its DomainError leaves the workflow as that typed failure (for Update validators and handlers). */
export function asFailure<T>(rule: () => T): T {
  try {
    return rule();
  } catch (err) {
    rethrowAsFailure(err);
  }
}

/** Projection activities: short, and retried until the database answers. */
export const PROJECTION_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
} as const;

/**
 * Issue 10: projections and notification planning run as local activities (markers inside the workflow task that needs
 * them, instead of three events and a workflow task each). One patch id for both, so a workflow records one marker
 * (and one TemporalChangeVersion search-attribute upsert) for the change, not two.
 */
export const LOCAL_ACTIVITIES_PATCH = 'local-activities';

/**
 * The same writes as local activities: run by the worker inside the workflow task. Past a minute of retries the SDK
 * backs off with timers, so a database outage does not hold the workflow task.
 */
export const LOCAL_PROJECTION_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
} as const;
