import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/** Issue 9: a report dated 1970 was accepted and breached at once; report times are bounded (S10, S11). */
describe('the report time of an incident', () => {
  let p: TestPlatform;
  let dispatcher: TestUser;
  const contractStart = Date.now() - 30 * 24 * 3_600_000;
  const report = (reportedAt: string) => ({
    systemId: 'SYS-11',
    title: 'PACS 影像无法调阅',
    description: 'd',
    reporter: { name: '李护士长', department: '放射科', phone: '8021' },
    priority: 'P2',
    channel: 'phone',
    reportedAt,
  });

  beforeAll(async () => {
    p = await startPlatform({ config: { reportedAt: { contractStart, maxAgeDays: 366 } } });
    dispatcher = await p.user(['dispatcher'], '王调度');
  });
  afterAll(() => p?.stop());

  it('refuses 1970 and times before the contract started with a bilingual 400 naming reportedAt; nothing is opened', async () => {
    for (const at of ['1970-01-01T00:00:00Z', new Date(contractStart - 60_000).toISOString()]) {
      const res = await p.call('POST', '/incidents', dispatcher.token, report(at));
      expect({ at, status: res.status, field: res.body.errors?.[0]?.field }).toEqual({ at, status: 400, field: 'reportedAt' });
      expect(res.body.messageZh).toContain('合同开始时间');
      expect(res.body.messageEn).toContain("contract's start");
      expect(res.body.message).toMatch(/\+08:00/);
    }
    expect((await p.ds.query(`SELECT count(*)::int AS n FROM incidents`))[0].n).toBe(0);
    const ok = await p.call('POST', '/incidents', dispatcher.token, report(new Date(contractStart + 60_000).toISOString()));
    expect(ok.status).toBe(201);
  });
});
