import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { IncidentCommand, IncidentView } from '../domain/incident-process';

/** Messages the API sends to an incident workflow; both sides import these (STYLE.md). */
export const incidentCommandUpdate = defineUpdate<IncidentView, [IncidentCommand]>('incidentCommand');
/** Resolves once the opening has been projected, so the API can answer 201 with a readable record. */
export const incidentOpenedUpdate = defineUpdate<IncidentView, []>('incidentOpened');
export const incidentViewQuery = defineQuery<IncidentView>('incidentView');

export const INCIDENT_WORKFLOW_TYPE = 'incidentWorkflow';

/** Readable, and unique even when several databases share one Temporal namespace (numbers restart per database). */
export function incidentWorkflowId(number: string, incidentId: string): string {
  return `incident-${number}-${incidentId.slice(0, 8)}`;
}
