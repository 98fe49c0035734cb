import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { EscalationLevel, EscalationPolicy, EscalationStatus, EscalationTrigger, VendorProgress } from '../domain/escalation';
import type { Actor, VendorEvent } from '../domain/incident-process';
import type { Priority } from '../domain/sla-policy';

export interface EscalationInput {
  escalationId: string;
  incidentId: string;
  incidentNumber: string;
  incidentWorkflowId: string;
  systemId: string;
  systemName: string;
  title: string;
  priority: Priority;
  trigger: EscalationTrigger;
  reason: string;
  requestedBy: Actor | null;
  assigneeId: string | null;
  policy: EscalationPolicy;
}

export interface VendorAcknowledgement {
  by: Actor;
  /** The vendor contact who answered, when known (a signed link names one; an API user may map to one). */
  contactId: string | null;
  via: 'api' | 'link';
  promisedOnSiteAt: number | null;
  note?: string;
}

export interface EscalationView {
  escalationId: string;
  workflowId: string;
  incidentId: string;
  status: EscalationStatus;
  level: EscalationLevel | 0;
  trigger: EscalationTrigger;
  reason: string;
  startedAt: number;
  levelStartedAt: number | null;
  acknowledgement: (VendorAcknowledgement & { at: number }) | null;
  arrivedAt: number | null;
  endedAt: number | null;
  history: { at: number; type: string; note: string | null }[];
}

export const escalationAcknowledgeUpdate = defineUpdate<EscalationView, [VendorAcknowledgement]>('escalationAcknowledge');
export const escalationProgressUpdate = defineUpdate<EscalationView, [{ kind: VendorProgress; by: Actor; note?: string }]>('escalationProgress');
export const escalationViewQuery = defineQuery<EscalationView>('escalationView');
/** The incident tells its escalation that the fault is resolved (or the incident cancelled). */
export const incidentSettledSignal = defineSignal<[{ outcome: 'resolved' | 'cancelled' }]>('incidentSettled');
/** The escalation reports vendor progress back into the incident's timeline. */
export const vendorEventSignal = defineSignal<[VendorEvent]>('vendorEvent');

export const ESCALATION_WORKFLOW_TYPE = 'escalationWorkflow';
