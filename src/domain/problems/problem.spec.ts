import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../errors';
import { ProblemInput, ProblemProcess } from './problem';
import { DEFAULT_RECURRENCE_RULES, ResolvedIncident, findRecurrences, normalizeCause } from './recurrence';

const DAY = 86_400_000;
const pm = { id: 'u-pm', name: '项目经理', roles: ['project_manager'] };
const eng = { id: 'u-eng', name: '李工', roles: ['engineer'] };
const input = (origin: ProblemInput['origin'] = { kind: 'recurrence', rule: 'system_cause', key: 'k', summary: 's' }): ProblemInput => ({
  problemId: 'p1',
  number: 'PRB-20261130-0001',
  systemId: 'sys',
  systemName: 'LIS',
  title: 't',
  description: 'd',
  origin,
  incidents: [{ id: 'i1', number: 'INC-1' }],
  openedAt: 0,
  openedBy: { id: 'system', name: 'Wardline' },
});
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as DomainError).code;
  }
  return null;
};

describe('problem lifecycle (S1)', () => {
  it('investigate → root cause → known error → fixed by an implemented change → closed', () => {
    const p = new ProblemProcess(input());
    expect(p.state).toBe('proposed');
    expect(p.opened()).toMatchObject({ seq: 0, type: 'opened', toState: 'proposed' });
    p.apply({ action: 'accept', actor: pm }, 1);
    p.apply({ action: 'record_root_cause', actor: eng, rootCause: '连接池上限过低' }, 2);
    expect(p.state).toBe('root_cause_identified');
    p.apply({ action: 'record_workaround', actor: eng, workaround: '高峰前重启服务' }, 3);
    expect(p.state).toBe('known_error');
    // Not fixed by word: a change is needed, and it must have been carried out.
    expect(code(() => p.validate({ action: 'mark_fixed', actor: eng }))).toBe('ILLEGAL_TRANSITION');
    p.apply({ action: 'link_change', actor: eng, change: { id: 'c1', number: 'CHG-1', state: 'approved' } }, 4);
    expect(code(() => p.validate({ action: 'mark_fixed', actor: eng }))).toBe('ILLEGAL_TRANSITION');
    const fixed = p.apply({ action: 'mark_fixed', actor: eng, change: { id: 'c1', number: 'CHG-1', state: 'implemented' } }, 5);
    expect(fixed).toMatchObject({ seq: 5, fromState: 'known_error', toState: 'fixed' });
    expect(p.view().fixedBy?.number).toBe('CHG-1');
    expect(p.view().changes).toHaveLength(1);
    p.apply({ action: 'close', actor: pm }, 6);
    expect(p.view()).toMatchObject({ state: 'closed', closedAt: 6, allowedActions: [] });
  });

  it('refuses steps out of order (409), by the wrong role (403), and empty texts (400)', () => {
    const p = new ProblemProcess(input());
    expect(code(() => p.validate({ action: 'record_workaround', actor: eng, workaround: 'x' }))).toBe('ILLEGAL_TRANSITION');
    expect(code(() => p.validate({ action: 'accept', actor: eng }))).toBe('FORBIDDEN');
    p.apply({ action: 'accept', actor: pm }, 1);
    expect(code(() => p.validate({ action: 'record_root_cause', actor: eng, rootCause: '  ' }))).toBe('INVALID_INPUT');
    expect(code(() => p.validate({ action: 'link_incident', actor: eng, incident: { id: 'i1', number: 'INC-1' } }))).toBe('ILLEGAL_TRANSITION');
    p.apply({ action: 'link_incident', actor: eng, incident: { id: 'i2', number: 'INC-2' } }, 2);
    expect(p.view().incidents.map((i) => i.number)).toEqual(['INC-1', 'INC-2']);
  });

  it('a problem raised by hand is investigated at once; a proposal may be rejected', () => {
    expect(new ProblemProcess(input({ kind: 'manual' })).state).toBe('investigating');
    const p = new ProblemProcess(input());
    p.apply({ action: 'reject', actor: pm, reason: '偶发，非同一原因' }, 1);
    expect(p.state).toBe('rejected');
    expect(code(() => p.validate({ action: 'accept', actor: pm }))).toBe('ILLEGAL_TRANSITION');
  });
});

describe('recurrence (S1)', () => {
  const inc = (n: number, day: number, o: Partial<ResolvedIncident> = {}): ResolvedIncident => ({
    id: `i${n}`,
    number: `INC-${n}`,
    systemId: 'LIS',
    reportedAt: day * DAY,
    category: 'system_error_fix',
    cause: '数据库连接池耗尽',
    alertGroups: [],
    ...o,
  });

  it('the same system and cause twice within 30 days proposes, most specific rule first', () => {
    const found = findRecurrences(inc(2, 40), [inc(1, 20, { cause: '数据库连接池耗尽。 ' })], DEFAULT_RECURRENCE_RULES);
    expect(found.map((f) => [f.kind, f.incidents.map((i) => i.number)])).toEqual([['system_cause', ['INC-1', 'INC-2']]]);
    expect(found[0].key).toBe('system_cause:LIS:数据库连接池耗尽');
  });

  it('outside the window, on another system or below the threshold, nothing recurs', () => {
    expect(findRecurrences(inc(2, 40), [inc(1, 5)], DEFAULT_RECURRENCE_RULES)).toEqual([]);
    expect(findRecurrences(inc(2, 40), [inc(1, 30, { systemId: 'HIS' })], DEFAULT_RECURRENCE_RULES)).toEqual([]);
    expect(findRecurrences(inc(3, 40, { cause: 'a' }), [inc(1, 30, { cause: 'b' })], DEFAULT_RECURRENCE_RULES)).toEqual([]);
    // The category rule needs three of a kind.
    const cat = findRecurrences(inc(3, 40, { cause: 'c' }), [inc(1, 30, { cause: 'a' }), inc(2, 35, { cause: 'b' })], DEFAULT_RECURRENCE_RULES);
    expect(cat.map((f) => f.kind)).toEqual(['system_category']);
  });

  it('the same alert group recurring across systems, and rules switched off by data', () => {
    const g = { alertGroups: ['node:db01'] };
    const found = findRecurrences(inc(3, 40, { ...g, cause: 'x', systemId: 'A' }), [inc(1, 30, { ...g, cause: 'y', systemId: 'B' }), inc(2, 35, { ...g, cause: 'z', systemId: 'C' })], DEFAULT_RECURRENCE_RULES);
    expect(found.map((f) => f.key)).toEqual(['alert_group:node:db01']);
    const off = DEFAULT_RECURRENCE_RULES.map((r) => ({ ...r, enabled: false }));
    expect(findRecurrences(inc(2, 40), [inc(1, 20)], off)).toEqual([]);
  });

  it('normalizes causes as people write them', () => {
    expect(normalizeCause('  DB  Pool exhausted。')).toBe('db pool exhausted');
    expect(normalizeCause('ＤＢ连接池')).toBe('db连接池');
  });
});
