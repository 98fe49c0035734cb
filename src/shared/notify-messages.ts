import { defineSignal } from '@temporalio/workflow';
import type { EscalationLevel, EscalationTrigger } from '../domain/escalation';
import type { IncidentView } from '../domain/incident-process';
import type { ClockKind } from '../domain/sla-policy';

/** Outbound channels, and in_app: the record every person can read in Wardline and the last fallback. */
export type DeliveryChannel = 'in_app' | 'email' | 'wecom' | 'dingtalk' | 'sms' | 'webhook';

export type RecipientRef = { kind: 'user'; id: string } | { kind: 'role'; role: string } | { kind: 'contact'; id: string };

/** What happened, as facts; the activity picks the template and renders it in the reader's language. */
export type NotifySubject =
  | { kind: 'incident_opened' | 'incident_assigned'; view: IncidentView; systemName: string }
  | { kind: 'incident_resolved' | 'incident_reopened'; view: IncidentView; systemName: string; reason: string | null }
  /** P3: every alert of an alert-opened incident cleared before anyone acknowledged it; a dispatcher confirms. */
  | { kind: 'incident_recovered'; view: IncidentView; systemName: string; alerts: string }
  | { kind: 'sla_warning' | 'sla_breached'; view: IncidentView; systemName: string; clock: ClockKind; fraction?: number; deadline: number }
  | {
      kind:
        | 'escalated_to_vendor'
        | 'vendor_acknowledged'
        | 'vendor_on_site'
        | 'vendor_promise_missed'
        | 'escalation_resolved'
        | 'escalation_cancelled'
        | 'escalation_no_contacts';
      escalationId: string;
      incidentNumber: string;
      systemName: string;
      title: string;
      level: EscalationLevel | 0;
      /** The requester's words (manual); the text of an automatic reason is rendered from trigger and share. */
      reason: string;
      trigger?: EscalationTrigger;
      share?: number | null;
      /** For escalation_no_contacts: why nobody could be called. */
      noContacts?: { code: 'no_vendor' | 'no_active_contacts'; vendorName: string | null };
      levelStartedAt: number | null;
      linkTtlMinutes: number;
      acknowledgedBy?: string;
      promisedOnSiteAt?: number | null;
      arrivedBy?: string;
      arrivedAt?: number | null;
    }
  | ChangeNotice
  | ModificationNotice
  | MonthlyReportNotice
  | ProblemProposedNotice
  | SupportClockNotice
  | ContactUnreachableNotice;

/** S1: recurring faults proposed a problem record; the managers who accept or reject it hear of it. */
export type ProblemProposedNotice = {
  kind: 'problem_proposed';
  number: string;
  systemName: string;
  title: string;
  /** The recurrence that proposed it, in words (the detector's summary). */
  summary: string;
  incidents: string[];
};

/** S6: a support request's clock is running out (warning) or ran out (breach); to its assignee and the PM. */
export type SupportClockNotice = {
  kind: 'support_warning' | 'support_breached';
  number: string;
  systemName: string;
  title: string;
  /** The request's type (SupportType); the activity words it in the reader's language. */
  type: string;
  dueAt: number;
  percent: number;
  assigneeName: string | null;
};

/** S8: a monthly service report was published; the IT department reads its headline figures and where to get it. */
export type MonthlyReportNotice = {
  kind: 'monthly_report_published';
  month: string;
  title: string;
  incidents: number;
  breaches: number;
  respondRate: string;
  publishedBy: string;
  link: string;
};

/** A vendor contact no channel reaches (issue 9): the project manager is told at once, with what was not delivered. */
export type ContactUnreachableNotice = {
  kind: 'contact_unreachable';
  contact: { id: string; label: string };
  /** Channels tried and failed, in order; empty when the contact has none configured. */
  tried: string[];
  original: Exclude<NotifySubject, ContactUnreachableNotice>;
};

export type ChangeNotice = {
  kind: 'change_review_requested' | 'change_review_reminder' | 'change_review_escalated' | 'change_review_decided';
  changeNumber: string;
  systemName: string;
  title: string;
  risk: string;
  revision: number;
  decision: string | null;
  comment: string | null;
  dueAt: number | null;
};

export type ModificationNotice = {
  kind: 'modification_delivery_warning' | 'modification_delivery_breached' | 'modification_maintenance_ending';
  modificationNumber: string;
  systemName: string;
  title: string;
  deadline: number | null;
  percent: number | null;
};

export interface NotifyRequest {
  /** The workflow that notifies, and a key unique within it (a timeline seq or a step name). */
  processId: string;
  step: string;
  incidentId: string | null;
  recipients: RecipientRef[];
  subject: NotifySubject;
  /** Breaches and escalations reach people even in their quiet hours. */
  urgent: boolean;
}

export interface PlannedDelivery {
  key: string;
  recipient: { kind: RecipientRef['kind']; id: string; label: string };
  /** In order of preference; in_app is always last, so nothing is dropped silently. */
  channels: DeliveryChannel[];
  /** Why outbound channels were left out (quiet hours), if they were. */
  suppressed: string | null;
}

/**
 * startToClose of the activities that call a notification channel. A channel's own timeout must end well before
 * (CHANNEL_TIMEOUT_LIMIT_MS): an adapter that outlives its activity leaves a delivery `unconfirmed`, with no
 * fallback, where it should have failed over to the next channel (issue 9).
 */
export const SEND_DELIVERY_TIMEOUT_MS = 20_000;
export const SEND_ROBOT_BATCH_TIMEOUT_MS = 20_000;
/** The activity's timeout less the database work and rendering around the provider call. */
export const CHANNEL_TIMEOUT_LIMIT_MS = 15_000;

/** A robot's outbox workflow: its pace, and what a continued run carries over. */
export interface RobotOutboxInput {
  channel: 'wecom' | 'dingtalk';
  ownerKind: 'user' | 'contact';
  ownerId: string;
  /** WeCom and DingTalk robots take 20 messages a minute. */
  limit: number;
  windowMs: number;
  pending?: string[];
  sentAt?: number[];
}

export const robotEnqueueSignal = defineSignal<[string]>('robotEnqueue');

export function robotOutboxWorkflowId(channel: 'wecom' | 'dingtalk', ownerKind: 'user' | 'contact', ownerId: string): string {
  return `robot-outbox-${channel}-${ownerKind}-${ownerId}`;
}

export const ROBOT_OUTBOX_WORKFLOW_TYPE = 'robotOutboxWorkflow';
