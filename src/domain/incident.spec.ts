import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DomainErrorCode } from './errors';
import {
  INCIDENT_ACTIONS,
  INCIDENT_STATES,
  IncidentAction,
  IncidentState,
  allowedActions,
  isTerminal,
  nextState,
} from './incident';
import { domainError } from './testing/domain-error';

/**
 * The lifecycle written out by hand (P3, S10, S14): acknowledge is the S10 response, arrive the on-site
 * arrival, confirm the hospital's sign-off on the record (S14). Listed in INCIDENT_ACTIONS order. These are the
 * state's actions; IncidentProcess.allowedActions narrows them by the clocks and by who asks.
 */
const EXPECTED: Record<IncidentState, IncidentAction[]> = {
  reported: ['acknowledge', 'arrive', 'cancel', 'assign', 'change_priority', 'escalate'],
  acknowledged: ['arrive', 'resolve', 'cancel', 'assign', 'change_priority', 'pause_repair_clock', 'request_repair_clock_pause', 'confirm_repair_clock_pause', 'decline_repair_clock_pause', 'resume_repair_clock', 'escalate'],
  on_site: ['resolve', 'cancel', 'assign', 'change_priority', 'pause_repair_clock', 'request_repair_clock_pause', 'confirm_repair_clock_pause', 'decline_repair_clock_pause', 'resume_repair_clock', 'escalate'],
  resolved: ['confirm', 'reopen', 'assign'],
  confirmed: ['reopen', 'close'],
  closed: [],
  reopened: ['arrive', 'resolve', 'assign', 'change_priority', 'pause_repair_clock', 'request_repair_clock_pause', 'confirm_repair_clock_pause', 'decline_repair_clock_pause', 'resume_repair_clock', 'escalate'],
  cancelled: [],
  recovered: ['cancel', 'assign', 'confirm_recovery'],
};

const MOVES: Partial<Record<IncidentAction, IncidentState>> = {
  acknowledge: 'acknowledged',
  arrive: 'on_site',
  resolve: 'resolved',
  confirm: 'confirmed',
  reopen: 'reopened',
  close: 'closed',
  cancel: 'cancelled',
  confirm_recovery: 'closed',
};

describe('incident state machine', () => {
  it.each(INCIDENT_STATES.map((s) => [s, EXPECTED[s]] as const))('%s allows %j', (state, actions) => {
    expect(allowedActions(state)).toEqual(actions);
  });

  const allowedPairs = INCIDENT_STATES.flatMap((s) => EXPECTED[s].map((a) => [s, a] as const));
  it.each(allowedPairs)('%s --%s--> the action’s target, or the same state', (state, action) => {
    expect(nextState(state, action)).toBe(MOVES[action] ?? state);
  });

  const illegalPairs = INCIDENT_STATES.flatMap((s) =>
    INCIDENT_ACTIONS.filter((a) => !EXPECTED[s].includes(a)).map((a) => [s, a] as const),
  );
  it.each(illegalPairs)('%s refuses %s with ILLEGAL_TRANSITION and the allowed actions', (state, action) => {
    const err = domainError(() => nextState(state, action));
    expect(err.code).toBe(DomainErrorCode.IllegalTransition);
    expect(err.details).toEqual({ state, action, allowedActions: EXPECTED[state] });
    expect(err.message).toContain(state);
  });

  it('names "none" when a terminal state allows nothing', () => {
    expect(domainError(() => nextState('closed', 'reopen')).message).toContain('allowed: none');
  });

  it.each(INCIDENT_STATES.map((s) => [s, s === 'closed' || s === 'cancelled'] as const))('isTerminal(%s) → %s', (state, terminal) => {
    expect(isTerminal(state)).toBe(terminal);
    if (terminal) expect(allowedActions(state)).toEqual([]);
  });

  it.each<[string, IncidentAction[], IncidentState]>([
    ['the usual path', ['acknowledge', 'arrive', 'resolve', 'confirm', 'close'], 'closed'],
    ['arrival counts as the response', ['arrive', 'resolve', 'confirm', 'close'], 'closed'],
    ['a remote fix skips on site', ['acknowledge', 'resolve', 'confirm', 'close'], 'closed'],
    ['reopened after confirmation, fixed again', ['acknowledge', 'arrive', 'resolve', 'confirm', 'reopen', 'arrive', 'resolve', 'confirm', 'close'], 'closed'],
    ['a duplicate is cancelled', ['assign', 'acknowledge', 'cancel'], 'cancelled'],
    ['priority and repair-clock actions keep the state', ['acknowledge', 'change_priority', 'pause_repair_clock', 'resume_repair_clock', 'assign'], 'acknowledged'],
  ])('%s', (_name, actions, final) => {
    expect(actions.reduce<IncidentState>(nextState, 'reported')).toBe(final);
  });

  it('any action sequence either moves to a known state or throws ILLEGAL_TRANSITION naming what is allowed', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...INCIDENT_ACTIONS), { maxLength: 20 }), (actions) => {
        let state: IncidentState = 'reported';
        for (const action of actions) {
          if (EXPECTED[state].includes(action)) {
            state = nextState(state, action);
            expect(INCIDENT_STATES).toContain(state);
          } else {
            expect(domainError(() => nextState(state, action)).details.allowedActions).toEqual(allowedActions(state));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
