import { Priority } from '../sla-policy';
import { InboundIncidentCommand, InboundModificationCommand, PmMapping, PmRecordKind, inboundCommand, outboundStatus, priorityOf } from './mapping';

/**
 * The rules of keeping a record and its platform item in step (S15), pure so they can be read and tested:
 * what a journal written on the platform means for Wardline, which of Wardline's changes go back, and how a
 * status changed on both sides is settled.
 *
 * Conflict rule: Wardline's process is the authority for its own states. A status the hospital sets on the platform
 * counts only as the command the mapping gives it (cancel, confirm, reopen, close; cancel, accept, reject acceptance)
 * and only if the process allows that command now. Any other status — unmapped, or a command the process refuses —
 * is a conflict: it is recorded and shown (the integration's conflicts, a note on the record's timeline), and the
 * platform's status is set back to the one Wardline's state maps to, with a comment saying why. Never silently
 * overwritten in either direction.
 */

export interface JournalLike {
  id: string;
  author: { id: string; name: string };
  at: number;
  notes: string | null;
  changes: { field: string; from: string | null; to: string | null }[];
}

export type InboundStep =
  | { kind: 'comment'; journalId: string; author: { id: string; name: string }; at: number; text: string }
  | { kind: 'priority'; journalId: string; author: { id: string; name: string }; at: number; from: string | null; to: string; priority: Priority }
  | { kind: 'status'; journalId: string; author: { id: string; name: string }; at: number; from: string | null; to: string };

/**
 * What the hospital did, journal by journal after `afterJournalId`, oldest first. Journals of the account Wardline
 * acts as are its own progress coming back and mean nothing. Within a journal the status comes last, so a comment
 * that explains a cancellation is on the timeline before it.
 */
export function inboundSteps(mapping: PmMapping, kind: PmRecordKind, journals: JournalLike[], selfId: string | null, afterJournalId: number): InboundStep[] {
  const steps: InboundStep[] = [];
  const fresh = journals.filter((j) => Number(j.id) > afterJournalId).sort((a, b) => Number(a.id) - Number(b.id));
  for (const j of fresh) {
    if (selfId !== null && j.author.id === selfId) continue;
    const base = { journalId: j.id, author: j.author, at: j.at };
    if (j.notes && j.notes.trim()) steps.push({ ...base, kind: 'comment', text: j.notes.trim() });
    const priority = j.changes.find((c) => c.field === 'priority' && c.to !== null);
    if (priority && kind === 'incident') {
      const from = priority.from === null ? null : priorityOf(mapping, priority.from);
      const to = priorityOf(mapping, priority.to);
      if (from !== to) steps.push({ ...base, kind: 'priority', from: priority.from, to: priority.to!, priority: to });
    }
    const status = j.changes.find((c) => c.field === 'status' && c.to !== null);
    if (status) steps.push({ ...base, kind: 'status', from: status.from, to: status.to! });
  }
  return steps;
}

export type StatusDecision =
  | { kind: 'agrees' }
  | { kind: 'command'; action: InboundIncidentCommand | InboundModificationCommand }
  | { kind: 'conflict'; reason: 'unmapped' | 'refused'; command: InboundIncidentCommand | InboundModificationCommand | null; restore: string | null };

/** The conflict rule above, for one status the hospital set while Wardline's record is in `state`. */
export function decideStatus(mapping: PmMapping, kind: PmRecordKind, platformStatus: string, state: string, allowedActions: readonly string[]): StatusDecision {
  const expected = outboundStatus(mapping, kind, state);
  if (expected === platformStatus) return { kind: 'agrees' };
  const command = inboundCommand(mapping, kind, platformStatus);
  if (command && allowedActions.includes(command)) return { kind: 'command', action: command };
  // Nothing maps Wardline's state to a status: the platform's status is the hospital's own business.
  if (!command && expected === null) return { kind: 'agrees' };
  return { kind: 'conflict', reason: command ? 'refused' : 'unmapped', command, restore: expected };
}

/** A timeline event that goes back to the platform: the opening, and every change of state (S15 "every state change"). */
export function isProgressEvent(event: { type: string; fromState: string | null; toState: string }): boolean {
  return event.type === 'opened' || event.type === 'submitted' || (event.fromState !== null && event.fromState !== event.toState);
}

/** The key a delivery is found by on the platform: the record's number and the event's sequence. */
export function progressKey(recordNumber: string, seq: number): string {
  return `${recordNumber}:${seq}`;
}

export function conflictKey(recordNumber: string, journalId: string): string {
  return `${recordNumber}:conflict:${journalId}`;
}
