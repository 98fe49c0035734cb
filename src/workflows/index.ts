export { incidentWorkflow } from './incident.workflow';
export { escalationWorkflow } from './escalation.workflow';
export { robotOutboxWorkflow } from './robot-outbox.workflow';
export { changeWorkflow } from './change.workflow';
export { modificationWorkflow } from './modification.workflow';
export { jobRunWorkflow } from './job-run.workflow';
export { scheduledJobWorkflow } from './scheduled-job.workflow';
export { pmIntegrationWorkflow } from './pm-integration.workflow';
