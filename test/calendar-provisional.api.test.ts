import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/**
 * Issue 9 (S10, S2): the API's clock stands at Thursday 2026-12-31 10:00 in Shanghai and 2027's official schedule is
 * not loaded. The repair deadline skips 2027-01-01 (元旦, by law) and the weekend, and every place that shows it says
 * it is provisional: the answer, the incident's clocks and its row, until the official schedule is loaded.
 */
const NOW = Date.parse('2026-12-31T10:00:00+08:00');

describe('deadlines on a provisional calendar', () => {
  let p: TestPlatform;
  let dispatcher: TestUser;
  const report = {
    systemId: 'SYS-11',
    title: 'PACS 影像无法调阅',
    description: '放射科工作站打不开影像',
    reporter: { name: '李护士长', department: '放射科', phone: '8021' },
    priority: 'P2',
    channel: 'phone',
  };

  beforeAll(async () => {
    p = await startPlatform({ clock: { now: () => NOW } });
    dispatcher = await p.user(['dispatcher'], '王调度');
  });
  afterAll(() => p?.stop());

  it('an incident reported on 2026-12-31 is due 2027-01-05 10:00, flagged provisional in the answer, its clocks and its row', async () => {
    const opened = await p.call('POST', '/incidents', dispatcher.token, report);
    expect(opened.status).toBe(201);
    // Thursday 8 h; Friday 元旦 and the weekend off; Monday 10 h; Tuesday 2 h.
    expect(opened.body.deadlines).toMatchObject({ repair: '2027-01-05T10:00:00+08:00', provisional: true });
    expect(opened.body.clocks.repair).toMatchObject({ deadline: '2027-01-05T10:00:00+08:00', provisional: true });
    const n = opened.body.number;
    const shown = await p.call('GET', `/incidents/${n}`, dispatcher.token);
    expect(shown.body.deadlines).toMatchObject({ repair: '2027-01-05T10:00:00+08:00', provisional: true });
    expect(shown.body.clocks.repair.provisional).toBe(true);
    const [row] = await p.ds.query(`SELECT calendar_provisional FROM incidents WHERE number = $1`, [n]);
    expect(row.calendar_provisional).toBe(true);
    const listed = await p.call('GET', '/incidents', dispatcher.token);
    expect(listed.body.items.find((i: any) => i.number === n).deadlines.provisional).toBe(true);
    await p.call('POST', `/incidents/${n}/cancel`, dispatcher.token, { reason: '测试结束' });
  });

  it('once 2027 is loaded, new deadlines follow the official schedule and are not provisional', async () => {
    const loaded = await p.call('PUT', '/calendar/years/2027', p.adminToken, { holidays: ['2027-01-01'], workdays: [], source: '测试' });
    expect(loaded.status).toBe(200);
    const preview = await p.call('POST', '/sla/preview', dispatcher.token, { reportedAt: '2026-12-31T10:00:00+08:00', kind: 'incident' });
    expect(preview.body).toMatchObject({ provisional: false, calendarCovered: true, deadlines: { repair: '2027-01-05T10:00:00+08:00' } });
    const calendar = await p.call('GET', '/calendar', dispatcher.token);
    expect(calendar.body.years.find((y: any) => y.year === 2027)).toMatchObject({ status: 'official', source: '测试', holidays: [{ date: '2027-01-01', name: '元旦' }] });
  });
});
