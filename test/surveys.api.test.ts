import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadNotifyConfig } from '../src/infra/notify-config';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { Receiver, startReceiver } from './support/receivers';

const DAY = 86_400_000;

/**
 * S8 end to end on real PostgreSQL and Temporal: the hospital's confirmation creates the reporter's one-time signed
 * survey link (the desk is told and can fetch it), the public page and answer work once and not after expiry, and
 * results per month, engineer and system are what the test recomputes from the answers it gave.
 */
describe('satisfaction surveys (S8)', () => {
  let p: TestPlatform;
  let dispatcher: TestUser;
  let engA: TestUser;
  let engB: TestUser;
  let vendorUser: TestUser;
  let sms: Receiver;
  let skew = 0;
  const clock = { now: () => Date.now() + skew };

  const confirmed = async (system: string, engineer: TestUser, title: string, phone = '8123') => {
    const opened = await p.call('POST', '/incidents', dispatcher.token, {
      systemId: system,
      title,
      description: `${title}：无法使用`,
      reporter: { name: '赵医生', department: '心内科', phone },
      priority: 'P3',
      channel: 'phone',
      assigneeId: engineer.id,
    });
    expect(opened.status).toBe(201);
    const n = opened.body.number as string;
    for (const [action, body] of [
      ['acknowledge', {}],
      ['resolve', { cause: '配置错误', fix: '修正配置', category: 'system_error_fix' }],
    ] as const) {
      expect((await p.call('POST', `/incidents/${n}/${action}`, engineer.token, body)).status).toBe(200);
    }
    expect((await p.call('POST', `/incidents/${n}/confirm`, dispatcher.token, { note: '科室确认' })).status).toBe(200);
    return n;
  };
  const linkOf = async (n: string) => {
    const res = await p.call('GET', `/incidents/${n}/survey`, dispatcher.token);
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('open');
    return new URL(res.body.link).pathname;
  };
  const waitForInvitation = async (n: string) => {
    for (let i = 0; i < 100; i++) {
      const inv = (await p.call('GET', `/incidents/${n}/survey`, dispatcher.token)).body.invitation;
      if (inv && inv.status !== 'pending') return inv;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no invitation outcome for ${n}`);
  };
  const post = (path: string, body: string, type: string) => fetch(`${p.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

  beforeAll(async () => {
    // The hospital's SMS gateway, on loopback.
    sms = await startReceiver({ reply: () => ({ status: 200, body: { code: 'OK', id: 'sms-1' } }) });
    p = await startPlatform({
      clock,
      config: { notify: { ...loadNotifyConfig({}), sms: { kind: 'sms', url: `${sms.base}/sms/send`, bodyTemplate: '{"mobile":"{{phone}}","content":"{{text}}"}', success: { path: 'code', equals: 'OK' }, messageIdPath: 'id' } } },
    });
    dispatcher = await p.user(['dispatcher'], '王调度');
    engA = await p.user(['engineer'], '甲工程师');
    engB = await p.user(['engineer'], '乙工程师');
    vendorUser = await p.user(['vendor_contact'], '原厂联系人');
    const [v] = await p.ds.query(`INSERT INTO vendors (name) VALUES ('调查测试原厂') RETURNING id`);
    await p.ds.query(`UPDATE cmdb_items SET vendor_id = $1 WHERE name = 'SYS-12' AND type = 'business_system'`, [v.id]);
    await p.ds.query(`UPDATE cmdb_items SET vendor_id = NULL WHERE name = 'SYS-11' AND type = 'business_system'`);
    await p.ds.query(`INSERT INTO vendor_contacts (vendor_id, user_id, name, role, level) VALUES ($1, $2, '原厂联系人', '经理', 1)`, [v.id, vendorUser.id]);
  });
  afterAll(async () => {
    await p?.stop();
    await sms?.close();
  });

  it('a confirmed incident sends a one-time link the reporter answers once', async () => {
    const n = await confirmed('SYS-11', engA, 'PACS 调阅缓慢');
    // The desk is told to pass the link on (the link stays out of notifications); an engineer sees the survey, not its link.
    const [note] = await p.ds.query(`SELECT title, body, recipient_role FROM notifications WHERE event = 'survey_created' AND title LIKE $1`, [`%${n}%`]);
    expect(note.recipient_role).toBe('dispatcher');
    expect(note.body).toContain('心内科 赵医生（8123）');
    const path = await linkOf(n);
    expect(note.body).not.toContain(path.split('/').pop());
    const seen = await p.call('GET', `/incidents/${n}/survey`, engA.token);
    expect(seen.body).toMatchObject({ state: 'open', link: null });

    const page = await fetch(`${p.baseUrl}${path}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(n);
    expect(html).toContain('甲工程师');
    expect(html).toContain('非常满意');

    // A score outside 1–5 is refused with the field named, and the link stays usable.
    const bad = await post(path, JSON.stringify({ score: 7 }), 'application/json');
    expect(bad.status).toBe(400);
    const badBody: any = await bad.json();
    expect(badBody.errors[0].field).toBe('score');
    expect(badBody.messageZh).toMatch(/[\u4e00-\u9fff]/);
    // The page's form posts text fields.
    const ok = await post(path, 'score=4&comment=%E5%93%8D%E5%BA%94%E5%BE%88%E5%BF%AB', 'application/x-www-form-urlencoded');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('感谢您的评价');
    const again = await post(path, JSON.stringify({ score: 1 }), 'application/json');
    expect(again.status).toBe(410);
    expect(((await again.json()) as any).code).toBe('LINK_USED');
    expect((await fetch(`${p.baseUrl}${path}`)).status).toBe(410);
    const after = await p.call('GET', `/incidents/${n}/survey`, dispatcher.token);
    expect(after.body).toMatchObject({ state: 'answered', score: 4, comment: '响应很快', link: null });

    // A forged or altered link is no link.
    const forged = path.slice(0, -3) + (path.endsWith('AAA') ? 'BBB' : 'AAA');
    expect((await fetch(`${p.baseUrl}${forged}`)).status).toBe(404);
    expect((await fetch(`${p.baseUrl}/survey/v1.abc.def`)).status).toBe(404);
  });

  it('a reporter with a mobile number gets the link by SMS; one without is left to the desk', async () => {
    const n = await confirmed('SYS-11', engA, '心电图无法上传', '13912345678');
    const [msg] = await (async () => {
      for (let i = 0; i < 100 && sms.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 200));
      return sms.requests.map((r) => JSON.parse(r.text));
    })();
    expect(msg.mobile).toBe('13912345678');
    expect(msg.content).toContain(n);
    const link = /(https?:\/\/\S+\/survey\/\S+?)(\s|（|$)/.exec(msg.content)![1];
    const path = new URL(link).pathname;
    expect(path).toBe(await linkOf(n));
    expect((await fetch(`${p.baseUrl}${path}`)).status).toBe(200);
    const state = await p.call('GET', `/incidents/${n}/survey`, dispatcher.token);
    expect(state.body.invitation).toMatchObject({ status: 'sent', detail: 'sms-1' });
    // An extension number is no mobile: no SMS, the desk passes the link on.
    const other = await confirmed('SYS-11', engA, '叫号屏不显示');
    const left = await waitForInvitation(other);
    expect(left).toMatchObject({ status: 'no_channel' });
    expect(sms.requests).toHaveLength(1);
  });

  it('a link expires after seven days', async () => {
    const n = await confirmed('SYS-11', engB, '打印机驱动异常');
    const path = await linkOf(n);
    skew = 7 * DAY + 60_000;
    try {
      const res = await post(path, JSON.stringify({ score: 5 }), 'application/json');
      expect(res.status).toBe(410);
      expect(((await res.json()) as any).code).toBe('LINK_EXPIRED');
      expect((await p.call('GET', `/incidents/${n}/survey`, dispatcher.token)).body.state).toBe('expired');
    } finally {
      skew = 0;
    }
  });

  it('results per month, engineer and system', async () => {
    const answers: [string, TestUser, number][] = [
      ['SYS-11', engA, 5],
      ['SYS-12', engA, 3],
      ['SYS-12', engB, 2],
    ];
    for (const [system, eng, score] of answers) {
      const n = await confirmed(system, eng, `问题 ${score}`);
      const res = await post(await linkOf(n), JSON.stringify({ score }), 'application/json');
      expect(res.status).toBe(200);
    }
    const from = new Date(Date.now() - DAY).toISOString();
    const to = new Date(Date.now() + DAY).toISOString();
    const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    const res = await p.call('GET', `/surveys/summary?${q}`, dispatcher.token);
    expect(res.status).toBe(200);
    // Recomputed from the rows: every answered survey of the period (the first test's 4 included).
    const rows = await p.ds.query(`SELECT v.score, v.engineer_name, s.code FROM satisfaction_surveys v JOIN business_systems s ON s.id = v.system_id WHERE v.answered_at IS NOT NULL`);
    expect(rows).toHaveLength(4);
    const avg = (xs: number[]) => Math.round((xs.reduce((x, y) => x + y, 0) * 100) / xs.length) / 100;
    expect(res.body.responses).toBe(4);
    expect(res.body.sent).toBe(7);
    expect(res.body.average).toBe(avg(rows.map((r: any) => r.score)));
    expect(res.body.average).toBe(3.5);
    const byEng = Object.fromEntries(res.body.byEngineer.map((e: any) => [e.name, [e.responses, e.average]]));
    expect(byEng).toEqual({ 甲工程师: [3, 4], 乙工程师: [1, 2] });
    const bySys = Object.fromEntries(res.body.bySystem.map((s: any) => [s.code, [s.responses, s.average]]));
    expect(bySys).toEqual({ 'SYS-11': [2, 4.5], 'SYS-12': [2, 2.5] });
    // Months in the contract's zone; a run across midnight of a month's end may split them.
    expect(res.body.byMonth.reduce((n: number, m: any) => n + m.responses, 0)).toBe(4);
    for (const m of res.body.byMonth) expect(m.month).toMatch(/^\d{4}-\d{2}$/);
    expect(res.body.distribution).toEqual({ 1: 0, 2: 1, 3: 1, 4: 1, 5: 1 });

    // The vendor's contact sees its own system's results, without who answered.
    const v = await p.call('GET', `/surveys/summary?${q}`, vendorUser.token);
    expect(v.body.bySystem.map((s: any) => s.code)).toEqual(['SYS-12']);
    expect(v.body.responses).toBe(2);
    const list = await p.call('GET', `/surveys?${q}`, vendorUser.token);
    expect(list.body).toHaveLength(2);
    expect(list.body[0].reporter).toBe('心内科');
    const all = await p.call('GET', `/surveys?${q}`, dispatcher.token);
    expect(all.body.find((x: any) => x.score === 4)).toMatchObject({ comment: '响应很快', reporter: '心内科 赵医生', engineer: '甲工程师' });
    expect((await p.call('GET', `/surveys/summary?from=${encodeURIComponent(to)}&to=${encodeURIComponent(from)}`, dispatcher.token)).status).toBe(400);
  });
});
