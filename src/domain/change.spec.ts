import { describe, expect, it } from '@jest/globals';
import { Approval, Revision, approvalsComplete, assessRevision, needsReview } from './change';
import { ChangeInput, ChangeProcess } from './change-process';
import { CONTRACT_WORKING_HOURS } from './calendar';
import { addCalendarMonths } from './time';

const by = (id: string, roles: string[]) => ({ id, name: id, roles });
const approval = (id: string, roles: string[]): Approval => ({ revision: 1, by: by(id, roles), at: 0, comment: null });
const changeInput = (rev: Revision): ChangeInput => ({
  changeId: 'c1',
  number: 'CHG-1',
  systemId: 's1',
  systemName: 'HIS',
  kind: 'standard',
  title: 't',
  reason: 'r',
  window: { start: 0, end: 1 },
  implementer: null,
  submittedBy: by('a', ['engineer']),
  linkedIncidentId: null,
  linkedModificationId: null,
  firstRevision: rev,
  calendar: { timeZone: 'Asia/Shanghai', utcOffsetMinutes: 480, workingHours: CONTRACT_WORKING_HOURS, holidays: [], workdays: [], coveredYears: [2026] },
  reviewReminderWorkingDays: 1,
  reviewEscalationWorkingDays: 2,
  emergencyReviewWorkingDays: 1,
});

describe('S4 change rules', () => {
  it('the SQL decides: declared data-only but touching a table is a medium-risk schema change', () => {
    const r = assessRevision({
      declaredRisk: 'low',
      declaredObjects: [{ type: 'data', name: 'T', action: 'update' }],
      found: { objects: [{ type: 'table', name: 'T', action: 'alter' }], schemaChange: true, destructive: false, unparsed: [], riskFloor: 'medium' },
    });
    expect(r).toMatchObject({ schemaChange: true, risk: 'medium' });
    expect(r.objects).toHaveLength(2);
  });

  it('destructive SQL raises the risk to high whatever was declared', () => {
    const r = assessRevision({ declaredRisk: 'low', declaredObjects: [], found: { objects: [], schemaChange: true, destructive: true, unparsed: [], riskFloor: 'high' } });
    expect(r.risk).toBe('high');
  });

  it('a standard change skips review only without schema objects or unparsed SQL', () => {
    const base = { number: 1, forwardScript: '', rollbackScript: '', objects: [], destructive: false, risk: 'low' as const, submittedAt: 0, submittedBy: by('a', []) };
    expect(needsReview('standard', { ...base, schemaChange: false, unparsed: [] })).toBe(false);
    expect(needsReview('standard', { ...base, schemaChange: true, unparsed: [] })).toBe(true);
    expect(needsReview('standard', { ...base, schemaChange: false, unparsed: [{ index: 0, error: 'x' }] })).toBe(true);
    expect(needsReview('normal', { ...base, schemaChange: false, unparsed: [] })).toBe(true);
  });

  const none = { objects: [], schemaChange: false, destructive: false, unparsed: [], riskFloor: 'low' as const };

  it('issue 9: the rollback script is judged by the same rules: its DROP makes the revision destructive and high risk', () => {
    const r = assessRevision({
      declaredRisk: 'low',
      declaredObjects: [],
      found: { ...none, objects: [{ type: 'index', name: 'IX_A', action: 'create' }], schemaChange: true, riskFloor: 'medium' },
      rollback: { objects: [{ type: 'index', name: 'IX_A', action: 'drop' }], schemaChange: true, destructive: true, unparsed: [], riskFloor: 'high' },
    });
    expect(r).toMatchObject({ schemaChange: true, destructive: true, risk: 'high' });
    expect(r.rollback).toEqual({ objects: [{ type: 'index', name: 'IX_A', action: 'drop' }], schemaChange: true, destructive: true, unparsed: [] });
    expect(r.objects).toEqual([{ type: 'index', name: 'IX_A', action: 'create' }]);
  });

  it('issue 9: what the classifier could not see, in either script, is high risk and says which script', () => {
    const r = assessRevision({ declaredRisk: 'low', declaredObjects: [], found: none, rollback: { ...none, schemaChange: true, unparsed: [{ index: 2, error: 'calls dbo.usp_x' }] } });
    expect(r.unparsed).toEqual([{ index: 2, error: 'calls dbo.usp_x', script: 'rollback' }]);
    expect(r.risk).toBe('high');
    const base = { number: 1, forwardScript: '', rollbackScript: '', submittedAt: 0, submittedBy: by('a', []), ...r };
    expect(needsReview('standard', base)).toBe(true);
  });

  it('issue 9: a standard change cannot carry a destructive statement (DELETE without WHERE): review at high risk', () => {
    const assessed = assessRevision({ declaredRisk: 'low', declaredObjects: [], found: { ...none, objects: [{ type: 'data', name: 'T', action: 'delete' }], destructive: true, riskFloor: 'high' } });
    expect(assessed).toMatchObject({ schemaChange: false, destructive: true, risk: 'high' });
    const rev = { number: 1, forwardScript: 'DELETE FROM t', rollbackScript: '', submittedAt: 0, submittedBy: by('a', []), ...assessed };
    expect(needsReview('standard', rev)).toBe(true);
    const proc = new ChangeProcess(changeInput(rev));
    expect(proc.view()).toMatchObject({ state: 'in_review', risk: 'high' });
    // a workflow that started before the rule replays with the old one (patched in the workflow)
    expect(new ChangeProcess(changeInput(rev), { destructiveForcesReview: false }).view().state).toBe('approved');
  });

  it('high risk needs two approvals including an it_manager', () => {
    expect(approvalsComplete('medium', [approval('r1', ['reviewer'])])).toBe(true);
    expect(approvalsComplete('high', [approval('r1', ['reviewer'])])).toBe(false);
    expect(approvalsComplete('high', [approval('r1', ['reviewer']), approval('r2', ['reviewer'])])).toBe(false);
    expect(approvalsComplete('high', [approval('r1', ['reviewer']), approval('m', ['it_manager'])])).toBe(true);
  });
});

describe('addCalendarMonths (S3: 2 months of free maintenance)', () => {
  const at = (s: string) => Date.parse(s);
  it('keeps the local time and clamps to the end of a shorter month', () => {
    expect(addCalendarMonths(at('2026-11-27T10:00:00+08:00'), 2, 480)).toBe(at('2027-01-27T10:00:00+08:00'));
    expect(addCalendarMonths(at('2026-12-31T23:30:00+08:00'), 2, 480)).toBe(at('2027-02-28T23:30:00+08:00'));
    expect(addCalendarMonths(at('2027-12-31T00:30:00+08:00'), 2, 480)).toBe(at('2028-02-29T00:30:00+08:00'));
  });
});
