import { describe, expect, it } from '@jest/globals';
import { CalendarSpec } from './calendar';
import { DomainError, DomainErrorCode } from './errors';
import { INCIDENT_ACTIONS, IncidentAction } from './incident';
import { IncidentCommand, IncidentInput, IncidentProcess } from './incident-process';
import { domainError } from './testing/domain-error';
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
  return new IncidentProcess(inputOf(priority));
}

function inputOf(priority: IncidentInput['priority'] = 'P1'): IncidentInput {
  return {
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
  };
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

describe('who may stop the repair clock (S10) and who owns the response (S12)', () => {
  const engineer = { id: 'e1', name: '李工', roles: ['engineer'] };
  const colleague = { id: 'e2', name: '赵工', roles: ['engineer'] };
  const dispatcher = { id: 'd1', name: '王调度', roles: ['dispatcher'] };

  it('an engineer may not pause the repair clock: the request waits for a dispatcher, who confirms it with the reason kept', () => {
    const p = incident();
    p.apply({ action: 'acknowledge', actor: engineer }, min(5));
    const refused = domainError(() => p.validate({ action: 'pause_repair_clock', actor: engineer, reason: '等待院方停机窗口' }));
    expect(refused.code).toBe(DomainErrorCode.Forbidden);
    expect(refused.details.allowedActions).toContain('request_repair_clock_pause');

    p.validate({ action: 'request_repair_clock_pause', actor: engineer, reason: '等待院方停机窗口' });
    const asked = p.apply({ action: 'request_repair_clock_pause', actor: engineer, reason: '等待院方停机窗口' }, min(10));
    expect(asked).toMatchObject({ type: 'request_repair_clock_pause', note: '等待院方停机窗口', actor: { id: 'e1', name: '李工' } });
    // The request alone stops nothing.
    expect(p.snapshot().clocks.repair.status).toBe('running');
    expect(domainError(() => p.validate({ action: 'confirm_repair_clock_pause', actor: engineer })).code).toBe(DomainErrorCode.Forbidden);

    p.validate({ action: 'confirm_repair_clock_pause', actor: dispatcher, note: '已与科室确认' });
    const confirmed = p.apply({ action: 'confirm_repair_clock_pause', actor: dispatcher, note: '已与科室确认' }, min(20));
    expect(confirmed).toMatchObject({ actor: { id: 'd1', name: '王调度' }, data: { request: { by: { id: 'e1', name: '李工' }, reason: '等待院方停机窗口', at: min(10) } } });
    const repair = p.snapshot().clocks.repair;
    expect(repair.status).toBe('paused');
    expect(repair.pauses[repair.pauses.length - 1]).toMatchObject({ from: min(20), reason: '等待院方停机窗口' });
    expect(p.snapshot().pauseRequest).toBeNull();
  });

  it('a declined request leaves the clock running and is recorded; the hospital may pause directly', () => {
    const p = incident();
    p.apply({ action: 'acknowledge', actor: engineer }, min(5));
    p.apply({ action: 'request_repair_clock_pause', actor: engineer, reason: '等备件' }, min(6));
    expect(domainError(() => p.validate({ action: 'request_repair_clock_pause', actor: engineer, reason: 'again' })).code).toBe(DomainErrorCode.IllegalTransition);
    const declined = p.apply({ action: 'decline_repair_clock_pause', actor: dispatcher, reason: '备件由厂商负责，不属院方原因' }, min(7));
    expect(declined).toMatchObject({ note: '备件由厂商负责，不属院方原因', data: { request: { reason: '等备件' } } });
    expect(p.snapshot().clocks.repair.status).toBe('running');
    p.validate({ action: 'pause_repair_clock', actor: dispatcher, reason: '科室暂停使用' });
    p.apply({ action: 'pause_repair_clock', actor: dispatcher, reason: '科室暂停使用' }, min(8));
    expect(p.snapshot().clocks.repair.status).toBe('paused');
  });

  it('an engineer who acknowledges a colleague\'s incident takes it over, and the timeline says from whom', () => {
    const p = new IncidentProcess({ ...inputOf(), assignee: { id: 'e2', name: '赵工' } });
    const ack = p.apply({ action: 'acknowledge', actor: engineer }, min(3));
    expect(ack.data).toEqual({ reassigned: { from: { id: 'e2', name: '赵工' }, to: { id: 'e1', name: '李工' } } });
    expect(p.snapshot().assignee).toEqual({ id: 'e1', name: '李工' });
    const own = new IncidentProcess({ ...inputOf(), assignee: { id: 'e2', name: '赵工' } });
    expect(own.apply({ action: 'acknowledge', actor: colleague }, min(3)).data).toEqual({});
  });

  it('allowedActions lists for a caller exactly the actions validate accepts, in every state a walk reaches', () => {
    const people = [engineer, dispatcher, { id: 'm', name: '项目经理', roles: ['project_manager'] }, { id: 'i', name: '主任', roles: ['it_manager'] }, { id: 'v', name: '原厂', roles: ['vendor_contact'] }];
    const sample = (action: IncidentAction, actor: typeof engineer): IncidentCommand => {
      const base = { actor, reason: 'r', note: 'n' };
      if (action === 'resolve') return { action, actor, cause: 'c', fix: 'f', category: 'other' };
      if (action === 'assign') return { action, actor, assignee: { id: 'e2', name: '赵工' } };
      if (action === 'change_priority') return { action, actor, priority: 'P2', reason: 'r' };
      return { action, ...base } as IncidentCommand;
    };
    const walk: [IncidentCommand, number][] = [
      [{ action: 'acknowledge', actor: engineer }, 1],
      [{ action: 'request_repair_clock_pause', actor: engineer, reason: 'r' }, 2],
      [{ action: 'confirm_repair_clock_pause', actor: dispatcher }, 3],
      [{ action: 'resume_repair_clock', actor: engineer }, 4],
      [{ action: 'arrive', actor: engineer }, 5],
      [{ action: 'resolve', actor: engineer, cause: 'c', fix: 'f', category: 'other' }, 6],
      [{ action: 'reopen', actor: dispatcher, reason: 'r' }, 7],
      [{ action: 'resolve', actor: engineer, cause: 'c', fix: 'f', category: 'other' }, 8],
      [{ action: 'confirm', actor: dispatcher }, 9],
      [{ action: 'close', actor: dispatcher }, 10],
    ];
    const p = incident();
    let checked = 0;
    for (const [step, minute] of [[null, 0] as const, ...walk]) {
      if (step) p.apply(step, min(minute));
      for (const who of people) {
        const listed = p.allowedActions(who);
        for (const action of INCIDENT_ACTIONS) {
          let accepted = true;
          try {
            p.validate(sample(action, who));
          } catch (e) {
            if (!(e instanceof DomainError)) throw e;
            accepted = false;
          }
          expect({ state: p.state, who: who.roles[0], action, accepted }).toEqual({ state: p.state, who: who.roles[0], action, accepted: listed.includes(action) });
          checked++;
        }
      }
    }
    expect(checked).toBe((walk.length + 1) * people.length * INCIDENT_ACTIONS.length);
  });
});
