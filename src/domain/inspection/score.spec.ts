import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SEVERITIES, Severity } from './catalogue';
import { Component, SEVERITY_PENALTY, rankRisks, scoreItem, scoreSystem, trendOf } from './score';

const f = (checkId: string, severity: Severity, subject = 's', resultId = `${checkId}-${subject}`) => ({ resultId, checkId, subject, severity });
const c = (name: string, score: number | null, criticality: Component['criticality'] = 'medium'): Component => ({ itemId: `id-${name}`, name, type: 'server', criticality, score });

describe('item health score (P4)', () => {
  it('is 100 without findings and takes each severity its points', () => {
    expect(scoreItem([])).toEqual({ score: 100, deductions: [] });
    const s = scoreItem([f('os.fs.usage', 'high'), f('pg.locks', 'medium'), f('pg.idle', 'low'), f('os.uptime', 'info')]);
    expect(s.score).toBe(100 - 20 - 8 - 3);
    expect(s.deductions.map((d) => [d.checkId, d.points])).toEqual([
      ['os.fs.usage', 20],
      ['os.uptime', 0],
      ['pg.idle', 3],
      ['pg.locks', 8],
    ]);
  });

  it('counts repeats of one check half, capped at the first finding again', () => {
    const s = scoreItem([f('os.fs.usage', 'medium', '/a'), f('os.fs.usage', 'high', '/b'), f('os.fs.usage', 'high', '/c'), f('os.fs.usage', 'high', '/d')]);
    // first: /b high 20; repeats: /c 10, /d 10 (cap 20 reached), /a 0
    expect(s.deductions.map((d) => [d.subject, d.points, d.reason])).toEqual([
      ['/b', 20, 'first'],
      ['/c', 10, 'repeat'],
      ['/d', 10, 'repeat'],
      ['/a', 0, 'repeat'],
    ]);
    expect(s.score).toBe(60);
  });

  it('never leaves 0–100 and never rises when a finding is added (property)', () => {
    const finding = fc.record({ checkId: fc.constantFrom('a.b', 'a.c', 'd.e'), severity: fc.constantFrom(...SEVERITIES), subject: fc.constantFrom('x', 'y', 'z') });
    fc.assert(
      fc.property(fc.array(finding, { maxLength: 30 }), finding, (list, extra) => {
        const withIds = list.map((x, i) => ({ ...x, resultId: `r${i}` }));
        const before = scoreItem(withIds).score;
        const after = scoreItem([...withIds, { ...extra, resultId: 'extra' }]).score;
        expect(before).toBeGreaterThanOrEqual(0);
        expect(before).toBeLessThanOrEqual(100);
        expect(after).toBeLessThanOrEqual(before);
        expect(after).toBeGreaterThanOrEqual(before - SEVERITY_PENALTY[extra.severity]);
      }),
    );
  });
});

describe('business system score over its dependency tree (P4)', () => {
  it('lets the weakest critical dependency weigh most', () => {
    const s = scoreSystem([c('HIS', 100, 'critical'), c('web-1', 100, 'low'), c('web-2', 100, 'low'), c('his-db', 30, 'critical')]);
    // mean = (4*100 + 1*100 + 1*100 + 4*30) / 10 = 72; score = 0.6*30 + 0.4*72 = 46.8
    expect(s.mean).toBe(72);
    expect(s.weakestCritical).toMatchObject({ name: 'his-db', score: 30 });
    expect(s.score).toBe(47);
    expect(s.rule.zh).toContain('his-db');
    expect(s.parts.map((p) => p.name)).toEqual(['his-db', 'HIS', 'web-1', 'web-2']);
  });

  it('a weak low-criticality server hurts less than the same weakness in a critical database', () => {
    const weakWeb = scoreSystem([c('db', 100, 'critical'), c('web', 40, 'low')]).score!;
    const weakDb = scoreSystem([c('db', 40, 'critical'), c('web', 100, 'low')]).score!;
    expect(weakDb).toBeLessThan(weakWeb);
  });

  it('without critical or high items is the weighted mean; unscored items are listed, not counted', () => {
    const s = scoreSystem([c('a', 80, 'medium'), c('b', 50, 'low'), c('x', null, 'critical')]);
    expect(s.score).toBe(70);
    expect(s.weakestCritical).toBeNull();
    expect(s.unscored).toEqual([{ itemId: 'id-x', name: 'x' }]);
    expect(scoreSystem([c('x', null)]).score).toBeNull();
  });

  it('is never above the best and never below the worst part (property)', () => {
    const comp = fc.record({ score: fc.integer({ min: 0, max: 100 }), criticality: fc.constantFrom('low', 'medium', 'high', 'critical' as const), name: fc.string({ minLength: 1, maxLength: 4 }) });
    fc.assert(
      fc.property(fc.array(comp, { minLength: 1, maxLength: 12 }), (list) => {
        const s = scoreSystem(list.map((x, i) => ({ itemId: `i${i}`, type: 'server', ...x })));
        const scores = list.map((x) => x.score);
        expect(s.score!).toBeGreaterThanOrEqual(Math.min(...scores));
        expect(s.score!).toBeLessThanOrEqual(Math.max(...scores));
      }),
    );
  });
});

describe('trend and top risks', () => {
  it('calls out a drop of 5 points or more', () => {
    expect(trendOf(80, 90)).toEqual({ previous: 90, delta: -10, direction: 'worse', worsening: true });
    expect(trendOf(87, 90)).toMatchObject({ direction: 'worse', worsening: false });
    expect(trendOf(95, 90)).toMatchObject({ direction: 'better', worsening: false });
    expect(trendOf(95, undefined)).toEqual({ previous: null, delta: null, direction: 'new', worsening: false });
  });

  it('ranks by severity, criticality and reach, and leaves info out', () => {
    const base = { itemId: 'i', subject: 's', dependants: 0 };
    const ranked = rankRisks([
      { ...base, resultId: '1', checkId: 'a', severity: 'high', criticality: 'low' },
      { ...base, resultId: '2', checkId: 'b', severity: 'medium', criticality: 'critical', dependants: 4 },
      { ...base, resultId: '3', checkId: 'c', severity: 'info', criticality: 'critical' },
      { ...base, resultId: '4', checkId: 'd', severity: 'critical', criticality: 'high' },
    ]);
    expect(ranked.map((r) => [r.resultId, r.rank, r.riskScore])).toEqual([
      ['4', 1, 120],
      ['2', 2, 64],
      ['1', 3, 20],
    ]);
    expect(rankRisks([{ ...base, resultId: '1', checkId: 'a', severity: 'low', criticality: 'low' }], 0)).toHaveLength(0);
  });
});
