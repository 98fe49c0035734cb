/** The workflow that sends a survey's link to the reporter (S8); started by the outbox the confirmation fills. */
export const SURVEY_INVITATION_WORKFLOW_TYPE = 'surveyInvitationWorkflow';

export function surveyInvitationWorkflowId(surveyId: string): string {
  return `survey-invitation-${surveyId}`;
}
