import { describe, expect, it } from '@jest/globals';
import { CalendarSpec } from './calendar';
import { Revision } from './change';
import { CHANGE_ACTIONS, ChangeAction, ChangeCommand, ChangeInput, ChangeProcess, changeActionsFor } from './change-process';
import { DomainError, DomainErrorCode } from './errors';
import { HOUR_MS } from './time';
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
const who = (id: string, roles: string[]) => ({ id, name: id, roles });
const engineerA = who('eng-a', ['engineer']);
const engineerB = who('eng-b', ['engineer']);
const reviewer = who('rev-1', ['reviewer']);
const itManager = who('itm-1', ['it_manager']);
/** An engineer who also holds the reviewer role: the person S4's separation of duties is about. */
const engineerReviewer = who('eng-c', ['engineer', 'reviewer']);

function revision(number: number, by: ReturnType<typeof who>): Revision {
  return { number, forwardScript: 'ALTER TABLE t ADD c int', rollbackScript: 'ALTER TABLE t DROP COLUMN c', objects: [], schemaChange: true, destructive: false, unparsed: [], risk: 'medium', submittedAt: T, submittedBy: by };
}

function change(submittedBy = engineerA): ChangeProcess {
  const input: ChangeInput = {
    changeId: 'c1',
    number: 'CHG-20260306-0001',
    systemId: 's',
    systemName: 'HIS',
    kind: 'normal',
    title: 't',
    reason: 'r',
    window: { start: T + 2 * HOUR_MS, end: T + 4 * HOUR_MS },
    implementer: null,
    submittedBy,
    linkedIncidentId: null,
    linkedModificationId: null,
    firstRevision: revision(1, submittedBy),
    calendar: ALWAYS,
    reviewReminderWorkingDays: 1,
    reviewEscalationWorkingDays: 2,
    emergencyReviewWorkingDays: 1,
  };
  return new ChangeProcess(input);
}

describe('S4 separation of duties through revisions', () => {
  it('whoever authored any revision may not review the change, though they hold the reviewer role', () => {
    const c = change(engineerA);
    c.apply({ action: 'review', actor: reviewer, decision: 'send_back', comment: '请补充回滚脚本' }, T + 1);
    // Revision 2 is written by someone else than the submitter, who also reviews for the hospital.
    c.validate({ action: 'revise', actor: engineerReviewer, revision: revision(2, engineerReviewer) }, T + 2);
    c.apply({ action: 'revise', actor: engineerReviewer, revision: revision(2, engineerReviewer) }, T + 2);
    const refused = domainError(() => c.validate({ action: 'review', actor: engineerReviewer, decision: 'approve', comment: null }, T + 3));
    expect(refused.code).toBe(DomainErrorCode.Forbidden);
    expect(refused.message).toContain('revision 2');
    expect(changeActionsFor(c.view(), T + 3, engineerReviewer)).not.toContain('review');
    // An independent reviewer may approve.
    c.validate({ action: 'review', actor: itManager, decision: 'approve', comment: null }, T + 3);
    expect(changeActionsFor(c.view(), T + 3, itManager)).toContain('review');
  });

  it('the submitter and people without a reviewing role are refused too', () => {
    const c = change(engineerReviewer);
    expect(domainError(() => c.validate({ action: 'review', actor: engineerReviewer, decision: 'approve', comment: null }, T)).code).toBe(DomainErrorCode.Forbidden);
    expect(domainError(() => c.validate({ action: 'review', actor: engineerB, decision: 'approve', comment: null }, T)).code).toBe(DomainErrorCode.Forbidden);
  });

  it('allowedActions for a caller are exactly the actions validate accepts, including the implementation window', () => {
    const c = change(engineerA);
    const people = [engineerA, engineerB, reviewer, itManager, engineerReviewer, who('pm', ['project_manager']), who('v', ['vendor_contact'])];
    const sample = (action: ChangeAction, actor: ReturnType<typeof who>, at: number): ChangeCommand => {
      switch (action) {
        case 'review':
          return { action, actor, decision: 'send_back', comment: 'c' };
        case 'revise':
          return { action, actor, revision: revision(c.view().currentRevision + 1, actor) };
        case 'implement':
          return { action, actor, revision: c.view().approvedRevision ?? c.view().currentRevision, evidence: 'e' };
        case 'verify':
          return { action, actor, outcome: 'succeeded', evidence: 'e' };
        case 'close':
          return { action, actor, note: null };
        case 'cancel':
          return { action, actor, reason: 'r' };
      }
      void at;
    };
    const steps: [ChangeCommand | null, number][] = [
      [null, T],
      [{ action: 'review', actor: reviewer, decision: 'approve', comment: null }, T + 1],
      [null, T + 3 * HOUR_MS], // inside the window
      [{ action: 'implement', actor: engineerB, revision: 1, evidence: 'done' }, T + 3 * HOUR_MS],
      [{ action: 'verify', actor: engineerB, outcome: 'succeeded', evidence: 'ok' }, T + 3 * HOUR_MS],
    ];
    let checked = 0;
    for (const [step, at] of steps) {
      if (step) c.apply(step, at);
      for (const actor of people) {
        const listed = changeActionsFor(c.view(), at, actor);
        for (const action of CHANGE_ACTIONS) {
          let accepted = true;
          try {
            c.validate(sample(action, actor, at), at);
          } catch (e) {
            if (!(e instanceof DomainError)) throw e;
            accepted = false;
          }
          expect({ state: c.state, at, who: actor.id, action, accepted }).toEqual({ state: c.state, at, who: actor.id, action, accepted: listed.includes(action) });
          checked++;
        }
      }
    }
    expect(checked).toBe(steps.length * people.length * CHANGE_ACTIONS.length);
    // Approved, but before the window: implementation is not offered.
    const early = change(engineerA);
    early.apply({ action: 'review', actor: reviewer, decision: 'approve', comment: null }, T + 1);
    expect(changeActionsFor(early.view(), T + 1, engineerB)).toEqual(['cancel']);
  });
});
