/**
 * A brute-force oracle for working-time arithmetic: it walks minute by minute and decides each minute from
 * the CalendarSpec's raw data, sharing no code with WorkingCalendar. Property tests and bench/sla.bench.ts
 * compare the engine against it. Inputs must lie on minute boundaries.
 */
import type { CalendarSpec } from '../calendar';
import type { Priority, SlaPolicy, Tier } from '../sla-policy';

const MINUTE = 60_000;

export interface MinuteOracle {
  spec: CalendarSpec;
  offsetMs: number;
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
  covered: ReadonlySet<number>;
  /** Working periods as [startMinute, endMinute) of the local day. */
  periods: ReadonlyArray<readonly [number, number]>;
  /** Working minutes in one working day. */
  dayMinutes: number;
}

function clockMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

export function createMinuteOracle(spec: CalendarSpec): MinuteOracle {
  const periods = spec.workingHours.map((p) => [clockMinutes(p.start), clockMinutes(p.end)] as const);
  return {
    spec,
    offsetMs: spec.utcOffsetMinutes * MINUTE,
    holidays: new Set(spec.holidays),
    workdays: new Set(spec.workdays),
    covered: new Set(spec.coveredYears),
    periods,
    dayMinutes: periods.reduce((sum, [s, e]) => sum + e - s, 0),
  };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The local wall-clock reading of an instant in the spec's fixed-offset zone, via UTC getters (no process zone). */
export function oracleLocal(o: MinuteOracle, instant: number): { date: string; year: number; weekday: number; minuteOfDay: number } {
  const d = new Date(instant + o.offsetMs);
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    year: d.getUTCFullYear(),
    weekday: d.getUTCDay(), // 0 = Sunday … 6 = Saturday
    minuteOfDay: d.getUTCHours() * 60 + d.getUTCMinutes(),
  };
}

export function oracleIsWorkingDate(o: MinuteOracle, date: string, weekday: number): boolean {
  if (o.holidays.has(date)) return false;
  if (o.workdays.has(date)) return true;
  return weekday >= 1 && weekday <= 5;
}

/** Whether the minute starting at `instant` is working time. */
export function oracleIsWorkingMinute(o: MinuteOracle, instant: number): boolean {
  const { date, weekday, minuteOfDay } = oracleLocal(o, instant);
  if (!oracleIsWorkingDate(o, date, weekday)) return false;
  return o.periods.some(([s, e]) => minuteOfDay >= s && minuteOfDay < e);
}

function assertMinute(instant: number): void {
  if (instant % MINUTE !== 0) throw new Error(`oracle needs minute-aligned instants, got ${instant}`);
}

/** The end of the `minutes`-th working minute at or after `start`; `start` itself for zero. */
export function oracleAddWorkingMinutes(o: MinuteOracle, start: number, minutes: number): number {
  assertMinute(start);
  if (minutes === 0) return start;
  let counted = 0;
  for (let t = start; ; t += MINUTE) {
    if (oracleIsWorkingMinute(o, t) && ++counted === minutes) return t + MINUTE;
  }
}

/** Working minutes in [from, to). */
export function oracleWorkingMinutesBetween(o: MinuteOracle, from: number, to: number): number {
  assertMinute(from);
  assertMinute(to);
  let count = 0;
  for (let t = from; t < to; t += MINUTE) if (oracleIsWorkingMinute(o, t)) count++;
  return count;
}

/** The first working minute at or after `instant`. */
export function oracleNextWorkingStart(o: MinuteOracle, instant: number): number {
  assertMinute(instant);
  let t = instant;
  while (!oracleIsWorkingMinute(o, t)) t += MINUTE;
  return t;
}

export interface OracleIncidentTargets {
  tier: Tier;
  respondDeadline: number;
  onSiteDeadline: number;
  repairDeadline: number;
  calendarCovered: boolean;
}

/**
 * S10/S2 restated from the contract: the tier comes from the report minute; respond and on-site are wall-clock
 * minutes; repair is whole working days counted in working minutes. Overrides only ever shorten.
 */
export function oracleIncidentTargets(
  o: MinuteOracle,
  policy: SlaPolicy,
  input: { reportedAt: number; systemId?: string; priority?: Priority; dataRepair?: boolean },
): OracleIncidentTargets {
  const tier: Tier = oracleIsWorkingMinute(o, input.reportedAt) ? 'working_time' : 'off_hours';
  const base = tier === 'working_time' ? policy.incident.workingTime : policy.incident.offHours;
  let respond = base.respondMinutes;
  let onSite = base.onSiteMinutes;
  let repairDays = input.dataRepair ? policy.incident.dataRepairWorkingDays : policy.incident.repairWorkingDays;
  for (const ov of policy.overrides) {
    if (ov.systemId !== undefined && ov.systemId !== input.systemId) continue;
    if (ov.priority !== undefined && ov.priority !== input.priority) continue;
    if (ov.respondMinutes !== undefined) respond = Math.min(respond, ov.respondMinutes);
    if (ov.onSiteMinutes !== undefined) onSite = Math.min(onSite, ov.onSiteMinutes);
    if (ov.repairWorkingDays !== undefined) repairDays = Math.min(repairDays, ov.repairWorkingDays);
  }
  const repairDeadline = oracleAddWorkingMinutes(o, input.reportedAt, repairDays * o.dayMinutes);
  const firstYear = oracleLocal(o, input.reportedAt).year;
  const lastYear = oracleLocal(o, repairDeadline).year;
  let calendarCovered = true;
  for (let y = firstYear; y <= lastYear; y++) if (!o.covered.has(y)) calendarCovered = false;
  return {
    tier,
    respondDeadline: input.reportedAt + respond * MINUTE,
    onSiteDeadline: input.reportedAt + onSite * MINUTE,
    repairDeadline,
    calendarCovered,
  };
}
