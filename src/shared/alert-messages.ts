import { defineSignal } from '@temporalio/workflow';
import type { Severity } from '../domain/alerts/alert';

/** One alert as its incident's timeline shows it. */
export interface AlertBrief {
  alertId: string;
  fingerprint: string;
  alertname: string;
  summary: string;
  severity: Severity;
  startsAt: number;
  endsAt: number | null;
}

/**
 * What changed in an incident's alert group (P3), sent through the workflow outbox in order. The workflow decides
 * what it means for the incident: new alerts are timeline entries; the whole group resolving before anyone
 * acknowledged marks the incident recovered (awaiting a dispatcher); firing again reopens it (flapping).
 */
export interface AlertGroupChange {
  groupId: string;
  at: number;
  fired: AlertBrief[];
  resolved: AlertBrief[];
  /** No alert of the group fires any more. */
  allResolved: boolean;
}

export const alertGroupSignal = defineSignal<[AlertGroupChange]>('alertGroupChange');
