import { describe, expect, it } from '@jest/globals';
import { CalendarSpec } from './calendar';
import { DomainError } from './errors';
import { IncidentInput, IncidentProcess } from './incident-process';
import { CONTRACT_POLICY } from './sla-policy';
import { MINUTE_MS } from './time';

/** Every minute is working time, so working-time budgets read as wall time here. */
const ALWAYS: CalendarSpec = {
  timeZone: 'Asia/Shanghai',
  utcOffsetMinutes: 480,
  workingHours: [{ start: '00:00', end: '24:00' }],
  holidays: [],
  workdays: ['2026-03-07', '2026-03-08'],
  coveredYears: [2026],
};
const T = Date.parse('2026-03-06T09:00:00+08:00');
const min = (m: number) => T + m * MINUTE_MS;
const actor = { id: 'u1', name: '李工' };

function incident(priority: IncidentInput['priority'] = 'P1'): IncidentProcess {
  return new IncidentProcess({
    incidentId: '11111111-2222-4333-8444-555555555555',
    number: 'INC-20260306-0001',
    systemId: 's',
    systemName: 'PACS',
    title: 't',
    description: 'd',
    reporter: { name: 'r', department: 'd', phone: null },
    priority,
    channel: 'phone',
    reportedAt: T,
    openedBy: actor,
    assignee: null,
    policy: CONTRACT_POLICY,
    calendar: ALWAYS,
  });
}

describe('automatic vendor escalation (S7)', () => {
  it('P1: at 50 % of the repair budget; P3: at 75 %', () => {
    const p1 = incident('P1');
    p1.apply({ action: 'acknowledge', actor }, min(5));
    const repair = 2 * 24 * 60; // two always-working days, in minutes
    expect(p1.escalationDue(min(repair * 0.5 - 1))).toBeNull();
    expect(p1.escalationDue(min(repair * 0.5))).toMatchObject({ trigger: 'repair_share' });
    const p3 = incident('P3');
    p3.apply({ action: 'acknowledge', actor }, min(5));
    expect(p3.escalationDue(min(repair * 0.5))).toBeNull();
    expect(p3.escalationDue(min(repair * 0.75))).toMatchObject({ trigger: 'repair_share' });
    expect(p3.nextWakeAt()).toBeLessThanOrEqual(min(repair * 0.75));
  });

  it('when the response deadline passes unacknowledged, even if the acknowledgement comes before the check', () => {
    const p = incident();
    p.tick(min(31)); // the respond breach is recorded at 30 min
    p.apply({ action: 'acknowledge', actor }, min(32));
    expect(p.escalationDue(min(33))).toMatchObject({ trigger: 'not_acknowledged' });
    const inTime = incident();
    inTime.apply({ action: 'acknowledge', actor }, min(10));
    inTime.tick(min(40));
    expect(inTime.escalationDue(min(41))).toBeNull();
  });

  it('only the first escalation is automatic; a second request while one runs is refused', () => {
    const p = incident();
    const started = p.beginEscalation('manual', '需要原厂', actor, min(1));
    expect(started.workflowId).toBe('escalation-INC-20260306-0001-11111111-1');
    expect(started.event).toMatchObject({ type: 'escalated', note: '需要原厂', data: { trigger: 'manual' } });
    expect(p.escalationDue(min(5000))).toBeNull();
    expect(() => p.check({ action: 'escalate', actor, reason: 'again' })).toThrow(DomainError);
    p.vendorEvent({ type: 'escalation_ended', at: min(2), actor: null, note: null, data: {} });
    expect(() => p.check({ action: 'escalate', actor, reason: 'again' })).not.toThrow();
  });

  it('a resolved or cancelled incident never escalates by itself', () => {
    const p = incident();
    p.apply({ action: 'arrive', actor }, min(5));
    p.apply({ action: 'resolve', actor, cause: 'c', fix: 'f', category: 'other' }, min(6));
    expect(p.escalationDue(min(100_000))).toBeNull();
  });
});

describe('comments from the hospital’s platform (S15)', () => {
  it('go on the timeline without changing the state, the clocks or the allowed actions', () => {
    const p = incident();
    const before = p.view(min(1));
    const event = p.apply({ action: 'comment', actor: { id: 'pm', name: '李护士长（Redmine）' }, note: '急诊也打不开', source: 'pm-platform:x:42#7' }, min(1));
    expect(event).toMatchObject({ seq: 1, type: 'comment', fromState: 'reported', toState: 'reported', note: '急诊也打不开', data: { source: 'pm-platform:x:42#7' } });
    const after = p.view(min(1));
    expect(after.state).toBe('reported');
    expect(after.allowedActions).toEqual(before.allowedActions);
    expect(after.clocks.respond.deadline).toBe(before.clocks.respond.deadline);
  });

  it('are refused once the incident is closed or cancelled', () => {
    const p = incident();
    p.apply({ action: 'cancel', actor, reason: '误报' }, min(1));
    expect(() => p.check({ action: 'comment', actor, note: 'late' })).toThrow(DomainError);
  });
});
