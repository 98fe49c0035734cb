import { AlertStatus } from './alert';

/**
 * One alert group is one incident (P3). What a batch of alerts does to its group: which alerts are new, repeated,
 * fired again or resolved, and whether the group's incident must be opened, told, or left alone. Repeats and retried
 * or replayed webhooks change counts and times only: they never open a second incident.
 */

/** The incident a group points at, as last projected; `opening` until its row exists. */
export type GroupIncidentState =
  | 'opening'
  | 'reported'
  | 'acknowledged'
  | 'on_site'
  | 'reopened'
  | 'recovered'
  | 'resolved'
  | 'confirmed'
  | 'closed'
  | 'cancelled';

export interface StoredAlert {
  fingerprint: string;
  status: AlertStatus;
  startsAt: number;
}

export interface GroupSnapshot {
  incident: { id: string; state: GroupIncidentState } | null;
  /** When every alert of the group last became resolved (null while any fires, or never). */
  allResolvedAt: number | null;
  alerts: StoredAlert[];
}

export interface IncomingAlert {
  fingerprint: string;
  status: AlertStatus;
  startsAt: number;
}

export type AlertChange =
  /** First seen firing (or firing again with a new start: a new occurrence). */
  | 'fired'
  /** The same firing alert again: Alertmanager's repeat, a retry, a replay. */
  | 'repeat'
  /** It stopped firing. */
  | 'resolved'
  /** A resolution of an alert Wardline never saw firing (it was down, or the alert predates it): kept as evidence. */
  | 'resolved_unseen'
  /** Older than what is stored (a retry that overtook a newer message): ignored. */
  | 'stale';

export type IncidentAction =
  /** Open an incident for the group (none, or the last one is over while the group fires). */
  | 'open'
  /** Tell the group's incident what changed (alerts attached or resolved; its workflow decides what that means). */
  | 'signal'
  | 'none';

export interface GroupDecision {
  changes: { fingerprint: string; change: AlertChange }[];
  incident: IncidentAction;
  /** Fingerprints that began firing (or fired again) and resolved, in this batch. */
  fired: string[];
  resolved: string[];
  /** After this batch no alert of the group fires. */
  allResolved: boolean;
  /** The batch made the group fire again after all of it had resolved. */
  refired: boolean;
  /** Opening a new incident although the group had one: the earlier one ended (or was repaired long ago). */
  previousIncidentId: string | null;
}

const ENDED: GroupIncidentState[] = ['closed', 'cancelled'];
/** Repaired by people and awaiting (or past) the hospital's confirmation: a fire within the flap window reopens it. */
const REPAIRED: GroupIncidentState[] = ['resolved', 'confirmed'];

export function decideGroup(group: GroupSnapshot, incoming: readonly IncomingAlert[], ctx: { now: number; flapWindowMs: number }): GroupDecision {
  const stored = new Map(group.alerts.map((a) => [a.fingerprint, { ...a }]));
  const firingBefore = group.alerts.some((a) => a.status === 'firing');
  const changes: GroupDecision['changes'] = [];
  const fired: string[] = [];
  const resolved: string[] = [];
  for (const a of incoming) {
    const known = stored.get(a.fingerprint);
    let change: AlertChange;
    if (!known) change = a.status === 'firing' ? 'fired' : 'resolved_unseen';
    else if (a.startsAt < known.startsAt) change = 'stale';
    else if (a.startsAt > known.startsAt) change = a.status === 'firing' ? 'fired' : 'resolved_unseen';
    else if (a.status === known.status) change = 'repeat';
    // Same occurrence, firing after it was resolved: a retry of an older message, not a new fire.
    else change = a.status === 'resolved' ? 'resolved' : 'stale';
    changes.push({ fingerprint: a.fingerprint, change });
    if (change === 'fired') fired.push(a.fingerprint);
    if (change === 'resolved') resolved.push(a.fingerprint);
    if (change !== 'stale' && change !== 'repeat') stored.set(a.fingerprint, { fingerprint: a.fingerprint, status: a.status, startsAt: a.startsAt });
  }
  const firingAfter = [...stored.values()].some((a) => a.status === 'firing');
  const refired = fired.length > 0 && !firingBefore && group.alerts.length > 0;
  const decision: GroupDecision = { changes, incident: 'none', fired, resolved, allResolved: !firingAfter, refired, previousIncidentId: null };

  const incident = group.incident;
  if (fired.length > 0) {
    if (!incident) return { ...decision, incident: 'open' };
    if (ENDED.includes(incident.state)) return { ...decision, incident: 'open', previousIncidentId: incident.id };
    // A repaired incident is reopened only by a fire soon after its alerts cleared (flapping); later it is a new fault.
    if (REPAIRED.includes(incident.state)) {
      const quietFor = group.allResolvedAt === null ? 0 : ctx.now - group.allResolvedAt;
      if (!firingBefore && quietFor > ctx.flapWindowMs) return { ...decision, incident: 'open', previousIncidentId: incident.id };
    }
    return { ...decision, incident: 'signal' };
  }
  if (resolved.length > 0 && incident && !ENDED.includes(incident.state)) return { ...decision, incident: 'signal' };
  // Still firing with no live incident: it fired during a maintenance window that has closed, or its incident was
  // closed while the fault went on. The fault is there, so an incident is.
  if (firingAfter && (!incident || ENDED.includes(incident.state))) return { ...decision, incident: 'open', previousIncidentId: incident?.id ?? null };
  return decision;
}
