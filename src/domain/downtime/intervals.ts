/**
 * Downtime (S9): outage intervals per business system, merged where they overlap, shared with the systems that
 * depend on the one that failed (CMDB), and the revenue they put at stake. Pure: instants are epoch milliseconds.
 */

export const HOUR_MS = 3_600_000;

/** One incident flagged as an outage: from its report (or first alert) to its resolution; `end` null while open. */
export interface OutageSource {
  incidentId: string;
  number: string;
  /** The business system the incident is about. */
  systemId: string;
  start: number;
  end: number | null;
}

/** A stretch of time a system was down, with the incidents behind it. */
export interface OutageInterval {
  start: number;
  end: number;
  /** Incident numbers, sorted; each incident once. */
  incidents: string[];
}

/** The interval inside [from, to), or null when none of it is; an open outage runs until `openUntil`. */
export function clipInterval(source: { start: number; end: number | null }, from: number, to: number, openUntil: number): { start: number; end: number } | null {
  const end = Math.min(source.end ?? openUntil, to);
  const start = Math.max(source.start, from);
  return end > start ? { start, end } : null;
}

/**
 * Overlapping or touching intervals become one: sorted by start, disjoint, each with the union of its incidents.
 * Empty intervals (end <= start) are dropped.
 */
export function mergeIntervals(intervals: readonly OutageInterval[]): OutageInterval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: { start: number; end: number; incidents: Set<string> }[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) {
      last.end = Math.max(last.end, i.end);
      for (const n of i.incidents) last.incidents.add(n);
    } else {
      out.push({ start: i.start, end: i.end, incidents: new Set(i.incidents) });
    }
  }
  return out.map((o) => ({ start: o.start, end: o.end, incidents: [...o.incidents].sort() }));
}

export function totalMs(intervals: readonly { start: number; end: number }[]): number {
  return intervals.reduce((sum, i) => sum + (i.end - i.start), 0);
}

/** Hours to two decimals, for people. */
export function roundHours(ms: number): number {
  return Math.round(ms / (HOUR_MS / 100)) / 100;
}

/**
 * Revenue at stake = revenue per hour × outage hours, in yuan to the fen. Computed from the milliseconds, not from
 * rounded hours, so the figure does not move with how hours are shown. Null when the system has no revenue figure.
 */
export function revenueAtStake(ms: number, revenuePerHour: number | null): number | null {
  if (revenuePerHour === null) return null;
  return Math.round((ms * revenuePerHour * 100) / HOUR_MS) / 100;
}

/** How one system came to be down in a stretch: its own incident, or one of a system it depends on. */
export interface Contribution {
  incidentId: string;
  number: string;
  /** The system the incident is about. */
  originSystemId: string;
  /** True when the outage reached this system through a CMDB dependency. */
  shared: boolean;
  start: number;
  end: number;
}

export interface SystemDowntime {
  systemId: string;
  intervals: OutageInterval[];
  ms: number;
  contributions: Contribution[];
}

/**
 * Per business system, its merged outage intervals inside [from, to): its own outages, and those of every system it
 * depends on (`dependantsOf(origin)` lists the systems that depend on `origin`, transitively, without itself).
 * Sorted by system id; contributions by start then incident number.
 */
export function downtimeBySystem(
  sources: readonly OutageSource[],
  dependantsOf: (systemId: string) => readonly string[],
  range: { from: number; to: number },
  openUntil: number,
): SystemDowntime[] {
  const bySystem = new Map<string, Contribution[]>();
  const add = (systemId: string, c: Contribution) => {
    const list = bySystem.get(systemId) ?? [];
    // One incident reaching a system by two paths counts once; its own system is added first, so it stays unshared.
    if (!list.some((x) => x.incidentId === c.incidentId)) list.push(c);
    bySystem.set(systemId, list);
  };
  for (const s of sources) {
    const clipped = clipInterval(s, range.from, range.to, openUntil);
    if (!clipped) continue;
    const base = { incidentId: s.incidentId, number: s.number, originSystemId: s.systemId, ...clipped };
    add(s.systemId, { ...base, shared: false });
    for (const d of dependantsOf(s.systemId)) if (d !== s.systemId) add(d, { ...base, shared: true });
  }
  return [...bySystem.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([systemId, contributions]) => {
      contributions.sort((a, b) => a.start - b.start || a.number.localeCompare(b.number));
      const intervals = mergeIntervals(contributions.map((c) => ({ start: c.start, end: c.end, incidents: [c.number] })));
      return { systemId, intervals, ms: totalMs(intervals), contributions };
    });
}
