import { ApplicationFailure } from '@temporalio/workflow';
import { DomainError } from '../domain/errors';

/** Domain errors leave a workflow as non-retryable failures typed by their code; the API maps them to 409/403/400. */
export function rethrowAsFailure(err: unknown): never {
  if (err instanceof DomainError) {
    throw ApplicationFailure.create({ type: err.code, message: err.message, details: [err.details], nonRetryable: true });
  }
  throw err;
}

/** Projection activities: short, and retried until the database answers. */
export const PROJECTION_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
} as const;
