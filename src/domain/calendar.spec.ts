import { describe, expect, it } from '@jest/globals';
import { buildCalendarSpec } from '../infra/china-calendar';
import { CalendarSpec, WorkingCalendar } from './calendar';
import { DomainErrorCode } from './errors';
import { CONTRACT_POLICY, SlaPolicy, requirePolicy, validatePolicy } from './sla-policy';
import { HOUR_MS, MINUTE_MS, formatInZone, isIsoInstant, parseInstant } from './time';
import { domainError } from './testing/domain-error';

/** S10: Asia/Shanghai, working days 08:00–18:00, official holidays and adjusted working days from chinese-days. */
const calendar = new WorkingCalendar(buildCalendarSpec());
const at = (iso: string): number => Date.parse(iso);
const show = (ms: number): string => formatInZone(ms, 8 * 60);
const DAY = calendar.dayLengthMs;

describe('WorkingCalendar with the contract calendar (S10: working days 08:00–18:00, Asia/Shanghai)', () => {
  it('uses the contract zone and a 10-hour working day', () => {
    expect(calendar.spec.timeZone).toBe('Asia/Shanghai');
    expect(calendar.spec.utcOffsetMinutes).toBe(480);
    expect(DAY).toBe(10 * HOUR_MS);
    expect(calendar.spec.coveredYears).toEqual(expect.arrayContaining([2025, 2026]));
    expect(calendar.spec.coveredYears).not.toContain(2027);
  });

  describe('isWorkingTime', () => {
    it.each([
      // New Year 2026: Thu Jan 1 – Sat Jan 3 off, Sunday Jan 4 worked instead.
      ['2025-12-31T17:59:59+08:00', true, 'Wednesday before New Year, last second'],
      ['2025-12-31T18:00:00+08:00', false, '18:00 is outside [08:00, 18:00)'],
      ['2026-01-01T10:00:00+08:00', false, 'New Year holiday (Thursday)'],
      ['2026-01-02T10:00:00+08:00', false, 'New Year holiday (Friday)'],
      ['2026-01-03T10:00:00+08:00', false, 'New Year holiday (Saturday)'],
      ['2026-01-04T08:00:00+08:00', true, 'Sunday Jan 4 is an adjusted working day'],
      ['2026-01-04T07:59:59+08:00', false, 'before 08:00 on the adjusted working day'],
      ['2026-01-05T10:00:00+08:00', true, 'Monday after New Year'],
      // Spring Festival 2026: Feb 15–23 off, Saturdays Feb 14 and Feb 28 worked.
      ['2026-02-13T17:59:00+08:00', true, 'Friday before Spring Festival'],
      ['2026-02-14T08:00:00+08:00', true, 'Saturday Feb 14 is an adjusted working day'],
      ['2026-02-15T10:00:00+08:00', false, 'Spring Festival (Sunday)'],
      ['2026-02-16T10:00:00+08:00', false, 'Spring Festival (Monday)'],
      ['2026-02-20T10:00:00+08:00', false, 'Spring Festival (Friday)'],
      ['2026-02-23T17:00:00+08:00', false, 'Spring Festival last day (Monday)'],
      ['2026-02-24T08:00:00+08:00', true, 'first working morning after Spring Festival'],
      ['2026-02-28T10:00:00+08:00', true, 'Saturday Feb 28 is an adjusted working day'],
      ['2026-03-01T10:00:00+08:00', false, 'ordinary Sunday'],
      // Labour Day 2026: May 1–5 off, Saturday May 9 worked.
      ['2026-04-30T17:59:00+08:00', true, 'Thursday before Labour Day'],
      ['2026-05-01T10:00:00+08:00', false, 'Labour Day (Friday)'],
      ['2026-05-04T10:00:00+08:00', false, 'Labour Day (Monday)'],
      ['2026-05-05T10:00:00+08:00', false, 'Labour Day (Tuesday)'],
      ['2026-05-06T08:00:00+08:00', true, 'Wednesday after Labour Day'],
      ['2026-05-09T10:00:00+08:00', true, 'Saturday May 9 is an adjusted working day'],
      ['2026-05-10T10:00:00+08:00', false, 'ordinary Sunday'],
      // National Day + Mid-Autumn 2026: Sep 25–27 and Oct 1–7 off; Sunday Sep 20 and Saturday Oct 10 worked.
      ['2026-09-20T10:00:00+08:00', true, 'Sunday Sep 20 is an adjusted working day'],
      ['2026-09-25T10:00:00+08:00', false, 'Mid-Autumn (Friday)'],
      ['2026-09-28T10:00:00+08:00', true, 'Monday between the two holidays'],
      ['2026-10-01T10:00:00+08:00', false, 'National Day (Thursday)'],
      ['2026-10-07T17:00:00+08:00', false, 'National Day last day (Wednesday)'],
      ['2026-10-08T08:00:00+08:00', true, 'Thursday after National Day'],
      ['2026-10-10T10:00:00+08:00', true, 'Saturday Oct 10 is an adjusted working day'],
      ['2026-10-11T10:00:00+08:00', false, 'ordinary Sunday'],
      // 2027 is not loaded: plain Monday–Friday.
      ['2027-01-01T10:00:00+08:00', true, 'Friday Jan 1 2027: uncovered year falls back to weekdays'],
      ['2027-01-02T10:00:00+08:00', false, 'Saturday Jan 2 2027'],
      // The same instant written in other zones: the contract zone decides, not the offset it was written in.
      ['2026-02-13T09:59:00Z', true, 'Friday 17:59 Shanghai written in UTC'],
      ['2026-02-13T10:00:00Z', false, 'Friday 18:00 Shanghai written in UTC'],
      ['2026-02-12T19:00:00-05:00', true, 'Friday 08:00 Shanghai written in New York time (Thursday there)'],
    ])('%s → %s (%s)', (iso, expected) => {
      expect(calendar.isWorkingTime(at(iso))).toBe(expected);
    });

    it.each([
      ['2026-01-04', true],
      ['2026-02-14', true],
      ['2026-02-23', false],
      ['2026-05-09', true],
      ['2026-09-20', true],
      ['2026-10-10', true],
      ['2026-10-09', true],
      ['2026-03-07', false],
    ])('isWorkingDay(%s) → %s', (date, expected) => {
      expect(calendar.isWorkingDay(date)).toBe(expected);
    });
  });

  describe('nextWorkingStart', () => {
    it.each([
      ['2025-12-31T18:00:00+08:00', '2026-01-04T08:00:00+08:00', 'New Year: Jan 1–3 off, Sunday Jan 4 worked'],
      ['2026-02-13T18:00:00+08:00', '2026-02-14T08:00:00+08:00', 'Friday evening → adjusted Saturday'],
      ['2026-02-14T18:00:00+08:00', '2026-02-24T08:00:00+08:00', 'across Spring Festival'],
      ['2026-02-27T19:00:00+08:00', '2026-02-28T08:00:00+08:00', 'Friday evening → adjusted Saturday Feb 28'],
      ['2026-04-30T18:30:00+08:00', '2026-05-06T08:00:00+08:00', 'across Labour Day'],
      ['2026-09-19T12:00:00+08:00', '2026-09-20T08:00:00+08:00', 'Saturday → adjusted Sunday Sep 20'],
      ['2026-09-24T18:00:00+08:00', '2026-09-28T08:00:00+08:00', 'across Mid-Autumn'],
      ['2026-09-30T20:00:00+08:00', '2026-10-08T08:00:00+08:00', 'across National Day'],
      ['2026-10-09T18:00:00+08:00', '2026-10-10T08:00:00+08:00', 'Friday → adjusted Saturday Oct 10'],
      ['2026-03-06T07:00:00+08:00', '2026-03-06T08:00:00+08:00', 'early morning of a working day'],
      ['2026-03-07T00:00:00+08:00', '2026-03-09T08:00:00+08:00', 'ordinary weekend from midnight'],
      ['2026-03-04T10:15:30+08:00', '2026-03-04T10:15:30+08:00', 'working time returns itself'],
      ['2026-12-31T18:00:00+08:00', '2027-01-01T08:00:00+08:00', 'into uncovered 2027: weekday fallback'],
    ])('%s → %s (%s)', (from, expected) => {
      expect(show(calendar.nextWorkingStart(at(from)))).toBe(expected);
    });
  });

  describe('addWorkingTime and addWorkingDays (S2: repair within 2 working days)', () => {
    it('2 working days from Friday 17:00 end on Tuesday 17:00 (week of 2026-03-02, no holidays)', () => {
      expect(show(calendar.addWorkingDays(at('2026-03-06T17:00:00+08:00'), 2))).toBe('2026-03-10T17:00:00+08:00');
    });

    it('2 working days from Saturday 10:00 end on Tuesday 18:00, not Wednesday 08:00', () => {
      expect(show(calendar.addWorkingDays(at('2026-03-07T10:00:00+08:00'), 2))).toBe('2026-03-10T18:00:00+08:00');
    });

    it.each([
      ['2025-12-31T17:00:00+08:00', 2, '2026-01-05T17:00:00+08:00', 'year boundary: Wed 1 h, Sun Jan 4 10 h, Mon 9 h'],
      ['2026-01-02T10:00:00+08:00', 1, '2026-01-04T18:00:00+08:00', 'reported on a New Year holiday'],
      ['2026-02-13T17:00:00+08:00', 2, '2026-02-24T17:00:00+08:00', 'Spring Festival: Fri 1 h, Sat Feb 14 10 h, Tue Feb 24 9 h'],
      ['2026-02-14T18:00:00+08:00', 2, '2026-02-25T18:00:00+08:00', 'from the end of the adjusted Saturday'],
      ['2026-02-27T17:00:00+08:00', 2, '2026-03-02T17:00:00+08:00', 'Fri 1 h, Sat Feb 28 10 h, Mon 9 h'],
      ['2026-04-30T10:00:00+08:00', 2, '2026-05-07T10:00:00+08:00', 'Labour Day: Thu 8 h, Wed May 6 10 h, Thu 2 h'],
      ['2026-05-08T17:00:00+08:00', 2, '2026-05-11T17:00:00+08:00', 'Fri 1 h, Sat May 9 10 h, Mon 9 h'],
      ['2026-09-18T17:00:00+08:00', 2, '2026-09-21T17:00:00+08:00', 'Fri 1 h, Sun Sep 20 10 h, Mon 9 h'],
      ['2026-09-24T12:00:00+08:00', 2, '2026-09-29T12:00:00+08:00', 'Mid-Autumn: Thu 6 h, Mon 10 h, Tue 4 h'],
      ['2026-09-30T09:00:00+08:00', 2, '2026-10-09T09:00:00+08:00', 'National Day: Wed 9 h, Thu Oct 8 10 h, Fri 1 h'],
      ['2026-10-09T17:00:00+08:00', 2, '2026-10-12T17:00:00+08:00', 'Fri 1 h, Sat Oct 10 10 h, Mon 9 h'],
      ['2026-12-31T17:00:00+08:00', 2, '2027-01-04T17:00:00+08:00', 'into 2027: Thu 1 h, Fri Jan 1 (fallback) 10 h, Mon 9 h'],
      ['2026-03-02T08:00:00+08:00', 7, '2026-03-10T18:00:00+08:00', 'S17: 7 working days from Monday 08:00'],
    ])('%s + %d working days → %s (%s)', (from, days, expected) => {
      expect(show(calendar.addWorkingDays(at(from), days))).toBe(expected);
    });

    it.each([
      ['2026-03-06T17:30:00+08:00', 30, '2026-03-06T18:00:00+08:00', 'used up exactly at 18:00 stays on Friday'],
      ['2026-03-06T17:30:00+08:00', 31, '2026-03-09T08:01:00+08:00', 'one more minute rolls to Monday'],
      ['2026-03-06T07:00:00+08:00', 1, '2026-03-06T08:01:00+08:00', 'before hours counts from 08:00'],
      ['2026-03-04T10:00:30+08:00', 90, '2026-03-04T11:30:30+08:00', 'seconds are kept'],
      ['2026-01-03T12:00:00+08:00', 60, '2026-01-04T09:00:00+08:00', 'holiday Saturday → adjusted Sunday'],
    ])('%s + %d min → %s (%s)', (from, minutes, expected) => {
      expect(show(calendar.addWorkingTime(at(from), minutes * MINUTE_MS))).toBe(expected);
    });

    it('adds nothing for a zero duration, even outside working time', () => {
      const sunday = at('2026-03-08T10:00:00+08:00');
      expect(calendar.addWorkingTime(sunday, 0)).toBe(sunday);
      expect(calendar.addWorkingDays(sunday, 0)).toBe(sunday);
    });
  });

  describe('workingTimeBetween', () => {
    it.each([
      ['2026-03-02T08:00:00+08:00', '2026-03-09T08:00:00+08:00', 50, 'an ordinary week'],
      ['2026-02-13T17:00:00+08:00', '2026-02-24T17:00:00+08:00', 20, 'across Spring Festival'],
      ['2025-12-31T00:00:00+08:00', '2026-01-05T00:00:00+08:00', 20, 'Dec 31 and adjusted Sunday Jan 4'],
      ['2026-10-01T00:00:00+08:00', '2026-10-08T00:00:00+08:00', 0, 'National Day week'],
      ['2026-09-19T00:00:00+08:00', '2026-09-21T00:00:00+08:00', 10, 'weekend with adjusted Sunday Sep 20'],
      ['2026-12-31T00:00:00+08:00', '2027-01-02T00:00:00+08:00', 20, 'Jan 1 2027 counts under weekday fallback'],
      ['2026-03-06T17:30:00+08:00', '2026-03-09T08:30:00+08:00', 1, 'Friday evening to Monday morning'],
      ['2026-03-04T12:00:00+08:00', '2026-03-04T12:00:00+08:00', 0, 'empty interval'],
    ])('[%s, %s) → %d h (%s)', (from, to, hours) => {
      expect(calendar.workingTimeBetween(at(from), at(to))).toBe(hours * HOUR_MS);
    });

    it('is negative when the end comes first', () => {
      expect(calendar.workingTimeBetween(at('2026-02-24T17:00:00+08:00'), at('2026-02-13T17:00:00+08:00'))).toBe(-20 * HOUR_MS);
    });
  });

  describe('year boundaries and coverage', () => {
    it('covers 2025 → 2026 but not a span reaching into 2027', () => {
      expect(calendar.covers(at('2025-12-31T17:00:00+08:00'), at('2026-01-05T17:00:00+08:00'))).toBe(true);
      expect(calendar.covers(at('2026-12-31T17:00:00+08:00'), at('2027-01-04T17:00:00+08:00'))).toBe(false);
    });

    it('decides the year from the Shanghai date, not UTC', () => {
      // 2026-12-31T16:00Z is already 2027-01-01 00:00 in Shanghai.
      expect(calendar.localDate(at('2026-12-31T15:59:59Z'))).toBe('2026-12-31');
      expect(calendar.localDate(at('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
      expect(calendar.covers(at('2026-12-31T15:59:59Z'), at('2026-12-31T15:59:59Z'))).toBe(true);
      expect(calendar.covers(at('2026-12-31T16:00:00Z'), at('2026-12-31T16:00:00Z'))).toBe(false);
    });

    it('names the first uncovered date', () => {
      expect(calendar.firstUncoveredDate(at('2026-12-30T10:00:00+08:00'), 5)).toBe('2027-01-01');
      expect(calendar.firstUncoveredDate(at('2026-12-01T10:00:00+08:00'), 10)).toBeNull();
    });

    it('accepts a later-loaded year, which replaces the weekday fallback', () => {
      const with2027 = new WorkingCalendar(
        buildCalendarSpec({ extraYears: [{ year: 2027, holidays: ['2027-01-01'], workdays: [] }] }),
      );
      expect(with2027.isWorkingTime(at('2027-01-01T10:00:00+08:00'))).toBe(false);
      expect(show(with2027.addWorkingDays(at('2026-12-31T17:00:00+08:00'), 2))).toBe('2027-01-05T17:00:00+08:00');
      expect(with2027.covers(at('2026-12-31T17:00:00+08:00'), at('2027-01-05T17:00:00+08:00'))).toBe(true);
    });
  });
});

describe('WorkingCalendar with a lunch break ([08:00–12:00], [13:30–18:00])', () => {
  const lunch = new WorkingCalendar(
    buildCalendarSpec({ workingHours: [{ start: '13:30', end: '18:00' }, { start: '08:00', end: '12:00' }] }),
  );

  it('has an 8.5-hour working day', () => {
    expect(lunch.dayLengthMs).toBe(8.5 * HOUR_MS);
  });

  it.each([
    ['2026-03-04T11:59:00+08:00', true],
    ['2026-03-04T12:00:00+08:00', false],
    ['2026-03-04T13:29:59+08:00', false],
    ['2026-03-04T13:30:00+08:00', true],
    ['2026-02-14T12:30:00+08:00', false],
    ['2026-02-14T14:00:00+08:00', true],
  ])('isWorkingTime(%s) → %s', (iso, expected) => {
    expect(lunch.isWorkingTime(at(iso))).toBe(expected);
  });

  it.each([
    ['2026-03-04T12:15:00+08:00', '2026-03-04T13:30:00+08:00'],
    ['2026-03-06T18:00:00+08:00', '2026-03-09T08:00:00+08:00'],
    ['2026-02-13T12:00:00+08:00', '2026-02-13T13:30:00+08:00'],
  ])('nextWorkingStart(%s) → %s', (from, expected) => {
    expect(show(lunch.nextWorkingStart(at(from)))).toBe(expected);
  });

  it.each([
    ['2026-03-04T11:30:00+08:00', 30, '2026-03-04T12:00:00+08:00'],
    ['2026-03-04T11:30:00+08:00', 31, '2026-03-04T13:31:00+08:00'],
    ['2026-03-04T12:10:00+08:00', 10, '2026-03-04T13:40:00+08:00'],
  ])('%s + %d min → %s', (from, minutes, expected) => {
    expect(show(lunch.addWorkingTime(at(from), minutes * MINUTE_MS))).toBe(expected);
  });

  it('2 working days from Friday 17:00 end on Tuesday 17:00; from Saturday 10:00 on Tuesday 18:00', () => {
    expect(show(lunch.addWorkingDays(at('2026-03-06T17:00:00+08:00'), 2))).toBe('2026-03-10T17:00:00+08:00');
    expect(show(lunch.addWorkingDays(at('2026-03-07T10:00:00+08:00'), 2))).toBe('2026-03-10T18:00:00+08:00');
  });

  it('counts no lunch in workingTimeBetween', () => {
    expect(lunch.workingTimeBetween(at('2026-03-04T08:00:00+08:00'), at('2026-03-04T18:00:00+08:00'))).toBe(8.5 * HOUR_MS);
    expect(lunch.workingTimeBetween(at('2026-03-04T11:00:00+08:00'), at('2026-03-04T14:00:00+08:00'))).toBe(1.5 * HOUR_MS);
  });
});

describe('bad input is refused with INVALID_INPUT', () => {
  it.each([
    ['2026-02-13T17:00:00', 'no zone: a local time is ambiguous evidence'],
    ['2026-02-13 17:00:00+08:00', 'space instead of T'],
    ['2026-02-13T17:00:00+0800', 'offset without colon'],
    ['garbage', 'not a time at all'],
    ['', 'empty'],
    ['2026-13-01T10:00:00+08:00', 'month 13'],
    ['2026-02-13T25:00:00+08:00', 'hour 25'],
    ['2026-02-30T10:00:00+08:00', 'February 30 must not roll over into March'],
    ['2025-02-29T10:00:00+08:00', 'February 29 of a common year'],
    ['2026-04-31T10:00:00Z', 'April 31'],
  ])('parseInstant(%j) (%s)', (value) => {
    const err = domainError(() => parseInstant(value, 'reportedAt'));
    expect(err.code).toBe(DomainErrorCode.InvalidInput);
    expect(err.details.field).toBe('reportedAt');
  });

  it.each([null, undefined, 1_772_000_000_000, {}])('parseInstant(%p) refuses non-strings', (value) => {
    expect(domainError(() => parseInstant(value, 'at')).code).toBe(DomainErrorCode.InvalidInput);
  });

  it('isIsoInstant (the API validator) agrees with parseInstant', () => {
    expect(isIsoInstant('2026-02-13T17:00:00+08:00')).toBe(true);
    expect(isIsoInstant('2028-02-29T10:00:00Z')).toBe(true);
    expect(isIsoInstant('2026-02-30T10:00:00+08:00')).toBe(false);
    expect(isIsoInstant('2026-02-13T17:00:00')).toBe(false);
    expect(isIsoInstant(1_772_000_000_000)).toBe(false);
  });

  it('parseInstant accepts times with a zone, to the same instant', () => {
    expect(parseInstant('2026-02-13T17:00:00+08:00', 'at')).toBe(parseInstant('2026-02-13T09:00:00Z', 'at'));
    expect(parseInstant('2026-02-13T17:00+08:00', 'at')).toBe(at('2026-02-13T17:00:00+08:00'));
    expect(parseInstant('2028-02-29T10:00:00.250+08:00', 'at')).toBe(at('2028-02-29T02:00:00.250Z'));
  });

  it.each([-1, -MINUTE_MS, Number.NaN, Number.POSITIVE_INFINITY])('addWorkingTime refuses duration %p', (d) => {
    const err = domainError(() => calendar.addWorkingTime(at('2026-03-04T10:00:00+08:00'), d));
    expect(err.code).toBe(DomainErrorCode.InvalidInput);
    expect(err.details.field).toBe('duration');
  });

  it('addWorkingDays refuses negative days', () => {
    expect(domainError(() => calendar.addWorkingDays(at('2026-03-04T10:00:00+08:00'), -2)).code).toBe(DomainErrorCode.InvalidInput);
  });

  const base = buildCalendarSpec();
  it.each<[string, Partial<CalendarSpec>]>([
    ['overlapping working periods', { workingHours: [{ start: '08:00', end: '12:00' }, { start: '11:30', end: '18:00' }] }],
    ['a period ending before it starts', { workingHours: [{ start: '18:00', end: '08:00' }] }],
    ['an empty period', { workingHours: [{ start: '09:00', end: '09:00' }] }],
    ['no periods', { workingHours: [] }],
    ['H:MM instead of HH:MM', { workingHours: [{ start: '8:00', end: '18:00' }] }],
    ['a time past 24:00', { workingHours: [{ start: '08:00', end: '24:30' }] }],
    ['a holiday also listed as a workday', { workdays: [...base.workdays, '2026-10-01'] }],
    ['a holiday that is not a date', { holidays: [...base.holidays, '2026-02-30'] }],
    ['an offset beyond ±14 h', { utcOffsetMinutes: 15 * 60 }],
  ])('WorkingCalendar refuses %s', (_why, change) => {
    expect(domainError(() => new WorkingCalendar({ ...base, ...change })).code).toBe(DomainErrorCode.InvalidInput);
  });

  it('a holiday also listed as a workday is named in the error', () => {
    const err = domainError(
      () => new WorkingCalendar(buildCalendarSpec({ extraYears: [{ year: 2026, holidays: ['2026-10-10'], workdays: ['2026-10-10'] }] })),
    );
    expect(err.details.field).toBe('workdays');
    expect(err.message).toContain('2026-10-10');
  });

  it.each(['America/New_York', 'Not/AZone'])('buildCalendarSpec refuses time zone %s', (timeZone) => {
    expect(domainError(() => buildCalendarSpec({ timeZone })).details.field).toBe('timeZone');
  });

  it('requirePolicy refuses an unknown policy version', () => {
    const err = domainError(() => requirePolicy([CONTRACT_POLICY], 2));
    expect(err.code).toBe(DomainErrorCode.UnknownPolicy);
    expect(err.details.field).toBe('policyVersion');
    expect(domainError(() => requirePolicy([], undefined)).code).toBe(DomainErrorCode.UnknownPolicy);
  });

  it.each<[string, SlaPolicy['overrides'][number]]>([
    ['respond slower than the off-hours hour (S10)', { priority: 'P4', respondMinutes: 90 }],
    ['on site slower than the off-hours two hours (S10)', { systemId: 'pacs', onSiteMinutes: 180 }],
    ['repair longer than 2 working days (S2)', { priority: 'P3', repairWorkingDays: 3 }],
  ])('validatePolicy refuses an override that loosens the contract: %s', (_why, override) => {
    const err = domainError(() => validatePolicy({ ...CONTRACT_POLICY, version: 2, overrides: [override] }));
    expect(err.code).toBe(DomainErrorCode.InvalidInput);
    expect(String(err.details.field)).toMatch(/^overrides\[0]\./);
  });
});
