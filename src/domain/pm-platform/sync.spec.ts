import { describe, expect, it } from '@jest/globals';
import { allowedActions } from '../incident';
import { REDMINE_DEFAULT_MAPPING } from './mapping';
import { JournalLike, decideStatus, inboundSteps, isProgressEvent, progressKey } from './sync';

const M = REDMINE_DEFAULT_MAPPING;
const HOSPITAL = { id: '7', name: '李 护士长' };
const WARDLINE = { id: '5', name: 'Wardline 运维平台' };

const journal = (id: number, author: JournalLike['author'], notes: string | null, changes: JournalLike['changes'] = []): JournalLike => ({ id: String(id), author, at: id * 1000, notes, changes });

describe('what the hospital wrote on the platform means for Wardline (S15)', () => {
  it('turns the hospital’s journals after the last applied one into comments, priority changes and status changes, in order', () => {
    const steps = inboundSteps(
      M,
      'incident',
      [
        journal(12, HOSPITAL, '急诊也出现了', [{ field: 'priority', from: 'Normal', to: 'Urgent' }]),
        journal(10, HOSPITAL, '旧的，已处理过'),
        journal(13, WARDLINE, '已响应 [wl:INC-1:2]', [{ field: 'status', from: 'New', to: 'In Progress' }]),
        journal(14, HOSPITAL, '不需要了，误报', [{ field: 'status', from: 'In Progress', to: 'Rejected' }]),
        journal(15, HOSPITAL, '  ', [{ field: 'subject', from: 'a', to: 'b' }]),
      ],
      WARDLINE.id,
      10,
    );
    expect(steps.map((s) => [s.kind, s.journalId])).toEqual([
      ['comment', '12'],
      ['priority', '12'],
      ['comment', '14'],
      ['status', '14'],
    ]);
    expect(steps[1]).toMatchObject({ from: 'Normal', to: 'Urgent', priority: 'P1' });
    expect(steps[3]).toMatchObject({ from: 'In Progress', to: 'Rejected' });
  });

  it('ignores a priority change that keeps Wardline’s priority, and priorities of requirements', () => {
    const j = [journal(3, HOSPITAL, null, [{ field: 'priority', from: 'Urgent', to: 'Immediate' }])];
    expect(inboundSteps(M, 'incident', j, null, 0)).toEqual([]);
    expect(inboundSteps(M, 'modification', [journal(4, HOSPITAL, null, [{ field: 'priority', from: 'Low', to: 'Urgent' }])], null, 0)).toEqual([]);
  });
});

describe('conflict rule: Wardline’s process is the authority for its own states', () => {
  it('agrees when the platform shows what Wardline’s state maps to', () => {
    expect(decideStatus(M, 'incident', 'In Progress', 'acknowledged', allowedActions('acknowledged'))).toEqual({ kind: 'agrees' });
  });

  it('applies a mapped command the process allows now', () => {
    expect(decideStatus(M, 'incident', 'Rejected', 'reported', allowedActions('reported'))).toEqual({ kind: 'command', action: 'cancel' });
    expect(decideStatus(M, 'incident', 'Closed', 'resolved', allowedActions('resolved'))).toEqual({ kind: 'command', action: 'confirm' });
  });

  it('calls a refused command or an unmapped status a conflict and restores Wardline’s status', () => {
    // Cancelling a fault already fixed: the process refuses, so the platform goes back to Resolved.
    expect(decideStatus(M, 'incident', 'Rejected', 'resolved', allowedActions('resolved'))).toEqual({ kind: 'conflict', reason: 'refused', command: 'cancel', restore: 'Resolved' });
    expect(decideStatus(M, 'incident', 'Feedback', 'on_site', allowedActions('on_site'))).toEqual({ kind: 'conflict', reason: 'unmapped', command: null, restore: 'In Progress' });
  });

  it('leaves the platform’s status alone where nothing maps Wardline’s state', () => {
    const bare = { ...M, outbound: { incident: {}, modification: {} } };
    expect(decideStatus(bare, 'incident', 'Feedback', 'on_site', allowedActions('on_site'))).toEqual({ kind: 'agrees' });
  });
});

describe('what goes back', () => {
  it('the opening and every change of state, not notes or clock events that keep the state', () => {
    expect(isProgressEvent({ type: 'opened', fromState: null, toState: 'reported' })).toBe(true);
    expect(isProgressEvent({ type: 'submitted', fromState: null, toState: 'submitted' })).toBe(true);
    expect(isProgressEvent({ type: 'acknowledge', fromState: 'reported', toState: 'acknowledged' })).toBe(true);
    expect(isProgressEvent({ type: 'comment', fromState: 'reported', toState: 'reported' })).toBe(false);
    expect(isProgressEvent({ type: 'sla_warning', fromState: 'acknowledged', toState: 'acknowledged' })).toBe(false);
    expect(progressKey('INC-20261130-0001', 3)).toBe('INC-20261130-0001:3');
  });
});
