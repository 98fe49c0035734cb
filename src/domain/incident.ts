import { DomainError, DomainErrorCode } from './errors';
import { HOSPITAL_SIDE, Role } from './roles';

/**
 * The incident lifecycle (P3, S10, S14): reported → acknowledged (the response) → on_site → resolved →
 * confirmed (the hospital accepts the fix) → closed; reopened goes back to work; cancelled ends a
 * duplicate or mistaken report. An incident opened by alerts whose alerts all clear before anyone acknowledged it is
 * `recovered`: its clocks pause (the record stays as evidence) until a dispatcher confirms the recovery (closed) or
 * the alerts fire again (back to reported).
 */
export const INCIDENT_STATES = [
  'reported',
  'acknowledged',
  'on_site',
  'resolved',
  'confirmed',
  'closed',
  'reopened',
  'cancelled',
  'recovered',
] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export const INCIDENT_ACTIONS = [
  'acknowledge',
  'arrive',
  'resolve',
  'confirm',
  'reopen',
  'close',
  'cancel',
  'assign',
  'change_priority',
  'pause_repair_clock',
  'request_repair_clock_pause',
  'confirm_repair_clock_pause',
  'decline_repair_clock_pause',
  'resume_repair_clock',
  'escalate',
  'confirm_recovery',
] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

export const CHANNELS = ['phone', 'onsite', 'api', 'alert', 'pm-platform'] as const;
export type Channel = (typeof CHANNELS)[number];

export const RESOLUTION_CATEGORIES = ['system_error_fix', 'data_repair', 'other'] as const;
export type ResolutionCategory = (typeof RESOLUTION_CATEGORIES)[number];

const OPEN: IncidentState[] = ['reported', 'acknowledged', 'on_site', 'reopened'];
const WORKING: IncidentState[] = ['acknowledged', 'on_site', 'reopened'];

/** Which actions each state allows. Assignment and priority changes keep the state. */
const ALLOWED: Record<IncidentAction, readonly IncidentState[]> = {
  acknowledge: ['reported'],
  // Arriving first also counts as the response: an engineer on site has certainly responded.
  arrive: ['reported', 'acknowledged', 'reopened'],
  // A remote fix is allowed; the on-site clock then stops with the resolution.
  resolve: WORKING,
  confirm: ['resolved'],
  reopen: ['resolved', 'confirmed'],
  close: ['confirmed'],
  cancel: ['reported', 'acknowledged', 'on_site', 'recovered'],
  assign: [...OPEN, 'resolved', 'recovered'],
  change_priority: OPEN,
  pause_repair_clock: WORKING,
  // S10: the vendor's team may only ask for a pause; the hospital confirms or declines it.
  request_repair_clock_pause: WORKING,
  confirm_repair_clock_pause: WORKING,
  decline_repair_clock_pause: WORKING,
  resume_repair_clock: WORKING,
  // S7: the original vendor can be called in while the fault is open.
  escalate: OPEN,
  // P3: a dispatcher agrees that an incident whose alerts all cleared by themselves needs no work.
  confirm_recovery: ['recovered'],
};

const TARGET: Partial<Record<IncidentAction, IncidentState>> = {
  acknowledge: 'acknowledged',
  arrive: 'on_site',
  resolve: 'resolved',
  confirm: 'confirmed',
  reopen: 'reopened',
  close: 'closed',
  cancel: 'cancelled',
  confirm_recovery: 'closed',
};

const VENDOR_WORK: readonly Role[] = ['engineer', 'project_manager'];
/** S15: the hospital's project-management platform, through its integration account, gives the hospital's commands. */
const HOSPITAL_ACCEPTANCE: readonly Role[] = ['dispatcher', 'it_manager', 'reviewer', 'integration'];

/**
 * Who may take each action (the administrator always may). The API's role checks and the workflow's Update
 * validators both read this table, so `allowedActions` lists for a caller exactly what they would be let do.
 * S10: the party being measured may not stop its own clock: the repair clock is paused by the hospital side,
 * or at the vendor team's request once a dispatcher or the IT manager confirms it.
 */
export const INCIDENT_ACTION_ROLES: Record<IncidentAction, readonly Role[]> = {
  acknowledge: VENDOR_WORK,
  arrive: VENDOR_WORK,
  resolve: VENDOR_WORK,
  confirm: HOSPITAL_ACCEPTANCE,
  reopen: HOSPITAL_ACCEPTANCE,
  close: ['dispatcher', 'it_manager', 'project_manager', 'integration'],
  cancel: ['dispatcher', 'it_manager', 'integration'],
  assign: ['dispatcher', 'project_manager'],
  change_priority: ['dispatcher', 'project_manager', 'it_manager', 'integration'],
  pause_repair_clock: HOSPITAL_SIDE,
  request_repair_clock_pause: VENDOR_WORK,
  confirm_repair_clock_pause: ['dispatcher', 'it_manager'],
  decline_repair_clock_pause: ['dispatcher', 'it_manager'],
  resume_repair_clock: [...HOSPITAL_SIDE, ...VENDOR_WORK],
  escalate: ['engineer', 'project_manager', 'dispatcher'],
  // P3: the hospital's dispatch desk agrees an alert-opened incident that recovered by itself needs no work.
  confirm_recovery: ['dispatcher', 'it_manager'],
};

export function allowedActions(state: IncidentState): IncidentAction[] {
  return INCIDENT_ACTIONS.filter((a) => ALLOWED[a].includes(state));
}

export function isTerminal(state: IncidentState): boolean {
  return state === 'closed' || state === 'cancelled';
}

/** The state an action leads to, or an ILLEGAL_TRANSITION error naming the current state and the allowed actions. */
export function nextState(state: IncidentState, action: IncidentAction): IncidentState {
  if (!ALLOWED[action].includes(state)) {
    throw new DomainError(
      DomainErrorCode.IllegalTransition,
      `cannot ${action} an incident that is ${state}; allowed: ${allowedActions(state).join(', ') || 'none'}`,
      { state, action, allowedActions: allowedActions(state) },
    );
  }
  return TARGET[action] ?? state;
}
