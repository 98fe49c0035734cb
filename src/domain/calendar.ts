import { invalidInput } from './errors';
import {
  DAY_MS,
  MINUTE_MS,
  formatDayNumber,
  isoWeekday,
  localDayNumber,
  parseIsoDate,
  yearOfDayNumber,
} from './time';

/** A span of working time inside one local day, `HH:MM`–`HH:MM` (end may be `24:00`). */
export interface WorkingPeriod {
  start: string;
  end: string;
}

/**
 * Everything the working-time arithmetic needs, as plain data so it can travel into a workflow as input
 * (replays stay deterministic) and be stored as JSON.
 */
export interface CalendarSpec {
  /** The contract's zone (Asia/Shanghai); the arithmetic uses `utcOffsetMinutes`, never the machine's zone. */
  timeZone: string;
  /** Fixed offset of `timeZone`. Zones with daylight saving are refused when the spec is built from config. */
  utcOffsetMinutes: number;
  /** Working hours of a working day; two periods give a lunch break. Contract: 08:00–18:00 (S10). */
  workingHours: WorkingPeriod[];
  /** Statutory holidays (YYYY-MM-DD), days off even on a weekday. */
  holidays: string[];
  /** Official adjusted working days (调休), working even on a weekend. */
  workdays: string[];
  /** Years whose official schedule is loaded. Other years are provisional (see below) or plain Monday–Friday; both are flagged. */
  coveredYears: number[];
  /**
   * Years without an official schedule whose statutory holidays (the law's festival days and 补假, without 调休) are in
   * `holidays`: deadlines that touch them are provisional until the official schedule is loaded (S10, S2). Absent
   * in calendars built before issue 9.
   */
  provisionalYears?: number[];
}

export const CONTRACT_WORKING_HOURS: WorkingPeriod[] = [{ start: '08:00', end: '18:00' }];

interface Period {
  startMs: number;
  endMs: number;
}

function parseClock(value: string, field: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(value);
  if (!m) throw invalidInput(field, `must be HH:MM, got ${JSON.stringify(value)}`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) throw invalidInput(field, `is not a time of day: ${value}`);
  return (h * 60 + min) * MINUTE_MS;
}

/** Working-time arithmetic over a CalendarSpec. Pure: every instant is passed in as epoch milliseconds. */
export class WorkingCalendar {
  readonly dayLengthMs: number;
  private readonly periods: Period[];
  private readonly holidays: Set<number>;
  private readonly workdays: Set<number>;
  private readonly covered: Set<number>;
  private readonly provisionalSet: Set<number>;
  private readonly offsetMs: number;

  constructor(readonly spec: CalendarSpec) {
    if (!Number.isInteger(spec.utcOffsetMinutes) || Math.abs(spec.utcOffsetMinutes) > 14 * 60) {
      throw invalidInput('utcOffsetMinutes', 'must be a whole number of minutes within ±14 h');
    }
    this.offsetMs = spec.utcOffsetMinutes * MINUTE_MS;
    this.periods = spec.workingHours
      .map((p, i) => ({
        startMs: parseClock(p.start, `workingHours[${i}].start`),
        endMs: parseClock(p.end, `workingHours[${i}].end`),
      }))
      .sort((a, b) => a.startMs - b.startMs);
    if (this.periods.length === 0) throw invalidInput('workingHours', 'needs at least one period');
    this.periods.forEach((p, i) => {
      if (p.endMs <= p.startMs) throw invalidInput(`workingHours[${i}]`, 'must end after it starts');
      if (i > 0 && p.startMs < this.periods[i - 1].endMs) throw invalidInput(`workingHours[${i}]`, 'overlaps the period before it');
    });
    this.dayLengthMs = this.periods.reduce((sum, p) => sum + p.endMs - p.startMs, 0);
    this.holidays = new Set(spec.holidays.map((d, i) => parseIsoDate(d, `holidays[${i}]`)));
    this.workdays = new Set(spec.workdays.map((d, i) => parseIsoDate(d, `workdays[${i}]`)));
    for (const day of this.workdays) {
      if (this.holidays.has(day)) throw invalidInput('workdays', `${formatDayNumber(day)} is also listed as a holiday`);
    }
    this.covered = new Set(spec.coveredYears);
    this.provisionalSet = new Set((spec.provisionalYears ?? []).filter((y) => !this.covered.has(y)));
  }

  /** True when a local day in [from, to] lies in a year whose holidays are only the statutory ones (no 调休 yet). */
  provisional(from: number, to: number): boolean {
    if (this.provisionalSet.size === 0) return false;
    const a = yearOfDayNumber(localDayNumber(Math.min(from, to), this.spec.utcOffsetMinutes));
    const b = yearOfDayNumber(localDayNumber(Math.max(from, to), this.spec.utcOffsetMinutes));
    for (let y = a; y <= b; y++) if (this.provisionalSet.has(y)) return true;
    return false;
  }

  isWorkingDayNumber(day: number): boolean {
    if (this.holidays.has(day)) return false;
    if (this.workdays.has(day)) return true;
    return isoWeekday(day) <= 5;
  }

  /** Whether a local date (YYYY-MM-DD) is a working day. */
  isWorkingDay(date: string): boolean {
    return this.isWorkingDayNumber(parseIsoDate(date, 'date'));
  }

  localDate(instant: number): string {
    return formatDayNumber(localDayNumber(instant, this.spec.utcOffsetMinutes));
  }

  /** True when the official schedule of every local day in [from, to] is loaded. */
  covers(from: number, to: number): boolean {
    const first = yearOfDayNumber(localDayNumber(from, this.spec.utcOffsetMinutes));
    const last = yearOfDayNumber(localDayNumber(to, this.spec.utcOffsetMinutes));
    for (let y = first; y <= last; y++) if (!this.covered.has(y)) return false;
    return true;
  }

  /** The first local day on or after `from` whose year is not covered, or null within `days`. */
  firstUncoveredDate(from: number, days: number): string | null {
    const start = localDayNumber(from, this.spec.utcOffsetMinutes);
    for (let d = start; d <= start + days; d++) {
      if (!this.covered.has(yearOfDayNumber(d))) return formatDayNumber(d);
    }
    return null;
  }

  isWorkingTime(instant: number): boolean {
    const local = instant + this.offsetMs;
    const day = Math.floor(local / DAY_MS);
    if (!this.isWorkingDayNumber(day)) return false;
    const msOfDay = local - day * DAY_MS;
    return this.periods.some((p) => msOfDay >= p.startMs && msOfDay < p.endMs);
  }

  /** The instant itself when it is working time, else the start of the next working period. */
  nextWorkingStart(instant: number): number {
    if (this.isWorkingTime(instant)) return instant;
    const local = instant + this.offsetMs;
    for (let day = Math.floor(local / DAY_MS); ; day++) {
      if (!this.isWorkingDayNumber(day)) continue;
      for (const p of this.periods) {
        const start = day * DAY_MS + p.startMs;
        if (start >= local) return start - this.offsetMs;
      }
    }
  }

  /**
   * The instant at which `durationMs` of working time has passed since `instant`.
   * A budget used up exactly at the end of a period ends there, not at the next period's start:
   * 2 working days from Saturday 10:00 end on Tuesday 18:00.
   */
  addWorkingTime(instant: number, durationMs: number): number {
    if (!Number.isFinite(durationMs) || durationMs < 0) throw invalidInput('duration', 'must be a non-negative number');
    if (durationMs === 0) return instant;
    let remaining = durationMs;
    let cursor = instant + this.offsetMs;
    let day = Math.floor(cursor / DAY_MS);
    for (;;) {
      if (this.isWorkingDayNumber(day)) {
        for (const p of this.periods) {
          const end = day * DAY_MS + p.endMs;
          if (cursor >= end) continue;
          const from = Math.max(cursor, day * DAY_MS + p.startMs);
          const available = end - from;
          if (remaining <= available) return from + remaining - this.offsetMs;
          remaining -= available;
          cursor = end;
        }
      }
      day += 1;
      cursor = day * DAY_MS;
    }
  }

  addWorkingDays(instant: number, days: number): number {
    if (!Number.isFinite(days) || days < 0) throw invalidInput('days', 'must be a non-negative number');
    return this.addWorkingTime(instant, days * this.dayLengthMs);
  }

  /** Working time in [from, to); negative when `to` is before `from`. */
  workingTimeBetween(from: number, to: number): number {
    if (to < from) return -this.workingTimeBetween(to, from);
    const start = from + this.offsetMs;
    const end = to + this.offsetMs;
    let total = 0;
    for (let day = Math.floor(start / DAY_MS); day * DAY_MS < end; day++) {
      if (!this.isWorkingDayNumber(day)) continue;
      for (const p of this.periods) {
        const s = Math.max(start, day * DAY_MS + p.startMs);
        const e = Math.min(end, day * DAY_MS + p.endMs);
        if (e > s) total += e - s;
      }
    }
    return total;
  }
}
