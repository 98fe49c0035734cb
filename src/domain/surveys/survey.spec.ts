import { describe, expect, it } from '@jest/globals';
import { SurveyAnswer, scoreStats, summarize } from './survey';

const a = (score: number, engineer: string | null, system: string, month: string): SurveyAnswer => ({
  score,
  engineerId: engineer,
  engineerName: engineer ? `工程师${engineer}` : null,
  systemId: `id-${system}`,
  systemCode: system,
  systemName: `系统${system}`,
  month,
});

describe('satisfaction statistics (S8)', () => {
  it('averages to two decimals and counts the satisfied (4 and 5)', () => {
    expect(scoreStats([5, 4, 4])).toEqual({ responses: 3, average: 4.33, distribution: { 1: 0, 2: 0, 3: 0, 4: 2, 5: 1 }, satisfiedPercent: 100 });
    expect(scoreStats([1, 2, 5])).toMatchObject({ average: 2.67, satisfiedPercent: 33.3 });
    expect(scoreStats([])).toEqual({ responses: 0, average: null, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, satisfiedPercent: null });
  });

  it('breaks down by month, engineer and system, in a stable order', () => {
    const s = summarize([a(5, 'B', 'SYS-12', '2026-11'), a(3, 'A', 'SYS-2', '2026-10'), a(4, 'A', 'SYS-12', '2026-11'), a(2, null, 'SYS-2', '2026-11')], 6);
    expect(s).toMatchObject({ sent: 6, responses: 4, average: 3.5 });
    expect(s.byMonth.map((m) => [m.month, m.responses, m.average])).toEqual([
      ['2026-10', 1, 3],
      ['2026-11', 3, 3.67],
    ]);
    expect(s.byEngineer.map((e) => [e.engineerId, e.responses, e.average])).toEqual([
      [null, 1, 2],
      ['A', 2, 3.5],
      ['B', 1, 5],
    ]);
    expect(s.bySystem.map((x) => [x.code, x.responses, x.average])).toEqual([
      ['SYS-2', 2, 2.5],
      ['SYS-12', 2, 4.5],
    ]);
  });
});
