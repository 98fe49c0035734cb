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

/** The vendor contact a member of staff records something for: the record reads "recorded by X on behalf of Y". */
export interface OnBehalfOf {
  contactId: string;
  name: string;
}

export interface VendorAcknowledgement {
  /** Who acted: the vendor contact themselves, or the member of staff who recorded it for them (kept, never replaced). */
  by: Actor;
  /** The vendor contact whose acknowledgement this is; the validator refuses one that names none. */
  contactId: string | null;
  /** Set when `by` is staff recording the vendor's answer (a project manager on the phone with the vendor). */
  onBehalfOf?: OnBehalfOf | null;
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
  /** Vendor events as codes: `note` is a person's words (or, before issue 9, the system's English); `data` the facts. `by` is who acted, `onBehalfOf` the vendor contact they recorded it for. */
  history: { at: number; type: string; note: string | null; data?: Record<string, unknown>; by?: string | null; onBehalfOf?: OnBehalfOf | null }[];
}

/** Vendor progress: by the vendor's contact (contactId), or recorded by staff on the contact's behalf. */
export interface VendorProgressReport {
  kind: VendorProgress;
  by: Actor;
  contactId?: string | null;
  onBehalfOf?: OnBehalfOf | null;
  note?: string;
}

export const escalationAcknowledgeUpdate = defineUpdate<EscalationView, [VendorAcknowledgement]>('escalationAcknowledge');
export const escalationProgressUpdate = defineUpdate<EscalationView, [VendorProgressReport]>('escalationProgress');
export const escalationViewQuery = defineQuery<EscalationView>('escalationView');
/** The incident tells its escalation that the fault is resolved (or the incident cancelled). */
export const incidentSettledSignal = defineSignal<[{ outcome: 'resolved' | 'cancelled' }]>('incidentSettled');
/** The escalation reports vendor progress back into the incident's timeline. */
export const vendorEventSignal = defineSignal<[VendorEvent]>('vendorEvent');

export const ESCALATION_WORKFLOW_TYPE = 'escalationWorkflow';
