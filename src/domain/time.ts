import { invalidInput } from './errors';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** An ISO-8601 instant that names its zone: `Z` or `±HH:MM`. Local times are ambiguous evidence, so they are refused. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Date.parse rolls impossible dates over (2026-02-30 becomes 2026-03-02) instead of refusing them. */
function isRealDate(value: string): boolean {
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  const probe = new Date(0);
  probe.setUTCFullYear(y, m - 1, d);
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

export function isIsoInstant(value: unknown): value is string {
  return typeof value === 'string' && ISO_INSTANT.test(value) && isRealDate(value) && !Number.isNaN(Date.parse(value));
}

/** Parses an instant with an explicit zone into epoch milliseconds, or throws an INVALID_INPUT error naming the field. */
export function parseInstant(value: unknown, field: string): number {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) {
    throw invalidInput(field, 'must be an ISO-8601 time with a zone, e.g. 2026-11-27T09:30:00+08:00');
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !isRealDate(value)) throw invalidInput(field, `is not a real time: ${value}`);
  return ms;
}

export function parseIsoDate(value: string, field: string): number {
  const m = ISO_DATE.exec(value);
  if (!m) throw invalidInput(field, `must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  const dayNumber = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
  if (formatDayNumber(dayNumber) !== value) throw invalidInput(field, `is not a calendar date: ${value}`);
  return dayNumber;
}

/** Days since 1970-01-01 of a local date, given the zone's fixed offset. */
export function localDayNumber(instant: number, utcOffsetMinutes: number): number {
  return Math.floor((instant + utcOffsetMinutes * MINUTE_MS) / DAY_MS);
}

export function formatDayNumber(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/** ISO weekday: 1 = Monday … 7 = Sunday. 1970-01-01 was a Thursday. */
export function isoWeekday(dayNumber: number): number {
  return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
}

export function yearOfDayNumber(dayNumber: number): number {
  return new Date(dayNumber * DAY_MS).getUTCFullYear();
}

/** Formats an instant in a fixed-offset zone as `YYYY-MM-DDTHH:MM:SS+08:00`, the form Wardline shows as evidence. */
export function formatInZone(instant: number, utcOffsetMinutes: number): string {
  const local = new Date(instant + utcOffsetMinutes * MINUTE_MS).toISOString().slice(0, 19);
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(utcOffsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}

/** The same local time `months` calendar months later, in a fixed-offset zone; the 31st becomes the month's last day. */
export function addCalendarMonths(instant: number, months: number, utcOffsetMinutes: number): number {
  const local = new Date(instant + utcOffsetMinutes * MINUTE_MS);
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const day = Math.min(local.getUTCDate(), lastDay);
  const shifted = Date.UTC(y, m, day, local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds(), local.getUTCMilliseconds());
  return shifted - utcOffsetMinutes * MINUTE_MS;
}
