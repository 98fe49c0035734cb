/**
 * Satisfaction surveys (S8): when the hospital confirms a fix, the reporter scores the service 1–5 and may comment,
 * once, through a signed link that expires. Results per month, engineer and system. Pure.
 */

export const SURVEY_SCORES = [1, 2, 3, 4, 5] as const;
export type SurveyScore = (typeof SURVEY_SCORES)[number];

/** How long a survey link works after the confirmation, in days. */
export const SURVEY_LINK_TTL_DAYS = 7;

/** The purpose signed into survey links (src/infra/ack-links.ts). */
export const SURVEY_LINK_PURPOSE = 's1';

export const SCORE_ZH: Record<SurveyScore, string> = { 1: '非常不满意', 2: '不满意', 3: '一般', 4: '满意', 5: '非常满意' };

export interface SurveyAnswer {
  score: number;
  engineerId: string | null;
  engineerName: string | null;
  systemId: string;
  systemCode: string;
  systemName: string;
  /** The month of the answer in the contract's zone, YYYY-MM. */
  month: string;
}

export interface ScoreStats {
  responses: number;
  /** Mean score to two decimals; null without responses. */
  average: number | null;
  /** How many answered 1, 2, 3, 4 and 5. */
  distribution: Record<SurveyScore, number>;
  /** Share of 4 and 5, to one decimal of a percent; null without responses. */
  satisfiedPercent: number | null;
}

export function scoreStats(scores: readonly number[]): ScoreStats {
  const distribution = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } as Record<SurveyScore, number>;
  for (const s of scores) distribution[s as SurveyScore]++;
  const n = scores.length;
  const sum = scores.reduce((a, b) => a + b, 0);
  return {
    responses: n,
    average: n === 0 ? null : Math.round((sum * 100) / n) / 100,
    distribution,
    satisfiedPercent: n === 0 ? null : Math.round(((distribution[4] + distribution[5]) * 1000) / n) / 10,
  };
}

function groupBy<K>(answers: readonly SurveyAnswer[], key: (a: SurveyAnswer) => K): Map<K, SurveyAnswer[]> {
  const out = new Map<K, SurveyAnswer[]>();
  for (const a of answers) out.set(key(a), [...(out.get(key(a)) ?? []), a]);
  return out;
}

export interface SurveySummary extends ScoreStats {
  /** Surveys sent in the period (confirmations), answered or not. */
  sent: number;
  byMonth: ({ month: string } & ScoreStats)[];
  byEngineer: ({ engineerId: string | null; name: string } & ScoreStats)[];
  bySystem: ({ systemId: string; code: string; name: string } & ScoreStats)[];
}

/** Totals and the breakdowns, each sorted for a stable report: months in order, engineers and systems by name/code. */
export function summarize(answers: readonly SurveyAnswer[], sent: number): SurveySummary {
  const scores = (list: readonly SurveyAnswer[]) => scoreStats(list.map((a) => a.score));
  return {
    sent,
    ...scores(answers),
    byMonth: [...groupBy(answers, (a) => a.month)].sort(([a], [b]) => a.localeCompare(b)).map(([month, list]) => ({ month, ...scores(list) })),
    byEngineer: [...groupBy(answers, (a) => a.engineerId ?? '')]
      .map(([, list]) => ({ engineerId: list[0].engineerId, name: list[0].engineerName ?? '（未指派）', ...scores(list) }))
      .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN') || (a.engineerId ?? '').localeCompare(b.engineerId ?? '')),
    bySystem: [...groupBy(answers, (a) => a.systemId)]
      .map(([systemId, list]) => ({ systemId, code: list[0].systemCode, name: list[0].systemName, ...scores(list) }))
      .sort((a, b) => a.code.localeCompare(b.code, 'en', { numeric: true })),
  };
}
