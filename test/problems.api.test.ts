import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { problemDigest } from '../src/persistence/problems/problem-store';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/**
 * S1 end to end on real PostgreSQL and Temporal: recurring faults propose a problem by themselves (rules as data),
 * a further recurrence joins the open problem, and the problem's workflow goes investigate → root cause → known
 * error → fixed by an implemented change → closed, refusing illegal steps with 409.
 */
describe('problem management (S1)', () => {
  let p: TestPlatform;
  let dispatcher: TestUser;
  let engineer: TestUser;
  let pm: TestUser;
  let reviewer: TestUser;
  let itManager: TestUser;
  let qm: TestUser;

  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 30_000): Promise<T> => {
    const until = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  const resolved = async (system: string, title: string, cause: string, category = 'system_error_fix') => {
    const opened = await p.call('POST', '/incidents', dispatcher.token, {
      systemId: system,
      title,
      description: `${title}：检验科反映`,
      reporter: { name: '钱老师', department: '检验科', phone: '8301' },
      priority: 'P3',
      channel: 'phone',
      assigneeId: engineer.id,
    });
    expect(opened.status).toBe(201);
    const n = opened.body.number as string;
    for (const [action, body] of [
      ['acknowledge', {}],
      ['resolve', { cause, fix: '重启服务', category }],
    ] as const) {
      expect({ n, action, status: (await p.call('POST', `/incidents/${n}/${action}`, engineer.token, body)).status }).toEqual({ n, action, status: 200 });
    }
    return n;
  };

  const implementedChange = async (): Promise<string> => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const created = await p.call('POST', '/changes', engineer.token, {
      systemId: 'SYS-13',
      kind: 'normal',
      title: '调大 LIS 数据库连接池',
      reason: '问题单根因修复',
      dialect: 'postgresql',
      forwardScript: "UPDATE lis.settings SET value = '200' WHERE name = 'pool_max';",
      rollbackScript: "UPDATE lis.settings SET value = '50' WHERE name = 'pool_max';",
      objects: [{ type: 'data', name: 'lis.settings', action: 'update' }],
      risk: 'low',
      window: { start: iso(Date.now() - 3_600_000), end: iso(Date.now() + 3_600_000) },
      implementerId: engineer.id,
    });
    expect(created.status).toBe(201);
    const n = created.body.number as string;
    for (const who of [reviewer, itManager]) {
      const state = (await p.call('GET', `/changes/${n}`, dispatcher.token)).body.state;
      if (state !== 'in_review') break;
      expect((await p.call('POST', `/changes/${n}/review`, who.token, { decision: 'approve', comment: '同意' })).status).toBe(200);
    }
    return n;
  };

  beforeAll(async () => {
    p = await startPlatform();
    dispatcher = await p.user(['dispatcher'], '王调度');
    engineer = await p.user(['engineer'], '李工');
    pm = await p.user(['project_manager'], '张经理');
    reviewer = await p.user(['reviewer'], '信息科评审');
    itManager = await p.user(['it_manager'], '信息科主任');
    qm = await p.user(['quality_manager'], '质量经理');
  });
  afterAll(() => p?.stop());

  it('recurring faults propose a problem; its workflow runs to closed, refusing illegal steps', async () => {
    // The rules are data: the project manager turns the category rule off; the cause rule stays at 2 in 30 days.
    const rules = await p.call('PUT', '/problems/rules', pm.token, {
      rules: [
        { kind: 'system_category', threshold: 3, windowDays: 30, enabled: false },
        { kind: 'system_cause', threshold: 2, windowDays: 30, enabled: true },
      ],
    });
    expect(rules.status).toBe(200);
    expect(rules.body.rules.find((r: any) => r.kind === 'system_category')).toMatchObject({ enabled: false, label: '同一系统同类故障反复发生' });
    expect((await p.call('PUT', '/problems/rules', engineer.token, { rules: [] })).status).toBe(403);

    const first = await resolved('SYS-13', 'LIS 报告无法审核', '数据库连接池耗尽');
    await resolved('SYS-13', 'LIS 打印超时', '网络抖动');
    expect((await p.call('GET', '/problems', dispatcher.token)).body.total).toBe(0);
    const second = await resolved('SYS-13', 'LIS 样本无法签收', '数据库连接池耗尽。');
    // The resolution that completed the recurrence proposed the problem in the same transaction.
    const list = await p.call('GET', '/problems?state=proposed', dispatcher.token);
    expect(list.body.total).toBe(1);
    const prb = list.body.items[0];
    expect(prb.number).toMatch(/^PRB-\d{8}-\d{4}$/);
    expect(prb.system.code).toBe('SYS-13');
    expect(prb.origin).toMatchObject({ kind: 'recurrence', rule: 'system_cause' });
    expect(prb.incidents.map((i: any) => i.number)).toEqual([first, second]);
    expect(prb.description).toContain('2 次');

    // Nobody raised it, so the managers who accept or reject it are told (zh-CN): the project manager, the quality
    // manager and the IT manager, each with a delivery row and an in-app notice naming the problem and its incidents.
    const told = await waitFor('the proposal notices', async () => {
      const rows: { recipient_id: string; channel: string; status: string; title: string; body: string }[] = await p.ds.query(
        `SELECT recipient_id, channel, status, title, body FROM notification_deliveries WHERE event = 'problem_proposed' AND title LIKE $1 ORDER BY recipient_id`,
        [`%${prb.number}%`],
      );
      return rows.length >= 3 ? rows : undefined;
    });
    expect(told.map((r) => r.recipient_id).sort()).toEqual([pm.id, qm.id, itManager.id].sort());
    for (const r of told) {
      expect(r).toMatchObject({ channel: 'in_app', status: 'sent' });
      expect(r.title).toContain('【问题单待评估】');
      expect(r.body).toContain(first);
      expect(r.body).toContain(second);
    }
    const inbox = await p.ds.query(`SELECT recipient_id, locale FROM notifications WHERE event = 'problem_proposed' AND title LIKE $1`, [`%${prb.number}%`]);
    expect(inbox.map((r: any) => r.recipient_id).sort()).toEqual([pm.id, qm.id, itManager.id].sort());
    expect(new Set(inbox.map((r: any) => r.locale))).toEqual(new Set(['zh-CN']));
    expect((await p.ds.query(`SELECT 1 FROM notifications WHERE event = 'problem_proposed' AND recipient_id IN ($1, $2)`, [engineer.id, dispatcher.id])).length).toBe(0);

    // A third time joins the open problem (through its workflow), not a second proposal.
    const third = await resolved('SYS-13', 'LIS 结果回传失败', '数据库连接池耗尽');
    const joined = await waitFor('third incident linked', async () => {
      const d = await p.call('GET', `/problems/${prb.number}`, dispatcher.token);
      return d.body.incidents.length === 3 ? d.body : undefined;
    });
    expect(joined.incidents.map((i: any) => i.number)).toEqual([first, second, third]);
    expect((await p.call('GET', '/problems', dispatcher.token)).body.total).toBe(1);

    const n = prb.number;
    const act = (who: TestUser, action: string, body: unknown = {}) => p.call('POST', `/problems/${n}/${action}`, who.token, body);
    // Out of order: 409 with the state and what is allowed; the wrong role: 403.
    const early = await act(engineer, 'workaround', { workaround: '重启' });
    expect(early.status).toBe(409);
    expect(early.body.messageZh).toContain('待确认');
    expect((await act(engineer, 'accept')).status).toBe(403);
    const accepted = await act(pm, 'accept', { note: '确认为问题' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.state).toBe('investigating');
    expect((await act(engineer, 'root-cause', { rootCause: '连接池上限 50，高峰并发 120' })).body.state).toBe('root_cause_identified');
    const known = await act(engineer, 'workaround', { workaround: '高峰前重启应用释放连接' });
    expect(known.body).toMatchObject({ state: 'known_error', stateLabel: '已知错误', workaround: '高峰前重启应用释放连接' });
    // Fixed only by a change, and only once it is carried out.
    expect((await act(engineer, 'fixed', {})).status).toBe(409);
    const chg = await implementedChange();
    expect((await act(engineer, 'changes', { change: chg })).body.changes.map((c: any) => c.number)).toEqual([chg]);
    const notYet = await act(engineer, 'fixed', {});
    expect(notYet.status).toBe(409);
    expect(notYet.body.messageZh).toContain('尚未实施');
    const impl = await p.call('POST', `/changes/${chg}/implement`, engineer.token, { revision: 1, evidence: '已执行，1 行' });
    expect(impl.body.state).toBe('implemented');
    const fixed = await act(engineer, 'fixed', { note: '变更已实施' });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ state: 'fixed', fixedBy: { number: chg } });
    const closed = await act(pm, 'close', { note: '观察两周无复发' });
    expect(closed.body).toMatchObject({ state: 'closed', allowedActions: [] });
    expect((await act(pm, 'close')).status).toBe(409);
    expect(closed.body.timeline.map((t: any) => t.type)).toEqual([
      'opened', 'link_incident', 'accept', 'record_root_cause', 'record_workaround', 'link_change', 'mark_fixed', 'close',
    ]);
    expect(closed.body.timeline[1].actor).toBe('Wardline');

    // Closed, the key is free: the same recurrence later proposes a new problem.
    await resolved('SYS-13', 'LIS 再次无法审核', '数据库连接池耗尽');
    expect((await p.call('GET', '/problems?state=proposed', dispatcher.token)).body.total).toBe(1);
  });

  it('a problem raised by hand, the digest for the monthly report, and bad input', async () => {
    const inc = await resolved('SYS-14', '某接口偶发超时', '对端服务重启');
    const created = await p.call('POST', '/problems', engineer.token, { systemId: 'SYS-14', title: '接口偶发超时', description: '近一月多次', incidents: [inc] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ state: 'investigating', origin: { kind: 'manual' } });
    expect(created.body.incidents.map((i: any) => i.number)).toEqual([inc]);
    const rc = await p.call('POST', `/problems/${created.body.number}/root-cause`, engineer.token, { rootCause: '对端定时重启' });
    expect(rc.status).toBe(200);
    const wa = await p.call('POST', `/problems/${created.body.number}/workaround`, engineer.token, { workaround: '避开 02:00 调用' });
    expect(wa.body.state).toBe('known_error');

    const digest = await problemDigest(p.ds, { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 60_000) });
    expect(digest.knownErrors.map((e) => [e.number, e.workaround, e.incidents.map((i) => i.number)])).toEqual([[created.body.number, '避开 02:00 调用', [inc]]]);
    // The first test's closed problem is not open; its successor (proposed) is.
    expect(digest.open.map((e) => e.state)).toEqual(['proposed']);
    expect(digest.period).toMatchObject({ proposed: 3, closed: 1, rejected: 0 });

    const bad = await p.call('POST', '/problems', engineer.token, { systemId: 'SYS-99', title: 'x', description: 'y' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('systemId');
    const unknown = await p.call('POST', '/problems', engineer.token, { systemId: 'SYS-14', title: 'x', description: 'y', incidents: ['INC-19990101-0001'] });
    expect(unknown.status).toBe(422);
    expect((await p.call('GET', '/problems/PRB-19990101-0001', dispatcher.token)).status).toBe(404);
    const empty = await p.call('POST', `/problems/${created.body.number}/root-cause`, engineer.token, { rootCause: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].field).toBe('rootCause');
    const badRule = await p.call('PUT', '/problems/rules', pm.token, { rules: [{ kind: 'system_cause', threshold: 1, windowDays: 30, enabled: true }] });
    expect(badRule.status).toBe(400);
    expect(badRule.body.errors[0].field).toContain('threshold');
  });
});
