import { INCIDENT_STATES, IncidentState } from '../incident';
import { MODIFICATION_STATES, MODIFICATION_TYPES, ModificationState, ModificationType } from '../modification';
import { PRIORITIES, Priority } from '../sla-policy';

/**
 * How one hospital's project-management platform speaks (S15), as data per integration: which trackers are fault
 * reports (缺陷/报障) and which are requirements (需求), which statuses mean what in each direction, which custom
 * fields carry the business system, the department and Wardline's number. Checked twice: its shape here, and its
 * names against the real platform at setup (`catalogProblems`), so a tracker that does not exist is a configuration
 * error then, never a crash while polling.
 */
export interface PmMapping {
  trackers: { fault: string[]; requirement: string[] };
  /** The business system of a new record: the value of `field` (a code like SYS-11, or a system's name), else `default`. */
  system: { field: string | null; default: string };
  /** The reporting department of a new record: the value of `field`, else `default`. */
  department: { field: string | null; default: string };
  /** Platform priority → Wardline priority; anything else (or none) is `default`. */
  priorities: { map: Record<string, Priority>; default: Priority };
  /** What a requirement becomes (S3: improvement, adaptation, interface). */
  modificationType: ModificationType;
  /** A custom field Wardline writes its number into, or null. */
  numberField: string | null;
  /** Wardline's state → the platform status set with the progress comment; a state not listed leaves the status alone. */
  outbound: { incident: Partial<Record<IncidentState, string>>; modification: Partial<Record<ModificationState, string>> };
  /** A status the hospital sets → the Wardline command it means. Any other status change by the hospital is a conflict. */
  inbound: { incident: Record<string, InboundIncidentCommand>; modification: Record<string, InboundModificationCommand> };
}

/** Commands the hospital's side may give through its platform: the ones the hospital gives in Wardline too (S14, S17). */
export const INBOUND_INCIDENT_COMMANDS = ['cancel', 'confirm', 'reopen', 'close'] as const;
export type InboundIncidentCommand = (typeof INBOUND_INCIDENT_COMMANDS)[number];
export const INBOUND_MODIFICATION_COMMANDS = ['cancel', 'accept', 'reject_acceptance'] as const;
export type InboundModificationCommand = (typeof INBOUND_MODIFICATION_COMMANDS)[number];

export type PmRecordKind = 'incident' | 'modification';

/** What the platform has, as read from it at setup; null lists are unknown (a pushing platform names its own words). */
export interface PmCatalog {
  trackers: string[] | null;
  statuses: string[] | null;
  priorities: string[] | null;
  fields: string[] | null;
}

/** One problem with one field of a mapping, in zh-CN (read first) and English. */
export interface FieldProblem {
  field: string;
  zh: string;
  en: string;
}
const MAX_NAME = 100;
const MAX_NAMES = 50;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isName(v: unknown): v is string {
  return typeof v === 'string' && v.trim().length > 0 && v.length <= MAX_NAME && !v.includes('\u0000');
}

/**
 * The shape of a mapping: every problem at once, each naming its field (`mapping.trackers.fault[0]`), or the
 * mapping itself when there is none. Unknown keys are refused like unknown fields of any body.
 */
export function parseMapping(raw: unknown, field = 'mapping'): { mapping: PmMapping; problems: [] } | { mapping: null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const bad = (f: string, zh: string, en: string) => problems.push({ field: f, zh, en });
  const object = (v: unknown, f: string, keys: string[]): Record<string, unknown> => {
    if (!isRecord(v)) {
      bad(f, '必须是对象', 'must be an object');
      return {};
    }
    for (const k of Object.keys(v)) if (!keys.includes(k)) bad(`${f}.${k}`, '不认识的字段', 'is not a known field');
    return v;
  };
  const name = (v: unknown, f: string) => {
    if (!isName(v)) bad(f, `必须是 1–${MAX_NAME} 个字符的名称`, `must be a name of 1–${MAX_NAME} characters`);
  };
  const names = (v: unknown, f: string, required: boolean) => {
    if (!Array.isArray(v) || v.length > MAX_NAMES || (required && v.length === 0)) {
      bad(f, `必须是${required ? '非空的' : ''}名称列表（最多 ${MAX_NAMES} 个）`, `must be a ${required ? 'non-empty ' : ''}list of names (at most ${MAX_NAMES})`);
      return;
    }
    v.forEach((n, i) => name(n, `${f}[${i}]`));
  };
  const nullableName = (v: unknown, f: string) => {
    if (v !== null && v !== undefined) name(v, f);
  };
  const oneOf = <T extends string>(v: unknown, f: string, allowed: readonly T[]) => {
    if (typeof v !== 'string' || !allowed.includes(v as T)) bad(f, `必须是以下之一：${allowed.join(', ')}`, `must be one of: ${allowed.join(', ')}`);
  };
  const table = <T extends string>(v: unknown, f: string, keysFrom: readonly string[] | null, valuesFrom: readonly T[] | null) => {
    if (!isRecord(v)) {
      bad(f, '必须是对象', 'must be an object');
      return;
    }
    if (Object.keys(v).length > MAX_NAMES) bad(f, `最多 ${MAX_NAMES} 项`, `at most ${MAX_NAMES} entries`);
    for (const [k, value] of Object.entries(v)) {
      if (keysFrom && !keysFrom.includes(k)) bad(`${f}.${k}`, `不认识的状态；可用：${keysFrom.join(', ')}`, `is not a state; use: ${keysFrom.join(', ')}`);
      if (!keysFrom && !isName(k)) bad(`${f}.${k}`, '名称过长或为空', 'is an empty or too long name');
      if (valuesFrom) oneOf(value, `${f}.${k}`, valuesFrom);
      else name(value, `${f}.${k}`);
    }
  };

  const m = object(raw, field, ['trackers', 'system', 'department', 'priorities', 'modificationType', 'numberField', 'outbound', 'inbound']);
  if (problems.length > 0) return { mapping: null, problems };
  const trackers = object(m.trackers, `${field}.trackers`, ['fault', 'requirement']);
  names(trackers.fault, `${field}.trackers.fault`, true);
  names(trackers.requirement, `${field}.trackers.requirement`, false);
  if (Array.isArray(trackers.fault) && Array.isArray(trackers.requirement)) {
    const shared = (trackers.fault as unknown[]).filter((t) => (trackers.requirement as unknown[]).includes(t));
    for (const t of shared) bad(`${field}.trackers.requirement`, `“${String(t)}”不能既是报障又是需求`, `"${String(t)}" cannot be both a fault report and a requirement`);
  }
  for (const part of ['system', 'department'] as const) {
    const p = object(m[part], `${field}.${part}`, ['field', 'default']);
    nullableName(p.field, `${field}.${part}.field`);
    name(p.default, `${field}.${part}.default`);
  }
  const priorities = object(m.priorities, `${field}.priorities`, ['map', 'default']);
  table(priorities.map, `${field}.priorities.map`, null, PRIORITIES);
  oneOf(priorities.default, `${field}.priorities.default`, PRIORITIES);
  oneOf(m.modificationType, `${field}.modificationType`, MODIFICATION_TYPES);
  nullableName(m.numberField, `${field}.numberField`);
  const outbound = object(m.outbound, `${field}.outbound`, ['incident', 'modification']);
  table(outbound.incident, `${field}.outbound.incident`, INCIDENT_STATES, null);
  table(outbound.modification, `${field}.outbound.modification`, MODIFICATION_STATES, null);
  const inbound = object(m.inbound, `${field}.inbound`, ['incident', 'modification']);
  table(inbound.incident, `${field}.inbound.incident`, null, INBOUND_INCIDENT_COMMANDS);
  table(inbound.modification, `${field}.inbound.modification`, null, INBOUND_MODIFICATION_COMMANDS);
  if (problems.length > 0) return { mapping: null, problems };
  return {
    mapping: {
      trackers: { fault: trackers.fault as string[], requirement: trackers.requirement as string[] },
      system: { field: (m.system as PmMapping['system']).field ?? null, default: (m.system as PmMapping['system']).default },
      department: { field: (m.department as PmMapping['department']).field ?? null, default: (m.department as PmMapping['department']).default },
      priorities: priorities as PmMapping['priorities'],
      modificationType: m.modificationType as ModificationType,
      numberField: (m.numberField as string | null | undefined) ?? null,
      outbound: outbound as PmMapping['outbound'],
      inbound: inbound as PmMapping['inbound'],
    },
    problems: [],
  };
}

/**
 * Every name the mapping uses that the platform does not have, each naming its field and what the platform has
 * instead (the setup's 422). Lists the platform did not report (null) are not checked.
 */
export function catalogProblems(mapping: PmMapping, catalog: PmCatalog, where: { zh: string; en: string }, field = 'mapping'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const check = (list: string[] | null, value: string, f: string, zhWhat: string, enWhat: string) => {
    if (list === null || list.includes(value)) return;
    const has = list.length ? list.join(', ') : '—';
    problems.push({ field: f, zh: `${where.zh}中没有${zhWhat}“${value}”（现有：${has}）`, en: `${where.en} has no ${enWhat} "${value}" (it has: ${has})` });
  };
  mapping.trackers.fault.forEach((t, i) => check(catalog.trackers, t, `${field}.trackers.fault[${i}]`, '跟踪标签', 'tracker'));
  mapping.trackers.requirement.forEach((t, i) => check(catalog.trackers, t, `${field}.trackers.requirement[${i}]`, '跟踪标签', 'tracker'));
  for (const [state, status] of Object.entries(mapping.outbound.incident)) check(catalog.statuses, status!, `${field}.outbound.incident.${state}`, '状态', 'status');
  for (const [state, status] of Object.entries(mapping.outbound.modification)) check(catalog.statuses, status!, `${field}.outbound.modification.${state}`, '状态', 'status');
  for (const status of Object.keys(mapping.inbound.incident)) check(catalog.statuses, status, `${field}.inbound.incident.${status}`, '状态', 'status');
  for (const status of Object.keys(mapping.inbound.modification)) check(catalog.statuses, status, `${field}.inbound.modification.${status}`, '状态', 'status');
  for (const p of Object.keys(mapping.priorities.map)) check(catalog.priorities, p, `${field}.priorities.map.${p}`, '优先级', 'priority');
  for (const [f, value] of [
    ['system.field', mapping.system.field],
    ['department.field', mapping.department.field],
    ['numberField', mapping.numberField],
  ] as const) {
    if (value !== null) check(catalog.fields, value, `${field}.${f}`, '自定义字段', 'custom field');
  }
  return problems;
}

/** A fault report, a requirement, or something Wardline leaves alone (null). */
export function recordKindOf(mapping: PmMapping, tracker: string): PmRecordKind | null {
  if (mapping.trackers.fault.includes(tracker)) return 'incident';
  if (mapping.trackers.requirement.includes(tracker)) return 'modification';
  return null;
}

export function priorityOf(mapping: PmMapping, platformPriority: string | null): Priority {
  return (platformPriority !== null ? mapping.priorities.map[platformPriority] : undefined) ?? mapping.priorities.default;
}

/** The platform status for Wardline's state, or null to leave the platform's status as it is. */
export function outboundStatus(mapping: PmMapping, kind: PmRecordKind, state: string): string | null {
  const table: Record<string, string | undefined> = kind === 'incident' ? mapping.outbound.incident : mapping.outbound.modification;
  return table[state] ?? null;
}

/** The Wardline command a status set by the hospital means, or null. */
export function inboundCommand(mapping: PmMapping, kind: PmRecordKind, status: string): InboundIncidentCommand | InboundModificationCommand | null {
  const table: Record<string, string | undefined> = kind === 'incident' ? mapping.inbound.incident : mapping.inbound.modification;
  return (table[status] as InboundIncidentCommand | InboundModificationCommand | undefined) ?? null;
}

/** Redmine's default trackers, statuses and priorities (its "load default data"), mapped the way most hospitals use them. */
export const REDMINE_DEFAULT_MAPPING: PmMapping = {
  trackers: { fault: ['Bug'], requirement: ['Feature'] },
  system: { field: null, default: 'SYS-01' },
  department: { field: null, default: '信息科' },
  priorities: { map: { Immediate: 'P1', Urgent: 'P1', High: 'P2', Normal: 'P3', Low: 'P4' }, default: 'P3' },
  modificationType: 'improvement',
  numberField: null,
  outbound: {
    incident: { reported: 'New', acknowledged: 'In Progress', on_site: 'In Progress', resolved: 'Resolved', confirmed: 'Closed', closed: 'Closed', reopened: 'In Progress', cancelled: 'Rejected' },
    modification: {
      submitted: 'New',
      assessed: 'In Progress',
      approved: 'In Progress',
      live: 'Resolved',
      acceptance_requested: 'Feedback',
      accepted: 'Closed',
      closed: 'Closed',
      scope_rejected: 'Rejected',
      cancelled: 'Rejected',
    },
  },
  inbound: { incident: { Rejected: 'cancel', Closed: 'confirm' }, modification: { Rejected: 'cancel', Closed: 'accept' } },
};
