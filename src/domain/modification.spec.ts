import { describe, expect, it } from '@jest/globals';
import { CalendarSpec } from './calendar';
import { DomainError, DomainErrorCode } from './errors';
import { MODIFICATION_ACTIONS, ModificationAction, ModificationCommand, ModificationProcess, modificationActionsFor } from './modification';
import { DAY_MS, HOUR_MS } from './time';
import { domainError } from './testing/domain-error';

const ALWAYS: CalendarSpec = {
  timeZone: 'Asia/Shanghai',
  utcOffsetMinutes: 480,
  workingHours: [{ start: '00:00', end: '24:00' }],
  holidays: [],
  workdays: [],
  coveredYears: [2026],
};
const T = Date.parse('2026-03-06T09:00:00+08:00');
const engineer = { id: 'e', name: '李工', roles: ['engineer'] };
const itManager = { id: 'i', name: '主任', roles: ['it_manager'] };
const dispatcher = { id: 'd', name: '王调度', roles: ['dispatcher'] };

function modification(): ModificationProcess {
  return new ModificationProcess({
    modificationId: 'm1',
    number: 'MOD-20260306-0001',
    systemId: 's',
    systemName: '临床用血',
    type: 'interface',
    title: 't',
    description: 'd',
    department: '输血科',
    submittedBy: dispatcher,
    submittedAt: T,
    calendar: ALWAYS,
    deliveryBudgetMs: 7 * DAY_MS,
    acceptanceAfterWorkingDays: 7,
    maintenance: { months: 2 },
    maintenanceNoticeMs: 7 * DAY_MS,
    warningFractions: [0.5],
    policyVersion: 1,
  });
}

describe('modification requests that change the schema (S3, S4)', () => {
  it('an assessment without a linked change is not stuck after scope approval: the change is linked later', () => {
    const m = modification();
    m.apply({ action: 'assess', actor: engineer, feasible: true, effortDays: 2, schemaChange: true, linkedChangeId: null, note: null }, T + 1);
    m.apply({ action: 'approve_scope', actor: itManager, comment: null }, T + 2);
    const view = () => m.view(T + 3);
    // Not deliverable yet, and not offered as if it were.
    expect(modificationActionsFor(view(), { at: T + 3, linkedChangeApproved: false }, engineer)).toEqual(['link_change']);
    expect(domainError(() => m.validate({ action: 'deliver', actor: engineer, note: null, linkedChangeApproved: false }, T + 3)).message).toContain('link_change');
    m.validate({ action: 'link_change', actor: engineer, linkedChangeId: 'chg-1', note: '变更已提交' }, T + 4);
    const linked = m.apply({ action: 'link_change', actor: engineer, linkedChangeId: 'chg-1', note: '变更已提交' }, T + 4);
    expect(linked).toMatchObject({ type: 'link_change', fromState: 'approved', toState: 'approved', data: { from: null, to: 'chg-1' }, actor: { id: 'e', name: '李工' } });
    expect(m.view(T + 5).assessment?.linkedChangeId).toBe('chg-1');
    expect(modificationActionsFor(m.view(T + 5), { at: T + 5, linkedChangeApproved: true }, engineer)).toEqual(['link_change', 'deliver']);
    m.apply({ action: 'deliver', actor: engineer, note: null, linkedChangeApproved: true }, T + 6);
    expect(m.current).toBe('live');
  });

  it('a modification without a schema change has nothing to link', () => {
    const m = modification();
    m.apply({ action: 'assess', actor: engineer, feasible: true, effortDays: 2, schemaChange: false, linkedChangeId: null, note: null }, T + 1);
    expect(domainError(() => m.validate({ action: 'link_change', actor: engineer, linkedChangeId: 'x', note: null }, T + 2)).code).toBe(DomainErrorCode.IllegalTransition);
  });

  it('allowedActions for a caller are exactly what validate accepts, with the acceptance date in the contract zone', () => {
    const m = modification();
    const people = [engineer, itManager, dispatcher, { id: 'r', name: '评审', roles: ['reviewer'] }, { id: 'v', name: '原厂', roles: ['vendor_contact'] }];
    const sample = (action: ModificationAction, actor: typeof engineer, approved: boolean): ModificationCommand => {
      switch (action) {
        case 'assess':
          return { action, actor, feasible: true, effortDays: 1, schemaChange: true, linkedChangeId: null, note: null };
        case 'link_change':
          return { action, actor, linkedChangeId: 'c', note: null };
        case 'deliver':
          return { action, actor, note: null, linkedChangeApproved: approved };
        case 'request_acceptance':
          return { action, actor, note: null };
        case 'cancel':
          return { action, actor, reason: 'r' };
        case 'reject_scope':
        case 'reject_acceptance':
          return { action, actor, comment: 'c' };
        default:
          return { action, actor, comment: null } as ModificationCommand;
      }
    };
    const steps: [ModificationCommand | null, number, boolean][] = [
      [null, T, false],
      [sample('assess', engineer, false), T + 1, false],
      [sample('approve_scope', itManager, false), T + 2, false],
      [sample('link_change', engineer, false), T + 3, false],
      [null, T + 4, true], // the linked change got approved meanwhile
      [sample('deliver', engineer, true), T + 5, true],
      [null, T + 6 * DAY_MS, true], // too soon for acceptance
      [null, T + 8 * DAY_MS, true],
    ];
    let checked = 0;
    for (const [step, at, approved] of steps) {
      if (step) m.apply(step, at);
      for (const who of people) {
        const listed = modificationActionsFor(m.view(at), { at, linkedChangeApproved: approved }, who);
        for (const action of MODIFICATION_ACTIONS) {
          let accepted = true;
          try {
            m.validate(sample(action, who, approved), at);
          } catch (e) {
            if (!(e instanceof DomainError)) throw e;
            accepted = false;
          }
          expect({ state: m.current, at, who: who.roles[0], action, accepted }).toEqual({ state: m.current, at, who: who.roles[0], action, accepted: listed.includes(action) });
          checked++;
        }
      }
    }
    expect(checked).toBe(steps.length * people.length * MODIFICATION_ACTIONS.length);
    const tooSoon = domainError(() => m.validate({ action: 'request_acceptance', actor: engineer, note: null }, T + 6 * DAY_MS - HOUR_MS));
    expect(tooSoon.message).toMatch(/from 2026-03-\d\dT\d\d:\d\d:\d\d\+08:00/);
  });
});
