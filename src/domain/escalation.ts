import { invalidInput } from './errors';
import type { Priority } from './priority';

/**
 * S7: when the onsite team cannot fix a system, its original vendor is pulled in, level by level:
 * L1 support, then L2 experts with the hospital's IT manager, then L3 executives.
 */
export const ESCALATION_LEVELS = [1, 2, 3] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

export const ESCALATION_TRIGGERS = ['repair_share', 'not_acknowledged', 'manual'] as const;
export type EscalationTrigger = (typeof ESCALATION_TRIGGERS)[number];

export type EscalationStatus =
  | 'awaiting_ack'
  | 'acknowledged'
  | 'vendor_on_site'
  | 'exhausted'
  | 'no_contacts'
  | 'resolved';

export const VENDOR_PROGRESS = ['arrived', 'remote_session', 'resolved'] as const;
export type VendorProgress = (typeof VENDOR_PROGRESS)[number];

export interface EscalationPolicy {
  /** Share of the repair budget after which the vendor is called in by itself. */
  repairShare: Record<Priority, number>;
  /** How long each level has to acknowledge before the next is called. */
  ackTimeoutMinutes: [number, number, number];
  /** How long a one-time acknowledgement link works. */
  linkTtlMinutes: number;
}

/** Defaults from the issue: 50 % of the repair budget for P1/P2, 75 % otherwise. */
export const DEFAULT_ESCALATION_POLICY: EscalationPolicy = {
  repairShare: { P1: 0.5, P2: 0.5, P3: 0.75, P4: 0.75 },
  ackTimeoutMinutes: [30, 30, 60],
  linkTtlMinutes: 24 * 60,
};

export function validateEscalationPolicy(p: EscalationPolicy): EscalationPolicy {
  for (const [priority, share] of Object.entries(p.repairShare ?? {})) {
    if (typeof share !== 'number' || !(share > 0 && share <= 1)) throw invalidInput(`escalation.repairShare.${priority}`, 'must be in (0, 1]');
  }
  if (!Array.isArray(p.ackTimeoutMinutes) || p.ackTimeoutMinutes.length !== 3) {
    throw invalidInput('escalation.ackTimeoutMinutes', 'must list three durations, one per level');
  }
  p.ackTimeoutMinutes.forEach((m, i) => {
    if (typeof m !== 'number' || !(m > 0)) throw invalidInput(`escalation.ackTimeoutMinutes[${i}]`, 'must be a positive number');
  });
  if (typeof p.linkTtlMinutes !== 'number' || !(p.linkTtlMinutes > 0)) throw invalidInput('escalation.linkTtlMinutes', 'must be a positive number');
  return p;
}

export interface EscalationContact {
  id: string;
  name: string;
  level: EscalationLevel;
}

/** The levels that have someone to call, in order; empty levels are skipped rather than waited on. */
export function levelsToCall(contacts: readonly EscalationContact[]): EscalationLevel[] {
  return ESCALATION_LEVELS.filter((l) => contacts.some((c) => c.level === l));
}
