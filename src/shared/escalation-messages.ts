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
  /** The requester's own words for a manual escalation; empty when the system escalated (trigger and share say why). */
  reason: string;
  /** The repair share that was passed, for `repair_share` (absent in escalations started before issue 9). */
  share?: number | null;
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
  /** The repair share an automatic escalation passed (its reason is rendered from trigger and share). */
  share?: number | null;
  startedAt: number;
  levelStartedAt: number | null;
  acknowledgement: (VendorAcknowledgement & { at: number }) | null;
  arrivedAt: number | null;
  endedAt: number | null;
  /** Vendor events as codes: `note` is a person's words (or, before issue 9, the system's English); `data` the facts. */
  history: { at: number; type: string; note: string | null; data?: Record<string, unknown> }[];
}

export const escalationAcknowledgeUpdate = defineUpdate<EscalationView, [VendorAcknowledgement]>('escalationAcknowledge');
export const escalationProgressUpdate = defineUpdate<EscalationView, [{ kind: VendorProgress; by: Actor; note?: string }]>('escalationProgress');
export const escalationViewQuery = defineQuery<EscalationView>('escalationView');
/** The incident tells its escalation that the fault is resolved (or the incident cancelled). */
export const incidentSettledSignal = defineSignal<[{ outcome: 'resolved' | 'cancelled' }]>('incidentSettled');
/** The escalation reports vendor progress back into the incident's timeline. */
export const vendorEventSignal = defineSignal<[VendorEvent]>('vendorEvent');

export const ESCALATION_WORKFLOW_TYPE = 'escalationWorkflow';
