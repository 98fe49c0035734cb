import { describe, expect, it } from '@jest/globals';
import { Approval, approvalsComplete, assessRevision, needsReview } from './change';
import { lineDiff } from './text-diff';
import { addCalendarMonths } from './time';

const by = (id: string, roles: string[]) => ({ id, name: id, roles });
const approval = (id: string, roles: string[]): Approval => ({ revision: 1, by: by(id, roles), at: 0, comment: null });

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

  it('high risk needs two approvals including an it_manager', () => {
    expect(approvalsComplete('medium', [approval('r1', ['reviewer'])])).toBe(true);
    expect(approvalsComplete('high', [approval('r1', ['reviewer'])])).toBe(false);
    expect(approvalsComplete('high', [approval('r1', ['reviewer']), approval('r2', ['reviewer'])])).toBe(false);
    expect(approvalsComplete('high', [approval('r1', ['reviewer']), approval('m', ['it_manager'])])).toBe(true);
  });
});

describe('lineDiff', () => {
  it('marks kept, removed and added lines', () => {
    expect(lineDiff('a\nb\nc', 'a\nx\nc\nd')).toEqual(['  a', '- b', '+ x', '  c', '+ d']);
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
