import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { WorkingCalendar } from '../domain/calendar';
import { CONTRACT_POLICY, incidentTargets } from '../domain/sla-policy';
import { isoWeekday, parseIsoDate } from '../domain/time';
import { buildCalendarSpec, bundledCalendarYears } from './china-calendar';
import { statutoryHolidays } from './statutory-holidays';

const weekday = (date: string) => isoWeekday(parseIsoDate(date, 'date'));
const at = (s: string) => Date.parse(s);
const shanghai = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().replace('.000Z', '+08:00');

/** Issue 9 (S10, S2): a year without its official schedule gets the law's holidays, flagged provisional. */
describe('statutory holidays (《全国年节及纪念日放假办法》, as amended for 2025)', () => {
  it('2027: 元旦, 春节 from 除夕 to 初三, 清明 at the solar term, 劳动节 May 1–2, 端午, 中秋, 国庆 Oct 1–3, and 补假 for weekend days', () => {
    expect(statutoryHolidays(2027).holidays.map((h) => `${h.date} ${h.name}`)).toEqual([
      '2027-01-01 元旦',
      '2027-02-05 春节（除夕）',
      '2027-02-06 春节（初一）',
      '2027-02-07 春节（初二）',
      '2027-02-08 春节（初三）',
      '2027-02-09 春节补假',
      '2027-02-10 春节补假',
      '2027-04-05 清明节',
      '2027-05-01 劳动节',
      '2027-05-02 劳动节',
      '2027-05-03 劳动节补假',
      '2027-05-04 劳动节补假',
      '2027-06-09 端午节',
      '2027-09-15 中秋节',
      '2027-10-01 国庆节',
      '2027-10-02 国庆节',
      '2027-10-03 国庆节',
      '2027-10-04 国庆节补假',
      '2027-10-05 国庆节补假',
    ]);
  });

  it.each([2025, 2026])('%i: every statutory day is a holiday of the official schedule (chinese-days)', (year) => {
    const official = new Set(bundledCalendarYears().find((y) => y.year === year)!.holidays);
    const festivals = statutoryHolidays(year).holidays.filter((h) => !h.name.endsWith('补假'));
    expect(festivals).toHaveLength(13);
    expect(festivals.filter((h) => !official.has(h.date))).toEqual([]);
  });

  it('for any year: 13 festival days (fewer when 中秋 meets 国庆), one weekday 补假 per weekend festival day, dates in order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2025, max: 2099 }), (year) => {
        const days = statutoryHolidays(year).holidays;
        const festivals = days.filter((h) => !h.name.endsWith('补假'));
        const makeUp = days.filter((h) => h.name.endsWith('补假'));
        const distinct = new Set(festivals.map((h) => h.date));
        expect(festivals.length).toBe(13);
        expect(distinct.size).toBeGreaterThanOrEqual(12);
        expect(makeUp.length).toBe([...distinct].filter((d) => weekday(d) > 5).length);
        for (const m of makeUp) {
          expect(weekday(m.date)).toBeLessThanOrEqual(5);
          expect(distinct.has(m.date)).toBe(false);
        }
        expect(days.map((h) => h.date)).toEqual([...days.map((h) => h.date)].sort());
        expect(days.every((h) => h.date.startsWith(`${year}-`) || h.name.endsWith('补假'))).toBe(true);
      }),
      { numRuns: 75, seed: 20260101 },
    );
  });

  it('refuses years the amended law does not cover', () => {
    expect(() => statutoryHolidays(2024)).toThrow(/2025–2099/);
  });
});

describe('a provisional calendar for a year whose official schedule is not loaded', () => {
  const provisional = new WorkingCalendar(buildCalendarSpec({ provisionalYears: [2027] }));
  const weekdaysOnly = new WorkingCalendar(buildCalendarSpec());

  it('issue 9: an incident reported 2026-12-31 does not count 2027-01-01 (元旦) as a working day, and says the deadline is provisional', () => {
    const input = { reportedAt: at('2026-12-31T10:00:00+08:00') };
    const t = incidentTargets(CONTRACT_POLICY, provisional, input);
    // Thursday 8 h; Friday 元旦 and the weekend off; Monday 10 h; Tuesday 2 h.
    expect(shanghai(t.repair.deadline)).toBe('2027-01-05T10:00:00+08:00');
    expect(t).toMatchObject({ calendarCovered: false, calendarProvisional: true });
    // without it the deadline counted 元旦 as a working day (what the issue saw)
    const before = incidentTargets(CONTRACT_POLICY, weekdaysOnly, input);
    expect(shanghai(before.repair.deadline)).toBe('2027-01-04T10:00:00+08:00');
    expect(before.calendarProvisional).toBe(false);
  });

  it('official years win over provisional ones, and an official year is never provisional', () => {
    const loaded = buildCalendarSpec({ provisionalYears: [2026, 2027], extraYears: [{ year: 2027, holidays: ['2027-01-01'], workdays: ['2027-01-09'] }] });
    expect(loaded.provisionalYears).toEqual([]);
    expect(loaded.coveredYears).toContain(2027);
    const cal = new WorkingCalendar(loaded);
    expect(cal.isWorkingDay('2027-01-09')).toBe(true);
    expect(cal.isWorkingDay('2027-02-08')).toBe(true); // no statutory days are added to an official year
    expect(cal.provisional(at('2027-01-01T00:00:00+08:00'), at('2027-12-31T23:00:00+08:00'))).toBe(false);
  });

  it('property: a span is provisional exactly when one of its local days lies in a provisional year', () => {
    const start = at('2026-06-01T00:00:00+08:00');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 * 24 }), fc.integer({ min: 0, max: 60 * 24 }), (h, len) => {
        const from = start + h * 3_600_000;
        const to = from + len * 3_600_000;
        const year = (ms: number) => Number(shanghai(ms).slice(0, 4));
        const expected = year(from) <= 2027 && year(to) >= 2027;
        expect(provisional.provisional(from, to)).toBe(expected);
      }),
      { numRuns: 300, seed: 9 },
    );
  });

  it('property: in a provisional year the working days are Monday–Friday less the statutory days and their 补假', () => {
    const off = new Set(statutoryHolidays(2027).holidays.map((h) => h.date));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 364 }), (n) => {
        const date = new Date(Date.UTC(2027, 0, 1 + n)).toISOString().slice(0, 10);
        expect(provisional.isWorkingDay(date)).toBe(weekday(date) <= 5 && !off.has(date));
      }),
      { numRuns: 365, seed: 27 },
    );
  });
});
