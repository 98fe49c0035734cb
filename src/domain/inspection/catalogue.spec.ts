import { describe, expect, it } from '@jest/globals';
import { CheckDefinition, checkApplies, judge, parseCommandOutput, toMeasuredNumber, validateCheck } from './catalogue';
import { SHIPPED_CHECKS } from './shipped-checks';

const base: CheckDefinition = {
  id: 'os.fs.usage',
  version: 1,
  collector: 'ssh',
  appliesTo: { itemTypes: ['server'] },
  profiles: ['quarterly', 'monthly'],
  query: 'df -P',
  unit: '%',
  basis: 'value',
  thresholds: [
    { op: '>=', value: 80, severity: 'medium' },
    { op: '>=', value: 90, severity: 'high' },
  ],
  severity: 'high',
  title: { zh: '文件系统使用率', en: 'Filesystem use' },
  explanation: { zh: '说明', en: 'why' },
  advice: { zh: '建议', en: 'advice' },
  enabled: true,
};

describe('check catalogue (P4, S16)', () => {
  it('every shipped check is valid, with a unique id, zh-CN first and English second', () => {
    expect(SHIPPED_CHECKS.length).toBeGreaterThanOrEqual(25);
    expect(new Set(SHIPPED_CHECKS.map((c) => c.id)).size).toBe(SHIPPED_CHECKS.length);
    for (const c of SHIPPED_CHECKS) {
      expect([c.id, validateCheck(c)]).toEqual([c.id, []]);
      expect(c.title.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(c.advice.zh).toMatch(/[\u4e00-\u9fff]/);
    }
    // The database environment comes first in S16: both engines have their own checks.
    expect(SHIPPED_CHECKS.filter((c) => c.collector === 'postgresql').length).toBeGreaterThanOrEqual(8);
    expect(SHIPPED_CHECKS.filter((c) => c.collector === 'mysql').length).toBeGreaterThanOrEqual(6);
    expect(SHIPPED_CHECKS.filter((c) => c.profiles.includes('monthly')).length).toBeLessThan(SHIPPED_CHECKS.length);
  });

  it('names every bad field of a definition', () => {
    const problems = validateCheck({
      ...base,
      id: 'Bad Id',
      collector: 'telnet' as never,
      thresholds: [{ op: '~' as never, value: Number.NaN, severity: 'critical' }],
      title: { zh: '', en: 'x' },
    });
    expect(problems.map((p) => p.field)).toEqual(['id', 'collector', 'thresholds[0].op', 'thresholds[0].value', 'thresholds[0].severity', 'title.zh']);
    expect(validateCheck({ ...base, collector: 'cmdb', query: 'DROP TABLE x' }).map((p) => p.field)).toEqual(['query']);
    expect(validateCheck({ ...base, thresholds: [] }).map((p) => p.field)).toEqual(['thresholds']);
  });

  it('applies by item type, engine, OS family and profile', () => {
    const pg: CheckDefinition = { ...base, collector: 'postgresql', appliesTo: { itemTypes: ['database'], engines: ['postgresql'] }, profiles: ['quarterly'] };
    expect(checkApplies(pg, { type: 'database', attributes: { engine: 'postgresql' } }, 'quarterly')).toBe(true);
    expect(checkApplies(pg, { type: 'database', attributes: { engine: 'mysql' } }, 'quarterly')).toBe(false);
    expect(checkApplies(pg, { type: 'database', attributes: { engine: 'postgresql' } }, 'monthly')).toBe(false);
    expect(checkApplies({ ...pg, enabled: false }, { type: 'database', attributes: { engine: 'postgresql' } }, 'quarterly')).toBe(false);
    const deb: CheckDefinition = { ...base, appliesTo: { itemTypes: ['server'], osFamilies: ['debian'] } };
    expect(checkApplies(deb, { type: 'server', attributes: { osFamily: 'rhel' } }, 'monthly')).toBe(false);
    expect(checkApplies(deb, { type: 'server', attributes: {} }, 'monthly')).toBe(true);
  });

  it('judges a value by the most severe breached threshold', () => {
    expect(judge(base, { subject: '/', value: 95 }, undefined)).toMatchObject({ compared: 95, severity: 'high', threshold: { value: 90 } });
    expect(judge(base, { subject: '/', value: 85 }, undefined)).toMatchObject({ severity: 'medium' });
    expect(judge(base, { subject: '/', value: 50 }, undefined)).toMatchObject({ severity: null, threshold: null });
    expect(judge(base, { subject: 'replica', value: null }, undefined).severity).toBeNull();
    expect(judge({ ...base, onNull: 'high' }, { subject: 'replica', value: null }, undefined).severity).toBe('high');
  });

  it('judges deltas and growth against the previous inspection, and nothing without one', () => {
    const delta = { ...base, basis: 'delta' as const, thresholds: [{ op: '>=' as const, value: 10, severity: 'medium' as const }] };
    expect(judge(delta, { subject: 'slow', value: 130 }, 100)).toMatchObject({ compared: 30, severity: 'medium' });
    expect(judge(delta, { subject: 'slow', value: 130 }, undefined)).toMatchObject({ compared: null, severity: null, note: expect.stringContaining('previous') });
    const growth = { ...base, basis: 'growth_percent' as const, thresholds: [{ op: '>=' as const, value: 50, severity: 'medium' as const }] };
    expect(judge(growth, { subject: 'db', value: 15 }, 10)).toMatchObject({ compared: 50, severity: 'medium' });
    expect(judge(growth, { subject: 'db', value: 12 }, 10)).toMatchObject({ compared: 20, severity: null });
  });

  it('parses command output lines and refuses what is not a number', () => {
    expect(parseCommandOutput('/\t42\n/var\t91\tdetail here\n\n')).toEqual({
      measurements: [
        { subject: '/', value: 42 },
        { subject: '/var', value: 91, detail: 'detail here' },
      ],
      problems: [],
    });
    expect(parseCommandOutput('7\n')).toEqual({ measurements: [{ subject: 'value', value: 7 }], problems: [] });
    expect(parseCommandOutput('x\tabc\n').problems).toEqual(['not a number: x\tabc']);
    expect(parseCommandOutput('x\t-\n').measurements).toEqual([{ subject: 'x', value: null }]);
    expect([toMeasuredNumber('12.5'), toMeasuredNumber(null), toMeasuredNumber('abc'), toMeasuredNumber(BigInt(3)), toMeasuredNumber(true)]).toEqual([12.5, null, 'invalid', 3, 1]);
  });
});
