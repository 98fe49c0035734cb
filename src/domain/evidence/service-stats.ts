import type { Tier } from '../sla-policy';

/**
 * Service figures of a period, from the incidents' projected facts (S8 monthly report, S17 acceptance pack, S11:
 * breaches are evidence). Pure: the caller reads the rows; these rules say what counts.
 * - A clock is met when it stopped without breaching, breached when it breached (whenever the work then finished),
 *   and open while it still runs unbreached; compliance = met / (met + breached), open clocks are not judged yet.
 * - MTTA is reported → first response (acknowledged or, arriving first, on site), MTTR reported → resolved, both in
 *   wall-clock minutes, averaged over the incidents that reached that point.
 * - Cancelled incidents are not service and are left out by the caller.
 */
export const CLOCK_KINDS = ['respond', 'on_site', 'repair'] as const;
export type IncidentClockKind = (typeof CLOCK_KINDS)[number];
export const TIERS: readonly Tier[] = ['working_time', 'off_hours'];

export interface IncidentClockFact {
  kind: IncidentClockKind;
  deadline: number | null;
  breached: boolean;
  breachedAt: number | null;
  stoppedAt: number | null;
}

export interface IncidentFact {
  number: string;
  systemCode: string;
  systemName: string;
  title: string;
  priority: string;
  tier: Tier;
  category: string | null;
  cause: string | null;
  state: string;
  reportedAt: number;
  acknowledgedAt: number | null;
  onSiteAt: number | null;
  resolvedAt: number | null;
  clocks: IncidentClockFact[];
}

export interface ComplianceRow {
  tier: Tier;
  clock: IncidentClockKind;
  incidents: number;
  met: number;
  breached: number;
  open: number;
  /** met / (met + breached); null when nothing was judged. */
  rate: number | null;
}

export interface BreachRow {
  number: string;
  systemCode: string;
  systemName: string;
  title: string;
  priority: string;
  tier: Tier;
  clock: IncidentClockKind;
  reportedAt: number;
  deadline: number;
  breachedAt: number;
  /** When the clock's work was finally done (response, arrival, repair), or null if it is not yet. */
  doneAt: number | null;
  /** Minutes past the deadline, to the work's completion or to `asOf` while it is not done. */
  overdueMinutes: number;
  cause: string | null;
}

export interface CountRow {
  key: string;
  label: string;
  count: number;
}

export interface ServiceStats {
  incidents: number;
  resolved: number;
  bySystem: CountRow[];
  byPriority: CountRow[];
  byCategory: CountRow[];
  compliance: ComplianceRow[];
  /** Mean minutes to first response and to resolution; null with nothing to average. */
  mttaMinutes: number | null;
  mttrMinutes: number | null;
  breaches: BreachRow[];
}

const byKey = (a: CountRow, b: CountRow) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function counts(items: IncidentFact[], key: (f: IncidentFact) => string, label: (f: IncidentFact) => string): CountRow[] {
  const m = new Map<string, CountRow>();
  for (const f of items) {
    const k = key(f);
    const row = m.get(k) ?? { key: k, label: label(f), count: 0 };
    row.count++;
    m.set(k, row);
  }
  return [...m.values()].sort(byKey);
}

const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

/** The first response: acknowledging, or arriving first (which also counts as the response). */
export function firstResponseAt(f: Pick<IncidentFact, 'acknowledgedAt' | 'onSiteAt'>): number | null {
  const xs = [f.acknowledgedAt, f.onSiteAt].filter((x): x is number => x !== null);
  return xs.length === 0 ? null : Math.min(...xs);
}

function doneAt(f: IncidentFact, kind: IncidentClockKind): number | null {
  if (kind === 'respond') return firstResponseAt(f);
  if (kind === 'on_site') return f.onSiteAt;
  return f.resolvedAt;
}

export function clockOutcome(c: IncidentClockFact): 'met' | 'breached' | 'open' {
  if (c.breached) return 'breached';
  return c.stoppedAt !== null ? 'met' : 'open';
}

export function complianceOf(items: IncidentFact[]): ComplianceRow[] {
  const rows: ComplianceRow[] = [];
  for (const tier of TIERS) {
    const inTier = items.filter((f) => f.tier === tier);
    for (const clock of CLOCK_KINDS) {
      const row: ComplianceRow = { tier, clock, incidents: inTier.length, met: 0, breached: 0, open: 0, rate: null };
      for (const f of inTier) {
        const c = f.clocks.find((x) => x.kind === clock);
        if (c) row[clockOutcome(c)]++;
      }
      row.rate = row.met + row.breached === 0 ? null : row.met / (row.met + row.breached);
      rows.push(row);
    }
  }
  return rows;
}

/** Every breached clock, the earliest first (then by number and clock), with what proves it. */
export function breachesOf(items: IncidentFact[], asOf: number): BreachRow[] {
  const out: BreachRow[] = [];
  for (const f of items) {
    for (const c of f.clocks) {
      if (!c.breached) continue;
      const deadline = c.deadline ?? c.breachedAt ?? f.reportedAt;
      const breachedAt = c.breachedAt ?? deadline;
      const done = doneAt(f, c.kind);
      out.push({
        number: f.number,
        systemCode: f.systemCode,
        systemName: f.systemName,
        title: f.title,
        priority: f.priority,
        tier: f.tier,
        clock: c.kind,
        reportedAt: f.reportedAt,
        deadline,
        breachedAt,
        doneAt: done,
        overdueMinutes: Math.max(0, Math.round(((done ?? asOf) - deadline) / 60_000)),
        cause: f.cause,
      });
    }
  }
  const order = (k: IncidentClockKind) => CLOCK_KINDS.indexOf(k);
  return out.sort((a, b) => a.breachedAt - b.breachedAt || (a.number < b.number ? -1 : a.number > b.number ? 1 : 0) || order(a.clock) - order(b.clock));
}

export function serviceStats(items: IncidentFact[], asOf: number, labels: { priority?: (p: string) => string; category?: (c: string | null) => string } = {}): ServiceStats {
  const cat = labels.category ?? ((c) => c ?? '未分类');
  const pri = labels.priority ?? ((p) => p);
  const responded = items.map((f) => [f, firstResponseAt(f)] as const).filter(([, at]) => at !== null);
  const resolved = items.filter((f) => f.resolvedAt !== null);
  return {
    incidents: items.length,
    resolved: resolved.length,
    bySystem: counts(items, (f) => f.systemCode, (f) => f.systemName),
    byPriority: counts(items, (f) => f.priority, (f) => pri(f.priority)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    byCategory: counts(items, (f) => f.category ?? '', (f) => cat(f.category)),
    compliance: complianceOf(items),
    mttaMinutes: mean(responded.map(([f, at]) => (at! - f.reportedAt) / 60_000)),
    mttrMinutes: mean(resolved.map((f) => (f.resolvedAt! - f.reportedAt) / 60_000)),
    breaches: breachesOf(items, asOf),
  };
}
