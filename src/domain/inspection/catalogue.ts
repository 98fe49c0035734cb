/**
 * The inspection check catalogue (P4, S16) as data: each check names the item types it applies to, the collector
 * that runs it, the command or query, the thresholds that turn a measured value into a finding, and its zh-CN
 * title, explanation and advice with English second. Checks are versioned: a hospital adds a check, or a new
 * version of one, through the API; an inspection records which version of each check it ran.
 */
import { ITEM_TYPE_NAMES, ItemType } from '../cmdb';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
export const SEVERITY_LABELS: Record<Severity, { zh: string; en: string }> = {
  info: { zh: '提示', en: 'info' },
  low: { zh: '低', en: 'low' },
  medium: { zh: '中', en: 'medium' },
  high: { zh: '高', en: 'high' },
  critical: { zh: '严重', en: 'critical' },
};
export const isSeverity = (s: unknown): s is Severity => typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s);

/** Who measures: the OS over SSH, a database over its own protocol, Prometheus, or the CMDB's own records. */
export const COLLECTORS = ['ssh', 'postgresql', 'mysql', 'prometheus', 'cmdb'] as const;
export type Collector = (typeof COLLECTORS)[number];

/** The quarterly inspection runs every check; the lighter monthly one only those that list `monthly` (S16, P4). */
export const PROFILES = ['quarterly', 'monthly'] as const;
export type Profile = (typeof PROFILES)[number];

export const OPERATORS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Operator = (typeof OPERATORS)[number];

export interface Threshold {
  op: Operator;
  value: number;
  severity: Severity;
}

/**
 * What is compared with the thresholds: the measured value itself, its change since the previous inspection
 * (`delta`, e.g. slow queries counted by the server), or that change in per cent (`growth_percent`, disk growth).
 */
export const BASES = ['value', 'delta', 'growth_percent'] as const;
export type Basis = (typeof BASES)[number];

export interface Text {
  zh: string;
  en: string;
}

export interface CheckDefinition {
  /** Stable id, dotted: `os.fs.usage`, `pg.idle_in_transaction`. */
  id: string;
  version: number;
  collector: Collector;
  appliesTo: {
    itemTypes: ItemType[];
    /** Database engines (CMDB `engine`) the check fits; absent: all. */
    engines?: string[];
    /** Server OS families (CMDB `osFamily`) the check fits; absent: all. */
    osFamilies?: string[];
  };
  profiles: Profile[];
  /**
   * ssh: a shell command printing `subject<TAB>value[<TAB>detail]` lines (exit 3 means "not applicable here",
   * its output the reason). postgresql/mysql: a read-only query returning subject/value/detail columns.
   * prometheus: PromQL with `$selector` (the item's series) and `$range` (since the previous inspection).
   * cmdb: `ageHours(<attribute>)`, the age of a timestamp attribute of the item.
   */
  query: string;
  /** A query returning no rows means the check does not apply to this item (e.g. an extension not installed). */
  precondition?: string;
  /** Column names when the query cannot alias them (e.g. `SHOW SLAVE STATUS`). */
  columns?: { subject?: string; value?: string; detail?: string };
  unit: string;
  basis: Basis;
  /** Each breached threshold gives its severity; the most severe wins. */
  thresholds: Threshold[];
  /** Severity when the query returns a row whose value is missing (e.g. replication stopped); absent: no finding. */
  onNull?: Severity;
  /** The most severe finding this check can make (its thresholds and onNull never exceed it). */
  severity: Severity;
  title: Text;
  explanation: Text;
  advice: Text;
  enabled: boolean;
}

export interface CatalogueProblem {
  field: string;
  zh: string;
  en: string;
}

const ID = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+){1,5}$/;

function text(v: unknown, field: string, max: number, problems: CatalogueProblem[]): void {
  const t = v as Text | undefined;
  if (!t || typeof t !== 'object') {
    problems.push({ field, zh: `${field} 须包含中文 (zh) 与英文 (en)`, en: `${field} needs zh and en` });
    return;
  }
  for (const lang of ['zh', 'en'] as const) {
    const s = t[lang];
    if (typeof s !== 'string' || s.trim().length === 0 || s.length > max) problems.push({ field: `${field}.${lang}`, zh: `${field}.${lang} 须为 1–${max} 字的文字`, en: `${field}.${lang} must be 1–${max} characters` });
  }
}

/** Every problem with a check definition, each naming its field; an empty list means it may be published. */
export function validateCheck(def: Omit<CheckDefinition, 'version'> & { version?: number }): CatalogueProblem[] {
  const problems: CatalogueProblem[] = [];
  const p = (field: string, zh: string, en: string) => problems.push({ field, zh, en });
  if (typeof def.id !== 'string' || !ID.test(def.id) || def.id.length > 80) p('id', 'id 须为小写点分标识，如 os.fs.usage', 'id must be a dotted lower-case name such as os.fs.usage');
  if (!(COLLECTORS as readonly string[]).includes(def.collector)) p('collector', `collector 须为 ${COLLECTORS.join('、')} 之一`, `collector must be one of: ${COLLECTORS.join(', ')}`);
  const types = def.appliesTo?.itemTypes;
  if (!Array.isArray(types) || types.length === 0 || types.some((t) => !(ITEM_TYPE_NAMES as string[]).includes(t))) {
    p('appliesTo.itemTypes', `须列出适用的配置项类型（${ITEM_TYPE_NAMES.join('、')}）`, `list the item types it applies to (${ITEM_TYPE_NAMES.join(', ')})`);
  }
  for (const key of ['engines', 'osFamilies'] as const) {
    const v = def.appliesTo?.[key];
    if (v !== undefined && (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string' || x.length > 40))) p(`appliesTo.${key}`, `${key} 须为非空文字列表`, `${key} must be a non-empty list of names`);
  }
  if (!Array.isArray(def.profiles) || def.profiles.length === 0 || def.profiles.some((x) => !(PROFILES as readonly string[]).includes(x))) {
    p('profiles', `profiles 须为 ${PROFILES.join('、')} 的非空子集`, `profiles must be a non-empty subset of: ${PROFILES.join(', ')}`);
  }
  if (typeof def.query !== 'string' || def.query.trim().length === 0 || def.query.length > 8000) p('query', 'query 须为 1–8000 字的命令或查询', 'query must be a command or query of 1–8000 characters');
  else if (def.collector === 'cmdb' && !/^ageHours\([A-Za-z][A-Za-z0-9]*\)$/.test(def.query)) p('query', 'cmdb 检查的 query 须为 ageHours(属性名)', 'a cmdb check query must be ageHours(<attribute>)');
  if (def.precondition !== undefined && (typeof def.precondition !== 'string' || def.precondition.length > 2000)) p('precondition', 'precondition 须为至多 2000 字的查询', 'precondition must be a query of at most 2000 characters');
  if (def.columns !== undefined) {
    for (const [k, v] of Object.entries(def.columns)) {
      if (!['subject', 'value', 'detail'].includes(k) || typeof v !== 'string' || v.length === 0 || v.length > 64) p(`columns.${k}`, '列名须为 subject/value/detail 之一且为 1–64 字', 'columns may name subject, value and detail, each 1–64 characters');
    }
  }
  if (typeof def.unit !== 'string' || def.unit.length > 20) p('unit', 'unit 须为至多 20 字', 'unit must be at most 20 characters');
  if (!(BASES as readonly string[]).includes(def.basis)) p('basis', `basis 须为 ${BASES.join('、')} 之一`, `basis must be one of: ${BASES.join(', ')}`);
  if (!isSeverity(def.severity)) p('severity', `severity 须为 ${SEVERITIES.join('、')} 之一`, `severity must be one of: ${SEVERITIES.join(', ')}`);
  if (!Array.isArray(def.thresholds) || def.thresholds.length > 10) p('thresholds', 'thresholds 须为至多 10 条的列表', 'thresholds must be a list of at most 10');
  else if (def.thresholds.length === 0 && def.onNull === undefined) p('thresholds', '至少需要一条阈值（或 onNull）', 'give at least one threshold (or onNull)');
  else {
    def.thresholds.forEach((t, i) => {
      if (!t || !(OPERATORS as readonly string[]).includes(t.op)) p(`thresholds[${i}].op`, `op 须为 ${OPERATORS.join(' ')} 之一`, `op must be one of: ${OPERATORS.join(' ')}`);
      if (!t || typeof t.value !== 'number' || !Number.isFinite(t.value)) p(`thresholds[${i}].value`, 'value 须为有限数值', 'value must be a finite number');
      if (!t || !isSeverity(t.severity)) p(`thresholds[${i}].severity`, `severity 须为 ${SEVERITIES.join('、')} 之一`, `severity must be one of: ${SEVERITIES.join(', ')}`);
      else if (isSeverity(def.severity) && SEVERITY_RANK[t.severity] > SEVERITY_RANK[def.severity]) p(`thresholds[${i}].severity`, '阈值的严重度不得高于检查本身的 severity', "a threshold's severity may not exceed the check's severity");
    });
  }
  if (def.onNull !== undefined && (!isSeverity(def.onNull) || (isSeverity(def.severity) && SEVERITY_RANK[def.onNull] > SEVERITY_RANK[def.severity]))) p('onNull', 'onNull 须为不高于 severity 的严重度', "onNull must be a severity no higher than the check's");
  text(def.title, 'title', 200, problems);
  text(def.explanation, 'explanation', 2000, problems);
  text(def.advice, 'advice', 2000, problems);
  if (typeof def.enabled !== 'boolean') p('enabled', 'enabled 须为 true 或 false', 'enabled must be true or false');
  return problems;
}

/** Whether a check runs on an item of this type (and engine or OS family) in this profile. */
export function checkApplies(def: CheckDefinition, item: { type: string; attributes: Record<string, unknown> }, profile: Profile): boolean {
  if (!def.enabled || !def.profiles.includes(profile)) return false;
  if (!(def.appliesTo.itemTypes as string[]).includes(item.type)) return false;
  if (def.appliesTo.engines && !def.appliesTo.engines.includes(String(item.attributes.engine ?? ''))) return false;
  // A server without osFamily is taken for what the check says: commands fail closed into a finding if not.
  if (def.appliesTo.osFamilies && item.attributes.osFamily !== undefined && !def.appliesTo.osFamilies.includes(String(item.attributes.osFamily))) return false;
  return true;
}

const compare = (a: number, op: Operator, b: number): boolean => {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    default: {
      const never: never = op;
      throw new Error(`unknown operator ${String(never)}`);
    }
  }
};

export interface Measurement {
  subject: string;
  /** null: the query gave the row but no value (e.g. Seconds_Behind_Master NULL: replication stopped). */
  value: number | null;
  detail?: string;
}

export interface Judgement {
  /** The number compared with the thresholds (the value, or its change since last time). */
  compared: number | null;
  severity: Severity | null;
  /** The threshold that gave the severity, for the evidence ("≥ 90"). */
  threshold: Threshold | null;
  /** Why nothing could be compared (no previous value for a delta basis). */
  note?: string;
}

/** Turns one measured value into a severity, or none: the most severe breached threshold wins. */
export function judge(def: Pick<CheckDefinition, 'basis' | 'thresholds' | 'onNull'>, m: Measurement, previous: number | null | undefined): Judgement {
  if (m.value === null || Number.isNaN(m.value)) {
    return def.onNull ? { compared: null, severity: def.onNull, threshold: null, note: 'no value' } : { compared: null, severity: null, threshold: null, note: 'no value' };
  }
  let compared: number;
  if (def.basis === 'value') compared = m.value;
  else if (previous === undefined || previous === null) return { compared: null, severity: null, threshold: null, note: 'no previous inspection to compare with' };
  else if (def.basis === 'delta') compared = m.value - previous;
  else compared = previous === 0 ? (m.value === 0 ? 0 : Infinity) : ((m.value - previous) / Math.abs(previous)) * 100;
  let best: Threshold | null = null;
  for (const t of def.thresholds) {
    if (compare(compared, t.op, t.value) && (!best || SEVERITY_RANK[t.severity] > SEVERITY_RANK[best.severity])) best = t;
  }
  return { compared: Number.isFinite(compared) ? Math.round(compared * 1000) / 1000 : compared, severity: best?.severity ?? null, threshold: best };
}

/** Parses a shell check's output: `subject<TAB>value[<TAB>detail]` per line; a bare number is the subject `value`. */
export function parseCommandOutput(stdout: string): { measurements: Measurement[]; problems: string[] } {
  const measurements: Measurement[] = [];
  const problems: string[] = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const parts = line.split('\t');
    const [subject, value, ...rest] = parts.length === 1 ? ['value', parts[0]] : parts;
    const v = value.trim();
    const n = v === '' || /^(null|nan|-)$/i.test(v) ? null : Number(v);
    if (n !== null && !Number.isFinite(n)) {
      problems.push(`not a number: ${line.slice(0, 200)}`);
      continue;
    }
    measurements.push({ subject: subject.trim().slice(0, 300) || 'value', value: n, ...(rest.length ? { detail: rest.join('\t').slice(0, 1000) } : {}) });
  }
  return { measurements, problems };
}

/** A database or Prometheus value as a number: numeric strings and bigints come back from drivers as text. */
export function toMeasuredNumber(v: unknown): number | null | 'invalid' {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : 'invalid';
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = Number(v.trim());
    return v.trim() !== '' && Number.isFinite(n) ? n : 'invalid';
  }
  return 'invalid';
}
