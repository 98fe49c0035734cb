import chineseDays from 'chinese-days/dist/chinese-days.json';
import { CONTRACT_WORKING_HOURS, CalendarSpec, WorkingPeriod } from '../domain/calendar';
import { invalidInput } from '../domain/errors';
import { NamedDay, statutoryHolidays } from './statutory-holidays';

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
 * ones of the same year, so the hospital can correct or extend the schedule without a release. Years asked for in
 * `provisionalYears` that have no official schedule get the statutory holidays (without 调休) and are marked
 * provisional, instead of falling back to plain Monday–Friday (S10, S2).
 */
export function buildCalendarSpec(options: {
  timeZone?: string;
  workingHours?: WorkingPeriod[];
  extraYears?: CalendarYear[];
  provisionalYears?: number[];
} = {}): CalendarSpec {
  const timeZone = options.timeZone ?? 'Asia/Shanghai';
  const byYear = officialYears(options.extraYears);
  const provisional = provisionalYearsOf(byYear, options.provisionalYears ?? []);
  const years = [...byYear.values(), ...provisional.map((p) => ({ year: p.year, holidays: p.holidays.map((h) => h.date), workdays: [] }))].sort((a, b) => a.year - b.year);
  return {
    timeZone,
    utcOffsetMinutes: fixedOffsetOf(timeZone),
    workingHours: options.workingHours ?? CONTRACT_WORKING_HOURS,
    holidays: years.flatMap((y) => y.holidays),
    workdays: years.flatMap((y) => y.workdays),
    coveredYears: [...byYear.keys()].sort((a, b) => a - b),
    provisionalYears: provisional.map((p) => p.year),
  };
}

function officialYears(extraYears: CalendarYear[] = []): Map<number, CalendarYear> {
  const byYear = new Map<number, CalendarYear>();
  for (const y of bundledCalendarYears()) byYear.set(y.year, y);
  for (const y of extraYears) byYear.set(y.year, y);
  return byYear;
}

function provisionalYearsOf(official: Map<number, CalendarYear>, wanted: number[]) {
  return [...new Set(wanted)]
    .filter((y) => !official.has(y) && y >= 2025 && y <= 2099)
    .sort((a, b) => a - b)
    .map((y) => statutoryHolidays(y));
}

/** One year as a dispatcher sees it on GET /calendar: why a day is off or worked. */
export interface CalendarYearOverview {
  year: number;
  status: 'official' | 'provisional';
  source: string;
  holidays: NamedDay[];
  /** 调休: weekends worked (official years only). */
  workdays: NamedDay[];
}

const names = chineseDays as { holidays: Record<string, string>; workdays: Record<string, string> };
/** chinese-days writes "Spring Festival,春节,4": the Chinese name is the second field. */
const bundledName = (v: string | undefined): string => (v ? (v.split(',')[1] ?? v) : '');

/** Every year the calendar holds, official or provisional, with each day off or worked and its reason. */
export function calendarOverview(options: { extraYears?: CalendarYear[]; sources?: Map<number, string>; provisionalYears?: number[] } = {}): CalendarYearOverview[] {
  const official = officialYears(options.extraYears);
  const out: CalendarYearOverview[] = [...official.values()].map((y) => ({
    year: y.year,
    status: 'official' as const,
    source: options.sources?.get(y.year) ?? 'chinese-days',
    holidays: y.holidays.map((date) => ({ date, name: bundledName(names.holidays[date]) || nameByLaw(date) })),
    workdays: y.workdays.map((date) => ({ date, name: bundledName(names.workdays[date]) ? `${bundledName(names.workdays[date])}调休上班` : '调休上班' })),
  }));
  for (const p of provisionalYearsOf(official, options.provisionalYears ?? [])) {
    out.push({ year: p.year, status: 'provisional', source: '《全国年节及纪念日放假办法》(statutory days only; 调休 not yet published)', holidays: p.holidays, workdays: [] });
  }
  return out.sort((a, b) => a.year - b.year);
}

function nameByLaw(date: string): string {
  const year = Number(date.slice(0, 4));
  if (year < 2025 || year > 2099) return '';
  return statutoryHolidays(year).holidays.find((h) => h.date === date)?.name ?? '';
}
