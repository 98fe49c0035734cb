/**
 * Recurring faults found by themselves (S1): when an incident is resolved, the incidents of its window are compared
 * under each rule; a rule met proposes a problem (or links the incident to the open one with the same key). The
 * rules are data (problem_detection_rules); these are the defaults the migration seeds.
 */
export const RECURRENCE_KINDS = ['alert_group', 'system_cause', 'system_category'] as const;
export type RecurrenceKind = (typeof RECURRENCE_KINDS)[number];

export interface RecurrenceRule {
  kind: RecurrenceKind;
  /** How many incidents (the resolved one included) within the window make a recurrence. */
  threshold: number;
  windowDays: number;
  enabled: boolean;
}

export const DEFAULT_RECURRENCE_RULES: readonly RecurrenceRule[] = [
  { kind: 'alert_group', threshold: 3, windowDays: 30, enabled: true },
  { kind: 'system_cause', threshold: 2, windowDays: 30, enabled: true },
  { kind: 'system_category', threshold: 3, windowDays: 30, enabled: true },
];

export const RECURRENCE_ZH: Record<RecurrenceKind, string> = {
  alert_group: '同一告警组反复触发',
  system_cause: '同一系统同一原因反复发生',
  system_category: '同一系统同类故障反复发生',
};

export interface ResolvedIncident {
  id: string;
  number: string;
  systemId: string;
  reportedAt: number;
  category: string | null;
  cause: string | null;
  /** Alert groups the incident was opened from (group keys). */
  alertGroups: readonly string[];
}

export interface Recurrence {
  kind: RecurrenceKind;
  key: string;
  threshold: number;
  windowDays: number;
  /** The recurring incidents, oldest first, the resolved one included. */
  incidents: ResolvedIncident[];
}

/** Causes are compared as people write them, give or take case, spacing and trailing punctuation. */
export function normalizeCause(cause: string): string {
  return cause
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[\s。.，,；;！!]+$/u, '')
    .trim();
}

/**
 * The recurrences the resolved incident completes, most specific rule first (alert group, then cause, then
 * category): `recent` are the system's (and the alert groups') other resolved incidents, any order.
 */
export function findRecurrences(resolved: ResolvedIncident, recent: readonly ResolvedIncident[], rules: readonly RecurrenceRule[]): Recurrence[] {
  const out: Recurrence[] = [];
  for (const kind of RECURRENCE_KINDS) {
    const rule = rules.find((r) => r.kind === kind && r.enabled);
    if (!rule) continue;
    const since = resolved.reportedAt - rule.windowDays * 86_400_000;
    const inWindow = recent.filter((i) => i.id !== resolved.id && i.reportedAt >= since && i.reportedAt <= resolved.reportedAt);
    const keys: { key: string; same: (i: ResolvedIncident) => boolean }[] = [];
    if (kind === 'alert_group') for (const g of resolved.alertGroups) keys.push({ key: `alert_group:${g}`, same: (i) => i.alertGroups.includes(g) });
    if (kind === 'system_cause' && resolved.cause && normalizeCause(resolved.cause)) {
      const cause = normalizeCause(resolved.cause);
      keys.push({ key: `system_cause:${resolved.systemId}:${cause}`, same: (i) => i.systemId === resolved.systemId && i.cause !== null && normalizeCause(i.cause) === cause });
    }
    if (kind === 'system_category' && resolved.category) {
      keys.push({ key: `system_category:${resolved.systemId}:${resolved.category}`, same: (i) => i.systemId === resolved.systemId && i.category === resolved.category });
    }
    for (const k of keys) {
      const matching = inWindow.filter(k.same);
      if (matching.length + 1 >= rule.threshold) {
        const incidents = [...matching, resolved].sort((a, b) => a.reportedAt - b.reportedAt || a.number.localeCompare(b.number));
        out.push({ kind, key: k.key, threshold: rule.threshold, windowDays: rule.windowDays, incidents });
      }
    }
  }
  return out;
}
