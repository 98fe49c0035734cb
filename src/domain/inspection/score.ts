/**
 * Health scores (P4): 0–100 per configuration item from its findings weighted by severity, and per business
 * system over its dependency tree where the weakest critical dependency weighs most. Pure: the inspection's
 * activities hand in the findings and the tree; every number comes back with the parts that made it, so the API
 * can say which findings took what.
 */
import type { Criticality } from '../cmdb';
import { SEVERITY_RANK, Severity } from './catalogue';

/** Points a finding takes from 100, by severity. */
export const SEVERITY_PENALTY: Record<Severity, number> = { info: 0, low: 3, medium: 8, high: 20, critical: 40 };
/** Further findings of one check on one item take half as much each, at most as much again as the first in all. */
export const REPEAT_FACTOR = 0.5;
/** How much an item weighs in its business system's mean, by CMDB criticality. */
export const CRITICALITY_WEIGHT: Record<Criticality, number> = { low: 1, medium: 2, high: 3, critical: 4 };
/** The weakest critical (or high) dependency's share of the system score; the weighted mean has the rest. */
export const WEAKEST_SHARE = 0.6;
/** A score this many points below the previous inspection's is called out as worsening. */
export const WORSENING_POINTS = 5;

export interface ScoredFinding {
  resultId: string;
  checkId: string;
  subject: string;
  severity: Severity;
}

export interface Deduction extends ScoredFinding {
  points: number;
  /** Why it took what it took: `first` of its check, or a `repeat`. */
  reason: 'first' | 'repeat';
}

export interface ItemScore {
  score: number;
  deductions: Deduction[];
}

const round1 = (n: number) => Math.round(n * 10) / 10;

const bySeverityThenId = (a: ScoredFinding, b: ScoredFinding) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.subject.localeCompare(b.subject) || a.resultId.localeCompare(b.resultId);

/** An item's score: 100 less each finding's points; repeats of one check count half, capped at the first's points again. */
export function scoreItem(findings: ScoredFinding[]): ItemScore {
  const byCheck = new Map<string, ScoredFinding[]>();
  for (const f of findings) byCheck.set(f.checkId, [...(byCheck.get(f.checkId) ?? []), f]);
  const deductions: Deduction[] = [];
  for (const checkId of [...byCheck.keys()].sort()) {
    const list = byCheck.get(checkId)!.slice().sort(bySeverityThenId);
    const first = SEVERITY_PENALTY[list[0].severity];
    let repeats = 0;
    list.forEach((f, i) => {
      if (i === 0) {
        deductions.push({ ...f, points: first, reason: 'first' });
        return;
      }
      const want = SEVERITY_PENALTY[f.severity] * REPEAT_FACTOR;
      const points = round1(Math.max(0, Math.min(want, first - repeats)));
      repeats += points;
      deductions.push({ ...f, points, reason: 'repeat' });
    });
  }
  const total = deductions.reduce((s, d) => s + d.points, 0);
  return { score: Math.max(0, Math.round(100 - total)), deductions };
}

export interface Component {
  itemId: string;
  name: string;
  type: string;
  criticality: Criticality;
  /** null: not scored (no check applied, or it was not inspected). */
  score: number | null;
}

export interface SystemScorePart {
  itemId: string;
  name: string;
  type: string;
  criticality: Criticality;
  score: number;
  weight: number;
}

export interface SystemScore {
  score: number | null;
  mean: number | null;
  weakestCritical: SystemScorePart | null;
  parts: SystemScorePart[];
  unscored: { itemId: string; name: string }[];
  rule: { zh: string; en: string };
}

/**
 * A business system's score over the items of its dependency tree (itself included): the weighted mean of the
 * items' scores (weights by criticality), blended with the weakest critical or high dependency, which takes
 * WEAKEST_SHARE of the result: a HIS whose critical database scores 30 is not healthy because its ten web servers are.
 */
export function scoreSystem(components: Component[]): SystemScore {
  const parts: SystemScorePart[] = components
    .filter((c): c is Component & { score: number } => c.score !== null)
    .map((c) => ({ itemId: c.itemId, name: c.name, type: c.type, criticality: c.criticality, score: c.score, weight: CRITICALITY_WEIGHT[c.criticality] }))
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  const unscored = components.filter((c) => c.score === null).map((c) => ({ itemId: c.itemId, name: c.name }));
  if (parts.length === 0) {
    return { score: null, mean: null, weakestCritical: null, parts, unscored, rule: { zh: '依赖树中没有已评分的配置项', en: 'no item of the dependency tree was scored' } };
  }
  const weights = parts.reduce((s, p) => s + p.weight, 0);
  const mean = round1(parts.reduce((s, p) => s + p.weight * p.score, 0) / weights);
  const weakestCritical = parts.find((p) => p.criticality === 'critical' || p.criticality === 'high') ?? null;
  if (!weakestCritical) {
    return {
      score: Math.round(mean),
      mean,
      weakestCritical: null,
      parts,
      unscored,
      rule: { zh: `按关键程度加权平均 ${mean}（无关键/高依赖）`, en: `criticality-weighted mean ${mean} (no critical or high dependency)` },
    };
  }
  const score = Math.round(WEAKEST_SHARE * weakestCritical.score + (1 - WEAKEST_SHARE) * mean);
  return {
    score,
    mean,
    weakestCritical,
    parts,
    unscored,
    rule: {
      zh: `最弱关键依赖 ${weakestCritical.name}（${weakestCritical.score}）占 ${WEAKEST_SHARE * 100}%，加权平均 ${mean} 占 ${Math.round((1 - WEAKEST_SHARE) * 100)}%`,
      en: `weakest critical dependency ${weakestCritical.name} (${weakestCritical.score}) weighs ${WEAKEST_SHARE * 100}%, the weighted mean ${mean} ${Math.round((1 - WEAKEST_SHARE) * 100)}%`,
    },
  };
}

export interface Trend {
  previous: number | null;
  delta: number | null;
  direction: 'new' | 'better' | 'worse' | 'same';
  worsening: boolean;
}

/** A score beside the previous inspection's; `worsening` when it fell by WORSENING_POINTS or more. */
export function trendOf(current: number | null, previous: number | null | undefined): Trend {
  if (current === null || previous === null || previous === undefined) return { previous: previous ?? null, delta: null, direction: 'new', worsening: false };
  const delta = current - previous;
  return { previous, delta, direction: delta > 0 ? 'better' : delta < 0 ? 'worse' : 'same', worsening: delta <= -WORSENING_POINTS };
}

export interface RiskInput {
  resultId: string;
  itemId: string;
  checkId: string;
  subject: string;
  severity: Severity;
  criticality: Criticality;
  /** Business systems the item's outage reaches (CMDB impact). */
  dependants: number;
}

export interface RankedRisk extends RiskInput {
  rank: number;
  riskScore: number;
}

/** The top risks: severity's points × the item's criticality weight × (1 + a quarter per business system it reaches, up to 8). */
export function rankRisks(findings: RiskInput[], limit = 10): RankedRisk[] {
  return findings
    .filter((f) => SEVERITY_PENALTY[f.severity] > 0)
    .map((f) => ({ ...f, riskScore: round1(SEVERITY_PENALTY[f.severity] * CRITICALITY_WEIGHT[f.criticality] * (1 + 0.25 * Math.min(f.dependants, 8))) }))
    .sort((a, b) => b.riskScore - a.riskScore || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.checkId.localeCompare(b.checkId) || a.subject.localeCompare(b.subject) || a.resultId.localeCompare(b.resultId))
    .slice(0, limit)
    .map((f, i) => ({ ...f, rank: i + 1 }));
}
