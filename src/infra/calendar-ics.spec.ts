import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DomainErrorCode } from '../domain/errors';
import { parseCalendarIcs } from './calendar-ics';
import { domainError as icsError } from '../domain/testing/domain-error';

/** Admins load further years of the S10 working calendar from the ICS chinese-days publishes. */
const DIST = dirname(require.resolve('chinese-days/dist/chinese-days.json'));
const json = JSON.parse(readFileSync(join(DIST, 'chinese-days.json'), 'utf8')) as {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
};
const inYear = (dates: Record<string, string>, year: number) => Object.keys(dates).filter((d) => d.startsWith(`${year}-`)).sort();
const read = (file: string) => readFileSync(join(DIST, file), 'utf8');

/** A calendar around the given events, with CRLF line ends as RFC 5545 asks. */
function calendar(...events: string[][]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//wardline//test//CN', ...events.flat(), 'END:VCALENDAR', ''].join('\r\n');
}
function event(start: string, end: string | null, props: string[]): string[] {
  return ['BEGIN:VEVENT', `DTSTART;VALUE=DATE:${start}`, ...(end ? [`DTEND;VALUE=DATE:${end}`] : []), ...props, 'END:VEVENT'];
}
const off = (start: string, end: string | null, name = '元旦') => event(start, end, [`SUMMARY:${name}(休)`, 'DESCRIPTION:休']);
const work = (start: string, end: string | null, name = '春节') => event(start, end, [`SUMMARY:${name}(班)`, 'DESCRIPTION:班']);

describe('parseCalendarIcs on the files chinese-days ships', () => {
  it('reads dist/years/2026.ics exactly as the chinese-days JSON data for 2026 (S10)', () => {
    const parsed = parseCalendarIcs(read('years/2026.ics'), 2026);
    expect(parsed).toEqual({ year: 2026, holidays: inYear(json.holidays, 2026), workdays: inYear(json.workdays, 2026) });
    // Spring Festival: DTSTART 20260215, DTEND 20260224 exclusive → nine days off; Saturdays 14th and 28th worked.
    expect(parsed.holidays.filter((d) => d.startsWith('2026-02'))).toEqual([
      '2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23',
    ]);
    expect(parsed.workdays).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
  });

  it('reads the English twin (Holiday / Workday markers) the same way', () => {
    expect(parseCalendarIcs(read('years/2026.en.ics'), 2026)).toEqual(parseCalendarIcs(read('years/2026.ics'), 2026));
  });

  it('picks one year out of the multi-year feed dist/holidays.ics', () => {
    for (const year of [2024, 2025, 2026]) {
      expect(parseCalendarIcs(read('holidays.ics'), year)).toEqual({ year, holidays: inYear(json.holidays, year), workdays: inYear(json.workdays, year) });
    }
  });

  it('agrees with the JSON data for every bundled year, cutting events that run across New Year', () => {
    const files = readdirSync(join(DIST, 'years')).filter((f) => /^\d{4}\.ics$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(20);
    for (const file of files) {
      const year = Number(file.slice(0, 4));
      const parsed = parseCalendarIcs(read(`years/${file}`), year);
      expect({ file, holidays: parsed.holidays, workdays: parsed.workdays }).toEqual({
        file,
        holidays: inYear(json.holidays, year),
        workdays: inYear(json.workdays, year),
      });
    }
  });
});

describe('parseCalendarIcs: the format (RFC 5545)', () => {
  it('treats DTEND as exclusive and a DATE without DTEND as one day', () => {
    const parsed = parseCalendarIcs(calendar(off('20270101', '20270104'), off('20270405', null, '清明'), work('20270207', '20270208')), 2027);
    expect(parsed).toEqual({ year: 2027, holidays: ['2027-01-01', '2027-01-02', '2027-01-03', '2027-04-05'], workdays: ['2027-02-07'] });
  });

  it('accepts DURATION in days or weeks instead of DTEND', () => {
    const ics = calendar(event('20271001', null, ['DURATION:P1W', 'SUMMARY:国庆节(休)']), event('20270501', null, ['DURATION:P2D', 'DESCRIPTION:休']));
    expect(parseCalendarIcs(ics, 2027).holidays).toEqual([
      '2027-05-01', '2027-05-02', '2027-10-01', '2027-10-02', '2027-10-03', '2027-10-04', '2027-10-05', '2027-10-06', '2027-10-07',
    ]);
  });

  it('unfolds continuation lines (space or tab), including inside a multi-byte value, with CRLF or bare LF', () => {
    const folded = [
      'BEGIN:VCALENDAR',
      'BEGIN:VEVENT',
      'DTSTART;VALUE=DATE:2027',
      ' 0101',
      'DTEND;VALUE=DATE:20270103',
      'SUMMARY:元旦(',
      '\t休)',
      'X-APPLE-UNIVERSAL-ID:c847e7d3b165ba31a85331b277b4b32fa3d6e4477f511f906ba15',
      ' c93bf61d225',
      'END:VEVENT',
      'END:VCALENDAR',
    ];
    const expected = { year: 2027, holidays: ['2027-01-01', '2027-01-02'], workdays: [] };
    expect(parseCalendarIcs(folded.join('\r\n'), 2027)).toEqual(expected);
    expect(parseCalendarIcs(folded.join('\n'), 2027)).toEqual(expected);
    expect(parseCalendarIcs('\uFEFF' + folded.join('\r\n') + '\r\n\r\n', 2027)).toEqual(expected);
  });

  it('skips events of other years and cuts one that runs across New Year at the boundary', () => {
    const ics = calendar(off('20261231', '20270103'), off('20280101', '20280102'), work('20261227', '20261228'));
    expect(parseCalendarIcs(ics, 2027)).toEqual({ year: 2027, holidays: ['2027-01-01', '2027-01-02'], workdays: [] });
    expect(parseCalendarIcs(ics, 2026)).toEqual({ year: 2026, holidays: ['2026-12-31'], workdays: ['2026-12-27'] });
  });

  it('recognises the other usual markers: X-APPLE-SPECIAL-DAY alone, 补班, 放假, full-width brackets', () => {
    const ics = calendar(
      event('20270101', null, ['X-APPLE-SPECIAL-DAY:WORK-HOLIDAY']),
      event('20270102', null, ['SUMMARY:元旦放假']),
      event('20270103', null, ['SUMMARY:春节（休）']),
      event('20270109', null, ['SUMMARY:元旦补班']),
      event('20270110', null, ['SUMMARY:调休上班']),
      event('20270116', null, ['X-APPLE-SPECIAL-DAY:ALTERNATE-WORKDAY', 'SUMMARY:Spring Festival(Workday)']),
    );
    expect(parseCalendarIcs(ics, 2027)).toEqual({
      year: 2027,
      holidays: ['2027-01-01', '2027-01-02', '2027-01-03'],
      workdays: ['2027-01-09', '2027-01-10', '2027-01-16'],
    });
  });

  it('ignores cancelled events, nested alarms and duplicate days', () => {
    const ics = calendar(
      ['BEGIN:VEVENT', 'DTSTART;VALUE=DATE:20270101', 'SUMMARY:元旦(休)', 'BEGIN:VALARM', 'DESCRIPTION:班', 'END:VALARM', 'END:VEVENT'],
      event('20270101', '20270103', ['DESCRIPTION:休']),
      event('20270105', null, ['SUMMARY:作废(休)', 'STATUS:CANCELLED']),
    );
    expect(parseCalendarIcs(ics, 2027)).toEqual({ year: 2027, holidays: ['2027-01-01', '2027-01-02'], workdays: [] });
  });
});

describe('parseCalendarIcs refuses what it cannot read, naming the line (field ics)', () => {
  /** Line numbers in `calendar(...)`: 1 BEGIN:VCALENDAR, 2 VERSION, 3 PRODID, 4 the first event's BEGIN:VEVENT, 5 its DTSTART. */
  it.each<[string, string, RegExp]>([
    ['an event that says neither 休 nor 班', calendar(event('20270101', null, ['SUMMARY:元旦'])), /^line 4: the event "元旦" does not say whether/],
    ['bare 调休, which can mean either', calendar(event('20270101', null, ['SUMMARY:元旦调休'])), /^line 4: .*does not say/],
    [
      'markers that disagree',
      calendar(event('20270101', null, ['SUMMARY:元旦(休)', 'DESCRIPTION:班'])),
      /^line 7: the event "元旦\(休\)" is ambiguous: SUMMARY \(line 6\) says holiday, DESCRIPTION says workday$/,
    ],
    ['an unknown Apple special day', calendar(event('20270101', null, ['X-APPLE-SPECIAL-DAY:HALF-DAY'])), /^line 6: X-APPLE-SPECIAL-DAY "HALF-DAY"/],
    ['a time of day instead of a date', calendar(['BEGIN:VEVENT', 'DTSTART:20270101T090000', 'SUMMARY:x(休)', 'END:VEVENT']), /^line 5: DTSTART must be an all-day date/],
    ['an impossible date', calendar(off('20270230', null)), /^line 5: DTSTART is not a calendar date: 20270230/],
    ['DTEND not after DTSTART', calendar(off('20270103', '20270103')), /^line 6: DTEND 20270103 must be after DTSTART/],
    ['a repeating event', calendar(event('20270101', null, ['RRULE:FREQ=YEARLY', 'SUMMARY:元旦(休)'])), /^line 6: RRULE: repeating events are not supported/],
    ['no DTSTART', calendar(['BEGIN:VEVENT', 'SUMMARY:元旦(休)', 'END:VEVENT']), /^line 4: the event has no DTSTART/],
    ['a day both off and worked', calendar(off('20270101', '20270104'), work('20270102', null)), /^line 11: 2027-01-02 is a working day here but the event at line 5 says the opposite/],
    ['a cut-off file', 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\n', /^line 2: BEGIN:VEVENT is never closed/],
    ['mismatched END', calendar(['BEGIN:VEVENT', 'DTSTART;VALUE=DATE:20270101', 'END:VTODO']), /^line 6: END:VTODO closes BEGIN:VEVENT of line 4/],
    ['something that is not iCalendar', '{"holidays": []}', /^line 1: not an iCalendar content line/],
    ['a continuation with nothing before it', ' BEGIN:VCALENDAR', /^line 1: a folded continuation line/],
    ['no event in the year', calendar(off('20260101', null)), /no holiday or adjusted working day in 2027/],
    ['an empty file', '\r\n', /the file is empty/],
  ])('%s', (_, ics, reason) => {
    const e = icsError(() => parseCalendarIcs(ics, 2027));
    expect(e.code).toBe(DomainErrorCode.InvalidInput);
    expect(e.details.field).toBe('ics');
    expect(String(e.details.reason)).toMatch(reason);
    expect(e.message).toBe(`ics: ${e.details.reason}`);
  });

  it('reports the line of the problem in details too', () => {
    const e = icsError(() => parseCalendarIcs(calendar(off('20270101', null), event('20270301', null, ['SUMMARY:植树节'])), 2027));
    expect(e.details.line).toBe(9);
  });
});
