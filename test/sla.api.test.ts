import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/**
 * The SLA arithmetic over HTTP on real PostgreSQL: POST /sla/preview (S10 response and on-site, S2 repair,
 * S3/S11 modification delivery, S17 acceptance), the working calendar admins extend (S10 working days) and
 * the versioned policies that may only tighten the contract. The API's clock is fixed at Friday 2026-11-27
 * 12:00 in Shanghai, so the 60-day coverage horizon already reaches 2027.
 */
const NOW = Date.parse('2026-11-27T12:00:00+08:00');

describe('SLA and calendar through the API', () => {
  let p: TestPlatform;
  let dispatcher: TestUser;
  let engineer: TestUser;
  let vendorContact: TestUser;

  const preview = (body: Record<string, unknown>, token: string | null = dispatcher.token) => p.call('POST', '/sla/preview', token, body);
  const fieldsOf = (res: { body: any }) => (res.body.errors ?? []).map((e: any) => e.field).sort();
  const reasonOf = (res: { body: any }, field: string): string => res.body.errors.find((e: any) => e.field === field)?.reasons.join('; ');

  beforeAll(async () => {
    // No workflow runs here: a preview opens nothing.
    p = await startPlatform({ clock: { now: () => NOW }, worker: false });
    dispatcher = await p.user(['dispatcher'], '王调度');
    engineer = await p.user(['engineer'], '李工');
    vendorContact = await p.user(['vendor_contact'], '原厂支持');
  });
  afterAll(() => p?.stop());

  describe('POST /sla/preview', () => {
    it('S10/S2: Friday 17:30 is working time: respond by 18:00, on site by 18:30, repaired within 2 working days (Tuesday 17:30)', async () => {
      const res = await preview({ reportedAt: '2026-11-20T17:30:00+08:00', kind: 'incident', systemId: 'SYS-11', priority: 'P1' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        kind: 'incident',
        tier: 'working_time',
        policyVersion: 1,
        calendarCovered: true,
        provisional: false,
        workingTime: true,
        deadlines: {
          respond: '2026-11-20T18:00:00+08:00',
          onSite: '2026-11-20T18:30:00+08:00',
          // 0.5 h on Friday, 10 h on Monday, 9.5 h on Tuesday: 20 working hours.
          repair: '2026-11-24T17:30:00+08:00',
        },
      });
      // The same instant written in UTC gives the same Shanghai deadlines.
      const utc = await preview({ reportedAt: '2026-11-20T09:30:00Z', kind: 'incident' });
      expect(utc.body.deadlines).toEqual(res.body.deadlines);
    });

    it('S10: outside working time (Saturday, and Friday from 18:00) gives 1 h to respond and 2 h on site', async () => {
      const saturday = await preview({ reportedAt: '2026-11-21T10:00:00+08:00', kind: 'incident', priority: 'P3' });
      expect(saturday.status).toBe(200);
      expect(saturday.body).toMatchObject({ tier: 'off_hours', workingTime: false, calendarCovered: true });
      expect(saturday.body.deadlines).toEqual({
        respond: '2026-11-21T11:00:00+08:00',
        onSite: '2026-11-21T12:00:00+08:00',
        // S2: the repair clock starts Monday 08:00; 20 working hours end Tuesday at 18:00, not Wednesday 08:00.
        repair: '2026-11-24T18:00:00+08:00',
      });
      const friday1800 = await preview({ reportedAt: '2026-11-20T18:00:00+08:00', kind: 'incident' });
      expect(friday1800.body.tier).toBe('off_hours');
      expect(friday1800.body.deadlines.respond).toBe('2026-11-20T19:00:00+08:00');
    });

    it('S10: Spring Festival 2026: the adjusted Saturday (Feb 14) counts, Feb 15–23 do not', async () => {
      const before = await preview({ reportedAt: '2026-02-13T17:00:00+08:00', kind: 'incident' });
      expect(before.body).toMatchObject({ tier: 'working_time', calendarCovered: true });
      // 1 h Friday + 10 h on the adjusted Saturday + 9 h on Tuesday Feb 24, the first working day after the holiday.
      expect(before.body.deadlines.repair).toBe('2026-02-24T17:00:00+08:00');
      const during = await preview({ reportedAt: '2026-02-17T10:00:00+08:00', kind: 'incident' });
      expect(during.body.tier).toBe('off_hours');
      expect(during.body.deadlines).toEqual({
        respond: '2026-02-17T11:00:00+08:00',
        onSite: '2026-02-17T12:00:00+08:00',
        repair: '2026-02-25T18:00:00+08:00',
      });
    });

    it('S2: a data repair (after a user mistake) also has 2 working days', async () => {
      const res = await preview({ reportedAt: '2026-11-20T17:30:00+08:00', kind: 'data_repair', systemId: 'SYS-05' });
      expect(res.status).toBe(200);
      expect(res.body.kind).toBe('data_repair');
      expect(res.body.deadlines.repair).toBe('2026-11-24T17:30:00+08:00');
    });

    it('S3/S11: a modification is delivered within 7 calendar days; S17: acceptance from 7 working days after go-live', async () => {
      const res = await preview({ reportedAt: '2026-11-20T17:30:00+08:00', kind: 'modification', systemId: 'SYS-30' });
      expect(res.status).toBe(200);
      // Calendar days: the weekend in between counts.
      expect(res.body).toEqual({ kind: 'modification', policyVersion: 1, deadlines: { delivery: '2026-11-27T17:30:00+08:00' }, acceptanceEligibleAt: null });
      // Live on Monday 2026-09-28 10:00: National Day (Oct 1–7) does not count, the adjusted Saturday Oct 10 does.
      const live = await preview({ reportedAt: '2026-09-20T09:00:00+08:00', kind: 'modification', liveAt: '2026-09-28T10:00:00+08:00' });
      expect(live.body.deadlines.delivery).toBe('2026-09-27T09:00:00+08:00');
      expect(live.body.acceptanceEligibleAt).toBe('2026-10-13T10:00:00+08:00');
    });

    it('422 for an unknown business system or policy version, naming the field', async () => {
      const system = await preview({ reportedAt: '2026-11-20T17:30:00+08:00', kind: 'incident', systemId: 'SYS-99' });
      expect(system.status).toBe(422);
      expect(system.body.code).toBe('UNKNOWN_SYSTEM');
      expect(fieldsOf(system)).toEqual(['systemId']);
      const policy = await preview({ reportedAt: '2026-11-20T17:30:00+08:00', kind: 'incident', policyVersion: 99 });
      expect(policy.status).toBe(422);
      expect(policy.body.code).toBe('UNKNOWN_POLICY');
      expect(policy.body.field).toBe('policyVersion');
      expect(policy.body.message).toContain('99');
    });

    it('400 naming each bad field: unparseable time, time without a zone, impossible date, unknown field', async () => {
      const garbage = await preview({ reportedAt: 'yesterday afternoon', kind: 'incident' });
      expect(garbage.status).toBe(400);
      expect(fieldsOf(garbage)).toEqual(['reportedAt']);
      // A local time is ambiguous evidence: the zone must be written.
      const noZone = await preview({ reportedAt: '2026-11-20T17:30:00', kind: 'incident' });
      expect(noZone.status).toBe(400);
      expect(reasonOf(noZone, 'reportedAt')).toContain('zone');
      const impossible = await preview({ reportedAt: '2026-02-30T10:00:00+08:00', kind: 'incident' });
      expect(impossible.status).toBe(400);
      expect(fieldsOf(impossible)).toEqual(['reportedAt']);
      const unknown = await preview({ reportedAt: '2026-11-20T17:30:00+08:00', kind: 'incident', urgent: true });
      expect(unknown.status).toBe(400);
      expect(fieldsOf(unknown)).toEqual(['urgent']);
      const several = await preview({ reportedAt: '2026-11-20T17:30:00+08:00', kind: 'outage', priority: 'P9', policyVersion: 0, liveAt: '2026-11-30 10:00' });
      expect(several.status).toBe(400);
      expect(fieldsOf(several)).toEqual(['kind', 'liveAt', 'policyVersion', 'priority']);
    });

    it('401 without a token; any signed-in role may preview, vendor contacts included', async () => {
      const anonymous = await preview({ reportedAt: '2026-11-20T17:30:00+08:00', kind: 'incident' }, null);
      expect(anonymous.status).toBe(401);
      expect((await preview({ reportedAt: '2026-11-20T17:30:00+08:00', kind: 'incident' }, 'wl_not-a-token')).status).toBe(401);
      for (const who of [engineer, vendorContact, dispatcher]) {
        const res = await preview({ reportedAt: '2026-11-20T17:30:00+08:00', kind: 'incident' }, who.token);
        expect({ who: who.name, status: res.status, respond: res.body.deadlines?.respond }).toEqual({
          who: who.name,
          status: 200,
          respond: '2026-11-20T18:00:00+08:00',
        });
      }
      // The calendar and policies are for the service staff, not the original vendors' contacts.
      expect((await p.call('GET', '/calendar', vendorContact.token)).status).toBe(403);
      expect((await p.call('GET', '/sla/policies', vendorContact.token)).status).toBe(403);
    });
  });

  describe('the working calendar (S10 working days; admins load further years)', () => {
    /** A made-up 2027 schedule (the State Council publishes the real one in late 2026). */
    const year2027 = { holidays: ['2027-01-04', '2027-01-01'], workdays: ['2027-01-09'], source: '测试：虚构的2027年安排' };

    it('GET /calendar shows the bundled years and that 2027 is not covered within 60 days', async () => {
      const res = await p.call('GET', '/calendar', dispatcher.token);
      expect(res.status).toBe(200);
      expect(res.body.timeZone).toBe('Asia/Shanghai');
      expect(res.body.workingHours).toEqual([{ start: '08:00', end: '18:00' }]);
      const bundled: number[] = res.body.bundledYears;
      expect(bundled[0]).toBe(2004);
      expect(bundled[bundled.length - 1]).toBe(2026);
      expect(bundled).toEqual(Array.from({ length: bundled.length }, (_, i) => 2004 + i));
      expect(res.body.loadedYears).toEqual([]);
      expect(res.body.coverage).toEqual({ ok: false, coveredYears: bundled, firstUncoveredDate: '2027-01-01', horizonDays: 60 });
    });

    it('issue 9: before 2027 is loaded, a deadline in 2027 skips the statutory holidays (元旦) and is flagged provisional', async () => {
      // 1 h on Thursday; Friday 2027-01-01 (元旦, by law) and the weekend are off; 10 h Monday; 9 h Tuesday.
      const res = await preview({ reportedAt: '2026-12-31T17:00:00+08:00', kind: 'incident' });
      expect(res.body).toMatchObject({ calendarCovered: false, provisional: true });
      expect(res.body.deadlines.repair).toBe('2027-01-05T17:00:00+08:00');
      // a deadline wholly inside an official year is not provisional
      const november = await preview({ reportedAt: '2026-11-27T10:00:00+08:00', kind: 'incident' });
      expect(november.body).toMatchObject({ calendarCovered: true, provisional: false });
    });

    it('issue 9: GET /calendar lists every year, official or provisional, with its holidays and 调休 days and why', async () => {
      const res = await p.call('GET', '/calendar', dispatcher.token);
      const years: any[] = res.body.years;
      expect(years.map((y) => `${y.year}:${y.status}`).slice(-4)).toEqual(['2025:official', '2026:official', '2027:provisional', '2028:provisional']);
      const y2026 = years.find((y) => y.year === 2026);
      expect(y2026.holidays).toContainEqual({ date: '2026-02-17', name: '春节' });
      expect(y2026.workdays).toContainEqual({ date: '2026-01-04', name: '元旦调休上班' });
      const y2027 = years.find((y) => y.year === 2027);
      expect(y2027.workdays).toEqual([]);
      expect(y2027.source).toContain('全国年节及纪念日放假办法');
      expect(y2027.holidays).toEqual([
        { date: '2027-01-01', name: '元旦' },
        { date: '2027-02-05', name: '春节（除夕）' },
        { date: '2027-02-06', name: '春节（初一）' },
        { date: '2027-02-07', name: '春节（初二）' },
        { date: '2027-02-08', name: '春节（初三）' },
        { date: '2027-02-09', name: '春节补假' },
        { date: '2027-02-10', name: '春节补假' },
        { date: '2027-04-05', name: '清明节' },
        { date: '2027-05-01', name: '劳动节' },
        { date: '2027-05-02', name: '劳动节' },
        { date: '2027-05-03', name: '劳动节补假' },
        { date: '2027-05-04', name: '劳动节补假' },
        { date: '2027-06-09', name: '端午节' },
        { date: '2027-09-15', name: '中秋节' },
        { date: '2027-10-01', name: '国庆节' },
        { date: '2027-10-02', name: '国庆节' },
        { date: '2027-10-03', name: '国庆节' },
        { date: '2027-10-04', name: '国庆节补假' },
        { date: '2027-10-05', name: '国庆节补假' },
      ]);
    });

    it('PUT /calendar/years/2027 is for admins only', async () => {
      const res = await p.call('PUT', '/calendar/years/2027', dispatcher.token, year2027);
      expect(res.status).toBe(403);
      expect(res.body.message).toContain('admin');
      expect((await p.call('PUT', '/calendar/years/2027', null, year2027)).status).toBe(401);
    });

    it('loads 2027 as JSON; the repair deadline then skips its holidays and counts its adjusted Saturday', async () => {
      const res = await p.call('PUT', '/calendar/years/2027', p.adminToken, year2027);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ year: 2027, holidays: ['2027-01-01', '2027-01-04'], workdays: ['2027-01-09'], source: year2027.source });
      expect(res.body.coverage).toMatchObject({ ok: true, firstUncoveredDate: null });
      expect(res.body.coverage.coveredYears).toContain(2027);

      // 1 h on Thursday; Friday Jan 1, the weekend and Monday Jan 4 are off; 10 h Tuesday; 9 h Wednesday.
      const yearEnd = await preview({ reportedAt: '2026-12-31T17:00:00+08:00', kind: 'incident' });
      expect(yearEnd.body).toMatchObject({ calendarCovered: true, provisional: false });
      expect(yearEnd.body.deadlines.repair).toBe('2027-01-06T17:00:00+08:00');
      // Saturday Jan 9 is worked: Friday 1 h + Saturday 10 h + Monday 9 h.
      const friday = await preview({ reportedAt: '2027-01-08T17:00:00+08:00', kind: 'incident' });
      expect(friday.body.deadlines.repair).toBe('2027-01-11T17:00:00+08:00');
      // And a Saturday that is worked is working time for S10's tiers.
      const saturday = await preview({ reportedAt: '2027-01-09T10:00:00+08:00', kind: 'incident' });
      expect(saturday.body).toMatchObject({ tier: 'working_time', workingTime: true });

      const calendar = await p.call('GET', '/calendar', dispatcher.token);
      expect(calendar.body.loadedYears).toEqual([{ year: 2027, source: year2027.source, loadedBy: expect.any(String), loadedAt: expect.any(String) }]);
      expect(calendar.body.coverage.ok).toBe(true);
    });

    it('loads 2027 as ICS (CRLF, folded lines, multi-day events with DTEND exclusive), replacing the JSON load', async () => {
      const ics = [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//yaavi.me//Chinese Days//CN',
        'BEGIN:VEVENT',
        'UID:2027-new-year',
        'DTSTART;VALUE=DATE:20270101',
        'DTEND;VALUE=DATE:20270104',
        'SUMMARY:元旦(休)',
        'DESCRIPTION:休',
        'X-APPLE-SPECIAL-DAY:WORK-HOLIDAY',
        'X-APPLE-UNIVERSAL-ID:c847e7d3b165ba31a85331b277b4b32fa3d6e4477f511f906ba15',
        ' c93bf61d225',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:2027-spring-festival',
        'DTSTART;VALUE=DATE:20270206',
        'DTEND;VALUE=DATE:2027',
        ' 0214',
        'SUMMARY:春节(休)',
        'X-APPLE-SPECIAL-DAY:WORK-HOLIDAY',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:2027-spring-festival-work',
        'DTSTART;VALUE=DATE:20270220',
        'DTEND;VALUE=DATE:20270221',
        'SUMMARY:春节(班)',
        'DESCRIPTION:班',
        'X-APPLE-SPECIAL-DAY:ALTERNATE-WORKDAY',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n');
      const res = await p.call('PUT', '/calendar/years/2027', p.adminToken, { ics });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        year: 2027,
        holidays: ['2027-01-01', '2027-01-02', '2027-01-03', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12', '2027-02-13'],
        workdays: ['2027-02-20'],
        source: 'ics',
      });
      // Monday Jan 4 is a working day again: 1 h Thursday, 10 h Monday, 9 h Tuesday.
      const yearEnd = await preview({ reportedAt: '2026-12-31T17:00:00+08:00', kind: 'incident' });
      expect(yearEnd.body.deadlines.repair).toBe('2027-01-05T17:00:00+08:00');
      // Friday Feb 5, 17:00: 1 h, then the festival, then Monday Feb 15 (10 h) and Tuesday to 17:00.
      const festival = await preview({ reportedAt: '2027-02-05T17:00:00+08:00', kind: 'incident' });
      expect(festival.body.deadlines.repair).toBe('2027-02-16T17:00:00+08:00');
    });

    it('loads the ICS file chinese-days ships for 2026 over HTTP, matching the bundled data', async () => {
      const ics = readFileSync(require.resolve('chinese-days/dist/years/2026.ics'), 'utf8');
      const data = JSON.parse(readFileSync(require.resolve('chinese-days/dist/chinese-days.json'), 'utf8'));
      const of2026 = (dates: Record<string, string>) => Object.keys(dates).filter((d) => d.startsWith('2026-')).sort();
      const res = await p.call('PUT', '/calendar/years/2026', p.adminToken, { ics, source: 'chinese-days 1.5.7 years/2026.ics' });
      expect(res.status).toBe(200);
      expect(res.body.holidays).toEqual(of2026(data.holidays));
      expect(res.body.workdays).toEqual(of2026(data.workdays));
      const again = await preview({ reportedAt: '2026-11-20T17:30:00+08:00', kind: 'incident' });
      expect(again.body.deadlines.repair).toBe('2026-11-24T17:30:00+08:00');
    });

    it('400 naming the field for dates that are not real, not in the year, or contradict each other; nothing is saved', async () => {
      const put = (body: unknown) => p.call('PUT', '/calendar/years/2027', p.adminToken, body);
      const cases: [string, unknown, string, string][] = [
        ['Feb 30', { holidays: ['2027-01-01', '2027-02-30'], workdays: [] }, 'holidays[1]', 'not a calendar date'],
        ['a date in another year', { holidays: ['2027-01-01', '2026-12-31'], workdays: [] }, 'holidays[1]', 'not in 2027'],
        ['a weekday as an adjusted working day', { holidays: ['2027-01-01'], workdays: ['2027-01-05'] }, 'workdays', 'weekday'],
        ['the same date in both lists', { holidays: ['2027-01-09'], workdays: ['2027-01-09'] }, 'workdays', 'both'],
        ['a date written otherwise', { holidays: ['2027/01/01'], workdays: [] }, 'holidays', 'YYYY-MM-DD'],
        ['an adjusted working day outside the year', { holidays: [], workdays: ['2028-01-08'] }, 'workdays[0]', 'not in 2027'],
      ];
      for (const [label, body, field, reason] of cases) {
        const res = await put(body);
        expect({ label, status: res.status, fields: fieldsOf(res) }).toEqual({ label, status: 400, fields: [field] });
        expect(reasonOf(res, field)).toContain(reason);
      }
      // The ICS load of the test before still stands.
      const yearEnd = await preview({ reportedAt: '2026-12-31T17:00:00+08:00', kind: 'incident' });
      expect(yearEnd.body.deadlines.repair).toBe('2027-01-05T17:00:00+08:00');
    });

    it('400 unless exactly one form is given: lists or ics, naming the field', async () => {
      const put = (body: unknown) => p.call('PUT', '/calendar/years/2027', p.adminToken, body);
      const oneDay = 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nSUMMARY:元旦(休)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
      const both = await put({ holidays: ['2027-01-01'], workdays: [], ics: oneDay });
      expect(both.status).toBe(400);
      expect(fieldsOf(both)).toEqual(['ics']);
      expect(reasonOf(both, 'ics')).toContain('not both');
      const neither = await put({ source: '空' });
      expect(neither.status).toBe(400);
      expect(fieldsOf(neither)).toEqual(['holidays', 'workdays']);
      const half = await put({ holidays: ['2027-01-01'] });
      expect(fieldsOf(half)).toEqual(['workdays']);
      const empty = await put({ ics: '' });
      expect(fieldsOf(empty)).toEqual(['ics']);
      const tooLong = await put({ ics: oneDay + ' '.repeat(65_536) });
      expect(tooLong.status).toBe(400);
      expect(fieldsOf(tooLong)).toEqual(['ics']);
      const unknown = await put({ ics: oneDay, url: 'https://example.org/2027.ics' });
      expect(fieldsOf(unknown)).toEqual(['url']);
    });

    it('400 naming ics and the line for an event that says neither 休 nor 班, or a weekday marked 班', async () => {
      const put = (body: unknown) => p.call('PUT', '/calendar/years/2027', p.adminToken, body);
      const unclear = ['BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'DTSTART;VALUE=DATE:20270101', 'SUMMARY:元旦', 'END:VEVENT', 'END:VCALENDAR'].join('\r\n');
      const res = await put({ ics: unclear });
      expect(res.status).toBe(400);
      expect(fieldsOf(res)).toEqual(['ics']);
      expect(reasonOf(res, 'ics')).toMatch(/ \/ line 2: the event "元旦" does not say/);
      const weekdayWork = ['BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'DTSTART;VALUE=DATE:20270105', 'SUMMARY:补班', 'END:VEVENT', 'END:VCALENDAR'].join('\r\n');
      const weekday = await put({ ics: weekdayWork });
      expect(weekday.status).toBe(400);
      expect(fieldsOf(weekday)).toEqual(['ics']);
      expect(reasonOf(weekday, 'ics')).toContain('2027-01-05 is a weekday');
    });
  });

  describe('SLA policies as versioned data that may only tighten the contract', () => {
    const tighter = {
      name: '等级评审期间加严 / tighter during accreditation',
      incident: { workingTime: { respondMinutes: 20, onSiteMinutes: 45 }, offHours: { respondMinutes: 45, onSiteMinutes: 90 }, repairWorkingDays: 2, dataRepairWorkingDays: 1 },
      modification: { deliveryCalendarDays: 7, acceptanceAfterWorkingDays: 7, freeMaintenanceMonths: 2 },
      warningFractions: [0.5, 0.75, 0.9],
      overrides: [{ priority: 'P1', respondMinutes: 15, onSiteMinutes: 30, repairWorkingDays: 1 }],
    };

    it('GET /sla/policies returns the contract as version 1 (S10, S2, S3, S17)', async () => {
      const res = await p.call('GET', '/sla/policies', engineer.token);
      expect(res.status).toBe(200);
      expect(res.body).toHaveLength(1);
      expect(res.body[0]).toMatchObject({
        version: 1,
        incident: {
          workingTime: { respondMinutes: 30, onSiteMinutes: 60 },
          offHours: { respondMinutes: 60, onSiteMinutes: 120 },
          repairWorkingDays: 2,
          dataRepairWorkingDays: 2,
        },
        modification: { deliveryCalendarDays: 7, acceptanceAfterWorkingDays: 7, freeMaintenanceMonths: 2 },
        overrides: [],
      });
    });

    it('refuses a policy looser than the contract (respond in 45 min in working time), naming the field', async () => {
      const looser = { ...tighter, incident: { ...tighter.incident, workingTime: { respondMinutes: 45, onSiteMinutes: 45 } } };
      const res = await p.call('POST', '/sla/policies', p.adminToken, looser);
      expect(res.status).toBe(400);
      expect(fieldsOf(res)).toEqual(['incident.workingTime.respondMinutes']);
      expect(res.body.message).toContain('looser');
      const looserOverride = await p.call('POST', '/sla/policies', p.adminToken, { ...tighter, overrides: [{ systemId: 'SYS-11', respondMinutes: 240 }] });
      expect(looserOverride.status).toBe(400);
      expect(fieldsOf(looserOverride)).toEqual(['overrides[0].respondMinutes']);
      const shapeless = await p.call('POST', '/sla/policies', p.adminToken, { ...tighter, incident: { ...tighter.incident, repairWorkingDays: 'two' } });
      expect(shapeless.status).toBe(400);
      expect(fieldsOf(shapeless)).toEqual(['incident.repairWorkingDays']);
      expect((await p.call('POST', '/sla/policies', dispatcher.token, tighter)).status).toBe(403);
    });

    it('adds a tighter policy as version 2 (refused attempts use up no version)', async () => {
      const res = await p.call('POST', '/sla/policies', p.adminToken, tighter);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ version: 2, name: tighter.name, overrides: tighter.overrides });
      const list = await p.call('GET', '/sla/policies', dispatcher.token);
      expect(list.body.map((x: any) => x.version)).toEqual([1, 2]);
    });

    it('previews under version 2; its P1-only override tightens P1 and nothing else', async () => {
      const at = (body: Record<string, unknown>) => preview({ reportedAt: '2026-11-20T17:30:00+08:00', kind: 'incident', policyVersion: 2, ...body });
      const p2 = await at({ priority: 'P2' });
      expect(p2.status).toBe(200);
      expect(p2.body.policyVersion).toBe(2);
      expect(p2.body.deadlines).toEqual({
        respond: '2026-11-20T17:50:00+08:00',
        onSite: '2026-11-20T18:15:00+08:00',
        repair: '2026-11-24T17:30:00+08:00',
      });
      expect((await at({})).body.deadlines).toEqual(p2.body.deadlines);
      const p1 = await at({ priority: 'P1' });
      expect(p1.body.deadlines).toEqual({
        respond: '2026-11-20T17:45:00+08:00',
        onSite: '2026-11-20T18:00:00+08:00',
        // One working day: 0.5 h Friday + 9.5 h Monday.
        repair: '2026-11-23T17:30:00+08:00',
      });
      const dataRepair = await at({ kind: 'data_repair', priority: 'P3' });
      expect(dataRepair.body.deadlines.repair).toBe('2026-11-23T17:30:00+08:00');
      // Off hours, the override still wins over the policy's 45/90 minutes for P1 only.
      const saturdayP1 = await at({ reportedAt: '2026-11-21T10:00:00+08:00', priority: 'P1' });
      expect([saturdayP1.body.deadlines.respond, saturdayP1.body.deadlines.onSite]).toEqual(['2026-11-21T10:15:00+08:00', '2026-11-21T10:30:00+08:00']);
      const saturdayP4 = await at({ reportedAt: '2026-11-21T10:00:00+08:00', priority: 'P4' });
      expect([saturdayP4.body.deadlines.respond, saturdayP4.body.deadlines.onSite]).toEqual(['2026-11-21T10:45:00+08:00', '2026-11-21T11:30:00+08:00']);
    });

    it('the contract stays available as version 1, and the newest version applies when none is named', async () => {
      const contract = await preview({ reportedAt: '2026-11-20T17:30:00+08:00', kind: 'incident', priority: 'P1', policyVersion: 1 });
      expect(contract.body.policyVersion).toBe(1);
      expect(contract.body.deadlines.respond).toBe('2026-11-20T18:00:00+08:00');
      const latest = await preview({ reportedAt: '2026-11-20T17:30:00+08:00', kind: 'incident', priority: 'P1' });
      expect(latest.body.policyVersion).toBe(2);
      expect(latest.body.deadlines.respond).toBe('2026-11-20T17:45:00+08:00');
    });
  });
});
