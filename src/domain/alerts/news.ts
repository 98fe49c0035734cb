import type { Priority } from '../sla-policy';
import { Severity } from './alert';

/** One alert as its incident's timeline shows it. */
export interface AlertNote {
  alertId: string;
  fingerprint: string;
  alertname: string;
  summary: string;
  severity: Severity;
  startsAt: number;
  endsAt: number | null;
}

/**
 * What changed in an incident's alert group (P3), told to its workflow in order. The incident decides what it means:
 * new alerts are timeline entries; the whole group resolving before anyone acknowledged marks it recovered (awaiting
 * a dispatcher); firing again reopens it (flapping).
 */
export interface AlertGroupNews {
  groupId: string;
  at: number;
  fired: AlertNote[];
  resolved: AlertNote[];
  /** No alert of the group fires any more. */
  allResolved: boolean;
  /**
   * The group's worst firing severity now asks for a more pressing priority than it did (P3, S10): the incident's
   * priority rises to `to` unless it is already there or higher. Never lowers it. Absent in news from before.
   */
  raisePriority?: { to: Priority; severity: Severity };
}
