import chineseDays from 'chinese-days/dist/chinese-days.json';
import { CONTRACT_WORKING_HOURS, CalendarSpec, WorkingPeriod } from '../domain/calendar';
import { invalidInput } from '../domain/errors';

/** One year of the official schedule: statutory holidays and adjusted working weekends (调休). */
export interface CalendarYear {
  year: number;
  holidays: string[];
  workdays: string[];
}

const data = chineseDays as { holidays: Record<string, string>; workdays: Record<string, string> };

/**
 * The years that ship inside npm `chinese-days`. We read its data file by date string rather than its
 * Date-based API, which reads dates in the process zone and silently falls back to Monday–Friday for
 * years it lacks.
 */
export function bundledCalendarYears(): CalendarYear[] {
  const years = new Map<number, CalendarYear>();
  const yearOf = (date: string): CalendarYear => {
    const y = Number(date.slice(0, 4));
    let entry = years.get(y);
    if (!entry) years.set(y, (entry = { year: y, holidays: [], workdays: [] }));
    return entry;
  };
  for (const d of Object.keys(data.holidays)) yearOf(d).holidays.push(d);
  for (const d of Object.keys(data.workdays)) yearOf(d).workdays.push(d);
  return [...years.values()].sort((a, b) => a.year - b.year);
}

/** The offset of an IANA zone; refuses zones with daylight saving, whose offset the arithmetic cannot fix. */
export function fixedOffsetOf(timeZone: string): number {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  } catch {
    throw invalidInput('timeZone', `unknown time zone ${JSON.stringify(timeZone)}`);
  }
  const offsetAt = (ms: number): number => {
    const name = fmt.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
    return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  };
  // January and July of a fixed reference year tell daylight saving apart.
  const jan = offsetAt(Date.UTC(2026, 0, 15));
  const jul = offsetAt(Date.UTC(2026, 6, 15));
  if (jan !== jul) throw invalidInput('timeZone', `${timeZone} observes daylight saving; Wardline needs a fixed-offset zone`);
  return jan;
}

/**
 * The calendar workflows and the API compute with. Later-loaded years (from the database) replace bundled
 * ones of the same year, so the hospital can correct or extend the schedule without a release.
 */
export function buildCalendarSpec(options: {
  timeZone?: string;
  workingHours?: WorkingPeriod[];
  extraYears?: CalendarYear[];
} = {}): CalendarSpec {
  const timeZone = options.timeZone ?? 'Asia/Shanghai';
  const byYear = new Map<number, CalendarYear>();
  for (const y of bundledCalendarYears()) byYear.set(y.year, y);
  for (const y of options.extraYears ?? []) byYear.set(y.year, y);
  const years = [...byYear.values()].sort((a, b) => a.year - b.year);
  return {
    timeZone,
    utcOffsetMinutes: fixedOffsetOf(timeZone),
    workingHours: options.workingHours ?? CONTRACT_WORKING_HOURS,
    holidays: years.flatMap((y) => y.holidays),
    workdays: years.flatMap((y) => y.workdays),
    coveredYears: years.map((y) => y.year),
  };
}
