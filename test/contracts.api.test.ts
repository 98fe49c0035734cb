import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/** S18: the contract as a record — period, systems covered, the 40 %/60 % milestones and what acceptance lacks. */
describe('service contract (S18)', () => {
  let p: TestPlatform;
  let itManager: TestUser;
  let dispatcher: TestUser;

  beforeAll(async () => {
    p = await startPlatform({ worker: false });
    itManager = await p.user(['it_manager'], '信息科主任');
    dispatcher = await p.user(['dispatcher'], '王调度');
  });
  afterAll(() => p?.stop());

  it('the IT manager records it; the seed’s 37 entries are covered by default; staff read it, others may not write', async () => {
    expect((await p.call('GET', '/contracts/current', dispatcher.token)).status).toBe(404);
    const body = { number: 'HT-2020-001', title: '第三方临床系统运维服务合同', hospital: '市人民医院', vendor: '某信息技术有限公司', startDate: '2020-01-01', amount: 1_200_000 };
    expect((await p.call('POST', '/contracts', dispatcher.token, body)).status).toBe(403);
    const made = await p.call('POST', '/contracts', itManager.token, body);
    expect(made.status).toBe(201);
    // The seed's 37 lines (systems, service fees and projects) are what the contract covers.
    const [{ n }] = await p.ds.query(`SELECT count(*)::int AS n FROM business_systems WHERE active`);
    expect(n).toBe(37);
    expect(made.body).toMatchObject({
      number: 'HT-2020-001',
      period: { startDate: '2020-01-01', endDate: '2021-01-01', lastDay: '2020-12-31', months: 12 },
      timeLeft: { months: 0, days: 0, ended: true, started: true },
      systemCount: n,
    });
    expect(made.body.milestones.map((m: any) => [m.code, m.sharePercent, m.amount, m.state])).toEqual([
      ['start', 40, 480_000, 'due'],
      ['acceptance', 60, 720_000, 'pending'],
    ]);
    expect(made.body.milestones[1].waitingFor).toContain('验收资料包');
    expect(made.body.acceptance.ready).toBe(false);
    expect(made.body.acceptance.lacks.map((g: any) => g.code)).toEqual(['no_accepted_pack']);
    expect(made.body.allowedActions).toEqual(['update', 'pay:start']);
    expect((await p.call('POST', '/contracts', itManager.token, body)).status).toBe(409);

    const current = await p.call('GET', '/contracts/current', dispatcher.token);
    expect(current.status).toBe(200);
    expect(current.body.id).toBe(made.body.id);
    expect(current.body.allowedActions).toEqual([]);
  });

  it('bad terms are refused naming the field; unknown systems are 422', async () => {
    const base = { number: 'HT-X', title: 't', hospital: 'h', vendor: 'v', startDate: '2026-01-01' };
    const badDate = await p.call('POST', '/contracts', itManager.token, { ...base, startDate: '2026-02-30' });
    expect(badDate.status).toBe(400);
    expect(JSON.stringify(badDate.body)).toContain('startDate');
    const badMonths = await p.call('POST', '/contracts', itManager.token, { ...base, months: 0 });
    expect(badMonths.status).toBe(400);
    expect(badMonths.body.errors.map((e: any) => e.field)).toEqual(['months']);
    const unknown = await p.call('POST', '/contracts', itManager.token, { ...base, systems: ['SYS-11', 'SYS-999'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].field).toBe('systems[1]');
    const extra = await p.call('POST', '/contracts', itManager.token, { ...base, surprise: 1 });
    expect(extra.status).toBe(400);
  });

  it('a due milestone is paid once; the 60 % is refused until a pack is accepted; paid terms stay put', async () => {
    const pay = await p.call('POST', '/contracts/HT-2020-001/milestones/start/payment', itManager.token, { note: '首付款到账' });
    expect(pay.status).toBe(200);
    expect(pay.body.milestones[0]).toMatchObject({ state: 'paid', stateLabel: '已支付' });
    expect((await p.call('POST', '/contracts/HT-2020-001/milestones/start/payment', itManager.token, {})).status).toBe(409);
    const early = await p.call('POST', '/contracts/HT-2020-001/milestones/acceptance/payment', itManager.token, {});
    expect(early.status).toBe(409);
    expect(early.body.messageZh).toContain('尚未到期');
    expect((await p.call('POST', '/contracts/HT-2020-001/milestones/bonus/payment', itManager.token, {})).status).toBe(400);
    expect((await p.call('PATCH', '/contracts/HT-2020-001', itManager.token, { months: 24 })).status).toBe(409);
    const renamed = await p.call('PATCH', '/contracts/HT-2020-001', itManager.token, { title: '运维服务合同（补充）', systems: ['SYS-11', 'SYS-12'] });
    expect(renamed.status).toBe(200);
    expect(renamed.body.systems.map((s: any) => s.code)).toEqual(['SYS-11', 'SYS-12']);
  });

  it('a running period says the months left and counts the records still to be confirmed', async () => {
    const made = await p.call('POST', '/contracts', itManager.token, { number: 'HT-2099-001', title: 't', hospital: 'h', vendor: 'v', startDate: '2099-01-01' });
    expect(made.status).toBe(201);
    expect(made.body.timeLeft).toEqual({ months: 12, days: 0, started: false, ended: false });
    expect(made.body.milestones[0]).toMatchObject({ state: 'pending' });
    expect(made.body.acceptance.lacks.map((g: any) => g.code)).toEqual(['period_running', 'no_accepted_pack']);
  });
});
