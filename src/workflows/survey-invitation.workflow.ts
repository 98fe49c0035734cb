import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createSurveyActivities } from '../activities/survey.activities';
import { LOCAL_PROJECTION_OPTIONS } from './domain-failure';
import { SEND_DELIVERY_OPTIONS } from './notify';

const { sendSurveyInvitation } = proxyActivities<ReturnType<typeof createSurveyActivities>>({
  // The SMS adapter's timeout fits inside this one (test/adapter-timeouts.test.ts checks the delivery activity's).
  startToCloseTimeout: SEND_DELIVERY_OPTIONS.startToCloseTimeout,
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 6 },
});
const { recordSurveyInvitationFailure } = proxyLocalActivities<ReturnType<typeof createSurveyActivities>>(LOCAL_PROJECTION_OPTIONS);

/**
 * S8: the reporter gets the survey's one-time link by SMS once the hospital confirmed the fix. A gateway that keeps
 * failing leaves the survey marked `failed` (the desk still reads the link on the incident and passes it on).
 */
export async function surveyInvitationWorkflow(input: { surveyId: string }): Promise<void> {
  try {
    await sendSurveyInvitation(input);
  } catch (err) {
    await recordSurveyInvitationFailure({ surveyId: input.surveyId, reason: err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err) });
  }
}
