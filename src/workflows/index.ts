export { incidentWorkflow } from './incident.workflow';
export { escalationWorkflow } from './escalation.workflow';
export { robotOutboxWorkflow } from './robot-outbox.workflow';
