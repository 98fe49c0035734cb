import { CRITICALITIES, Criticality, FieldProblem } from '../cmdb';
import { PRIORITIES, Priority } from '../sla-policy';
import { SEVERITIES, Severity } from './alert';

/**
 * An alert's incident priority comes from its severity and the affected system's criticality (P3, S10: the priority
 * sets the SLA clocks), through a table kept as data (`alert_priority_map`, edited through the API). `unknown` rows
 * and columns are part of the table: an alert Wardline cannot place still gets a deliberate priority.
 */
export const MAP_CRITICALITIES = [...CRITICALITIES, 'unknown'] as const;
export type MapCriticality = Criticality | 'unknown';

export type PriorityMap = Record<Severity, Record<MapCriticality, Priority>>;

export const DEFAULT_PRIORITY_MAP: PriorityMap = {
  critical: { critical: 'P1', high: 'P1', medium: 'P2', low: 'P3', unknown: 'P2' },
  high: { critical: 'P1', high: 'P2', medium: 'P3', low: 'P3', unknown: 'P2' },
  warning: { critical: 'P2', high: 'P3', medium: 'P4', low: 'P4', unknown: 'P3' },
  info: { critical: 'P4', high: 'P4', medium: 'P4', low: 'P4', unknown: 'P4' },
  unknown: { critical: 'P2', high: 'P2', medium: 'P3', low: 'P3', unknown: 'P2' },
};

const RANK: Record<Priority, number> = { P1: 1, P2: 2, P3: 3, P4: 4 };

export function priorityFor(map: PriorityMap, severity: Severity, criticality: MapCriticality | null): Priority {
  return map[severity][criticality ?? 'unknown'];
}

/** The more urgent of two priorities (a group's worst alert sets its incident's priority). */
export function morePressing(a: Priority, b: Priority): Priority {
  return RANK[a] <= RANK[b] ? a : b;
}

export const CRITICALITY_RANK: Record<Criticality, number> = { critical: 4, high: 3, medium: 2, low: 1 };

/** The whole table from rows, or the problems: every severity × criticality cell once, each a known priority. */
export function priorityMapFrom(rows: { severity: string; criticality: string; priority: string }[]): { map: PriorityMap } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const map: Partial<Record<string, Partial<Record<string, Priority>>>> = {};
  rows.forEach((r, i) => {
    if (!(SEVERITIES as readonly string[]).includes(r.severity)) problems.push({ field: `cells.${i}.severity`, reason: `severity must be one of: ${SEVERITIES.join(', ')}` });
    if (!(MAP_CRITICALITIES as readonly string[]).includes(r.criticality)) problems.push({ field: `cells.${i}.criticality`, reason: `criticality must be one of: ${MAP_CRITICALITIES.join(', ')}` });
    if (!(PRIORITIES as readonly string[]).includes(r.priority)) problems.push({ field: `cells.${i}.priority`, reason: `priority must be one of: ${PRIORITIES.join(', ')}` });
    const row = (map[r.severity] ??= {});
    if (row[r.criticality]) problems.push({ field: `cells.${i}`, reason: `${r.severity} × ${r.criticality} is given twice` });
    row[r.criticality] = r.priority as Priority;
  });
  for (const s of SEVERITIES) {
    for (const c of MAP_CRITICALITIES) if (!map[s]?.[c]) problems.push({ field: 'cells', reason: `${s} × ${c} is missing: the table covers every severity and criticality` });
  }
  return problems.length ? { problems } : { map: map as PriorityMap };
}
