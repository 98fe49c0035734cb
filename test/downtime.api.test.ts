import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

const HOUR = 3_600_000;
/** Times are shown to the second in the contract's zone. */
const sec = (ms: number) => Math.floor(ms / 1000) * 1000;

/**
 * S9 end to end on real PostgreSQL and Temporal: incidents flagged as outages (at report or by a dispatcher) give
 * merged outage intervals per business system, a system depending on the failed one (CMDB) shares its outage, and
 * revenue at stake is the system's revenue per hour (CMDB data) × hours. The test recomputes every figure from the
 * rows the platform wrote.
 */
describe('downtime and revenue at stake (S9)', () => {
  let p: TestPlatform;
  let dispatcher: TestUser;
  let engineer: TestUser;
  let vendorUser: TestUser;
  const t0 = Date.now();

  const open = async (system: string, title: string, reportedAgoMs: number, outage?: boolean) => {
    const res = await p.call('POST', '/incidents', dispatcher.token, {
      systemId: system,
      title,
      description: `${title}：科室无法使用`,
      reporter: { name: '李护士长', department: '检验科', phone: '8021' },
      priority: 'P1',
      channel: 'phone',
      assigneeId: engineer.id,
      reportedAt: new Date(t0 - reportedAgoMs).toISOString(),
      ...(outage === undefined ? {} : { outage }),
    });
    expect(res.status).toBe(201);
    return res.body.number as string;
  };
  const work = async (n: string, actions: string[]) => {
    for (const action of actions) {
      const body = action === 'resolve' ? { cause: '数据库连接池耗尽', fix: '重启并调大连接池', category: 'system_error_fix' } : {};
      const res = await p.call('POST', `/incidents/${n}/${action}`, engineer.token, body);
      expect({ n, action, status: res.status }).toEqual({ n, action, status: 200 });
    }
  };
  const row = async (n: string) => (await p.ds.query(`SELECT id, reported_at, resolved_at FROM incidents WHERE number = $1`, [n]))[0];

  beforeAll(async () => {
    p = await startPlatform();
    dispatcher = await p.user(['dispatcher'], '王调度');
    engineer = await p.user(['engineer'], '李工');
    vendorUser = await p.user(['vendor_contact'], '原厂工程师');
    // Revenue per hour is CMDB data the administrator edits (S9); SYS-12 depends on SYS-11.
    for (const [code, revenue] of [['SYS-11', 12000], ['SYS-12', 3600.5]] as const) {
      const res = await p.call('PATCH', `/cmdb/items/${code}`, p.adminToken, { revenuePerHour: revenue });
      expect(res.status).toBe(200);
    }
    const rel = await p.call('POST', '/cmdb/relations', p.adminToken, { type: 'depends_on', sourceId: 'SYS-12', targetId: 'SYS-11' });
    expect(rel.status).toBe(201);
    // The vendor's contact looks after SYS-12 only.
    const [mine] = await p.ds.query(`INSERT INTO vendors (name) VALUES ('测试原厂甲') RETURNING id`);
    const [other] = await p.ds.query(`INSERT INTO vendors (name) VALUES ('测试原厂乙') RETURNING id`);
    await p.ds.query(`UPDATE cmdb_items SET vendor_id = $1 WHERE name = 'SYS-12' AND type = 'business_system'`, [mine.id]);
    await p.ds.query(`UPDATE cmdb_items SET vendor_id = $1 WHERE name = 'SYS-11' AND type = 'business_system'`, [other.id]);
    await p.ds.query(`INSERT INTO vendor_contacts (vendor_id, user_id, name, role, level) VALUES ($1, $2, '原厂工程师', '工程师', 1)`, [mine.id, vendorUser.id]);
  });
  afterAll(() => p?.stop());

  it('merges overlapping outages, shares them with dependants, and prices them', async () => {
    const a = await open('SYS-11', 'LIS 无法出报告', 3 * HOUR, true);
    const b = await open('SYS-11', 'LIS 条码打印失败', 2 * HOUR);
    const c = await open('SYS-12', 'HIS 收费卡顿', 0.5 * HOUR);
    const notOutage = await open('SYS-11', 'LIS 某报表字段错位', 1 * HOUR);
    const cancelled = await open('SYS-11', '重复报障', 1 * HOUR, true);

    // B becomes an outage by the dispatcher's hand, which says it began 2.5 hours ago.
    const startedB = new Date(t0 - 2.5 * HOUR);
    const flagged = await p.call('PUT', `/incidents/${b}/outage`, dispatcher.token, { outage: true, startedAt: startedB.toISOString(), note: '科室确认 9:30 起无法打印' });
    expect(flagged.status).toBe(200);
    expect(flagged.body).toMatchObject({ incident: b, outage: true, note: '科室确认 9:30 起无法打印', setBy: { id: dispatcher.id, name: '王调度' } });
    expect(flagged.body.startedAt).toMatch(/\+08:00$/);
    expect((await p.call('GET', `/incidents/${b}/outage`, engineer.token)).body.outage).toBe(true);
    expect((await p.call('GET', `/incidents/${b}`, engineer.token)).body.outage).toBe(true);
    expect((await p.call('GET', `/incidents/${notOutage}`, engineer.token)).body.outage).toBe(false);
    expect((await p.call('GET', `/incidents/${notOutage}/outage`, engineer.token)).body).toMatchObject({ outage: false, setBy: null });
    // Only the hospital's desk says what is an outage.
    expect((await p.call('PUT', `/incidents/${notOutage}/outage`, engineer.token, { outage: true })).status).toBe(403);

    await work(a, ['acknowledge', 'arrive', 'resolve']);
    await work(b, ['acknowledge', 'resolve']);
    const cancel = await p.call('POST', `/incidents/${cancelled}/cancel`, dispatcher.token, { reason: '重复报障' });
    expect(cancel.status).toBe(200);
    const refused = await p.call('PUT', `/incidents/${cancelled}/outage`, dispatcher.token, { outage: true });
    expect(refused.status).toBe(409);
    expect(refused.body.messageZh).toContain('已撤销');

    // C is found to be an outage only after SYS-11 came back: a second later, with the start the desk gives.
    await new Promise((r) => setTimeout(r, 1100));
    const startedC = new Date();
    expect((await p.call('PUT', `/incidents/${c}/outage`, dispatcher.token, { outage: true, startedAt: startedC.toISOString() })).status).toBe(200);
    const [ra, rb] = [await row(a), await row(b)];
    const to = new Date(Date.now() + 1000);
    // An incident still open counts until the end of the period asked for when that is before now; here `to` is a
    // second ahead, so C runs until the API's "now", which the test brackets.
    const from = new Date(t0 - 4 * HOUR);
    const before = Date.now();
    const res = await p.call('GET', `/stats/downtime?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`, dispatcher.token);
    const after = Date.now();
    expect(res.status).toBe(200);
    const by = Object.fromEntries(res.body.systems.map((s: any) => [s.code, s]));
    expect(Object.keys(by).sort()).toEqual(['SYS-11', 'SYS-12']);

    // SYS-11: A [report, resolution] and B [corrected start, resolution] overlap: one interval with both.
    const aStart = new Date(ra.reported_at).getTime();
    const aEnd = new Date(ra.resolved_at).getTime();
    const bEnd = new Date(rb.resolved_at).getTime();
    const s11End = Math.max(aEnd, bEnd);
    expect(startedB.getTime()).toBeLessThan(aEnd);
    const s11 = by['SYS-11'];
    expect(s11.intervals).toHaveLength(1);
    expect(s11.intervals[0].incidents).toEqual([a, b].sort());
    expect(Date.parse(s11.intervals[0].start)).toBe(sec(aStart));
    expect(Date.parse(s11.intervals[0].end)).toBe(sec(s11End));
    const s11Ms = s11End - aStart;
    expect(s11.hours).toBe(Math.round(s11Ms / 36_000) / 100);
    expect(s11.revenuePerHour).toBe(12000);
    expect(s11.revenueAtStake).toBe(Math.round((s11Ms * 12000 * 100) / HOUR) / 100);
    expect(s11.incidents.map((i: any) => [i.number, i.shared])).toEqual([[a, false], [b, false]]);
    expect(s11.incidents.map((i: any) => i.number)).not.toContain(notOutage);
    expect(s11.incidents.map((i: any) => i.number)).not.toContain(cancelled);

    // SYS-12 depends on SYS-11: it shares SYS-11's outage, and has its own (C, still open).
    const s12 = by['SYS-12'];
    expect(s12.intervals).toHaveLength(2);
    expect(s12.intervals[0]).toMatchObject({ incidents: [a, b].sort() });
    expect(Date.parse(s12.intervals[0].end)).toBe(sec(s11End));
    expect(s12.intervals[1].incidents).toEqual([c]);
    expect(Date.parse(s12.intervals[1].start)).toBe(sec(startedC.getTime()));
    const cEnd = Date.parse(s12.intervals[1].end);
    expect(cEnd).toBeGreaterThanOrEqual(sec(before));
    expect(cEnd).toBeLessThanOrEqual(after);
    // C ran until the API's "now", somewhere in [before, after]: the revenue lies between the two bounds.
    const cStart = startedC.getTime();
    const s12Low = Math.round(((s11Ms + before - cStart) * 3600.5 * 100) / HOUR) / 100;
    const s12High = Math.round(((s11Ms + after - cStart) * 3600.5 * 100) / HOUR) / 100;
    expect(s12.revenueAtStake).toBeGreaterThanOrEqual(s12Low);
    expect(s12.revenueAtStake).toBeLessThanOrEqual(s12High);
    const shared = s12.incidents.filter((i: any) => i.shared);
    expect(shared.map((i: any) => [i.number, i.originSystemCode])).toEqual([[a, 'SYS-11'], [b, 'SYS-11']]);
    expect(s12.incidents.find((i: any) => i.number === c)).toMatchObject({ shared: false, ongoing: true });
    expect(res.body.totals).toMatchObject({ systems: 2, incidents: 3, systemsWithoutRevenue: 0 });
    expect(res.body.totals.revenueAtStake).toBeCloseTo(s11.revenueAtStake + s12.revenueAtStake, 2);

    // A period that ends before the outages began holds none; one that cuts an outage counts only its part.
    const early = await p.call('GET', `/stats/downtime?from=${encodeURIComponent(new Date(t0 - 10 * HOUR).toISOString())}&to=${encodeURIComponent(new Date(aStart).toISOString())}`, dispatcher.token);
    expect(early.body.systems).toEqual([]);
    const cut = new Date(aStart + HOUR);
    const part = await p.call('GET', `/stats/downtime?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(cut.toISOString())}`, dispatcher.token);
    const p11 = part.body.systems.find((s: any) => s.code === 'SYS-11');
    expect(p11.hours).toBe(1);
    expect(p11.revenueAtStake).toBe(12000);

    // The vendor's contact sees its own system only.
    const v = await p.call('GET', `/stats/downtime?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`, vendorUser.token);
    expect(v.status).toBe(200);
    expect(v.body.systems.map((s: any) => s.code)).toEqual(['SYS-12']);

    // Unflagging takes B out: SYS-11 then shows A alone.
    expect((await p.call('PUT', `/incidents/${b}/outage`, dispatcher.token, { outage: false, note: '非业务中断' })).status).toBe(200);
    const again = await p.call('GET', `/stats/downtime?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`, dispatcher.token);
    expect(again.body.systems.find((s: any) => s.code === 'SYS-11').incidents.map((i: any) => i.number)).toEqual([a]);
    const history = await p.ds.query(`SELECT outage FROM incident_outage_history WHERE incident_id = $1 ORDER BY id`, [rb.id]);
    expect(history.map((h: any) => h.outage)).toEqual([true, false]);
  });

  it('an alert-opened incident flagged as an outage counts from its first firing alert, not from when it was opened', async () => {
    const monitor = await p.user(['integration'], 'Alertmanager');
    const firstAt = sec(Date.now() - 1.5 * HOUR);
    const alert = (id: string, startsAt: number) => ({
      alerts: [{ id, alertname: 'PACSUnavailable', status: 'firing', severity: 'critical', summary: 'PACS 无法访问 / PACS unreachable', labels: { wardline_ci: 'SYS-15' }, startsAt: new Date(startsAt).toISOString() }],
    });
    const fired = await p.call('POST', '/alerts', monitor.token, alert('pacs-a', firstAt));
    expect(fired.status).toBe(200);
    expect(fired.body.groups[0].incident).toMatchObject({ action: 'opened' });
    const id = fired.body.groups[0].incident.id as string;
    // A second alert of the group, later, joins the same incident; the earliest one sets the start.
    const joined = await p.call('POST', '/alerts', monitor.token, alert('pacs-b', firstAt + 30 * 60_000));
    expect(joined.body.groups[0].incident.id).toBe(id);
    const inc = (await p.call('GET', `/incidents/${id}`, dispatcher.token)).body;
    expect(Date.parse(inc.reportedAt)).toBeGreaterThan(firstAt + HOUR);
    expect((await p.call('PUT', `/incidents/${id}/outage`, dispatcher.token, { outage: true, note: '影像科确认全院无法调阅' })).status).toBe(200);

    const to = new Date(Date.now() + 1000);
    const res = await p.call('GET', `/stats/downtime?from=${encodeURIComponent(new Date(firstAt - HOUR).toISOString())}&to=${encodeURIComponent(to.toISOString())}`, dispatcher.token);
    expect(res.status).toBe(200);
    const pacs = res.body.systems.find((s: any) => s.code === 'SYS-15');
    expect(pacs.intervals).toHaveLength(1);
    expect(Date.parse(pacs.intervals[0].start)).toBe(firstAt);
    expect(pacs.incidents).toMatchObject([{ number: inc.number, shared: false, ongoing: true }]);
    // Still open: it runs until now, so it holds at least the 1.5 hours since the first alert.
    expect(pacs.hours).toBeGreaterThanOrEqual(1.5);
  });

  it('refuses a bad period with the field named, in Chinese and English', async () => {
    const missing = await p.call('GET', '/stats/downtime?from=2026-11-01T00:00:00%2B08:00', dispatcher.token);
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: any) => e.field)).toEqual(['to']);
    const reversed = await p.call('GET', '/stats/downtime?from=2026-11-02T00:00:00%2B08:00&to=2026-11-01T00:00:00%2B08:00', dispatcher.token);
    expect(reversed.status).toBe(400);
    expect(reversed.body.errors[0].field).toBe('to');
    expect(reversed.body.messageZh).toMatch(/[\u4e00-\u9fff]/);
    const local = await p.call('GET', '/stats/downtime?from=2026-11-01T00:00:00&to=2026-12-01T00:00:00%2B08:00', dispatcher.token);
    expect(local.status).toBe(400);
    expect(local.body.errors[0].field).toBe('from');
    const tooLong = await p.call('GET', '/stats/downtime?from=2025-01-01T00:00:00Z&to=2026-12-01T00:00:00Z', dispatcher.token);
    expect(tooLong.status).toBe(400);
    expect((await p.call('GET', '/stats/downtime?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&extra=1', dispatcher.token)).status).toBe(400);
    expect((await p.call('GET', '/stats/downtime?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z', null)).status).toBe(401);
    const flag = await p.call('PUT', '/incidents/INC-19990101-0001/outage', dispatcher.token, { outage: true });
    expect(flag.status).toBe(404);
    const bad = await p.call('PUT', '/incidents/INC-19990101-0001/outage', dispatcher.token, { outage: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('outage');
  });
});
