import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { Receiver, startReceiver } from './support/receivers';

/**
 * Issue 15: every create route an integration may retry honours Idempotency-Key, and two requests with one key at
 * the same moment create one thing. test/api-conventions.test.ts races vendors and incidents; this races the rest
 * of the list — changes, modifications, CMDB items — and the PM integrations themselves: N parallel
 * requests, one key, one body → every answer the same record and exactly one row (and one workflow) behind it.
 */
const PARALLEL = 6;

describe('Idempotency-Key under parallel duplicates (issue 15)', () => {
  let p: TestPlatform;
  let engineer: TestUser;
  let dispatcher: TestUser;
  let itManager: TestUser;
  let platform: Receiver;

  beforeAll(async () => {
    platform = await startReceiver({ reply: () => ({ status: 200, body: {} }) });
    p = await startPlatform();
    engineer = await p.user(['engineer'], '李工');
    dispatcher = await p.user(['dispatcher'], '王调度');
    itManager = await p.user(['it_manager'], '信息科主任');
  });
  afterAll(async () => {
    const running = await p.ds.query(`SELECT workflow_id FROM pm_integrations`);
    for (const r of running) await p.temporal.workflow.getHandle(r.workflow_id).terminate('test done').catch(() => undefined);
    await p?.stop();
    await platform?.close();
  });

  const race = async (path: string, token: string, body: unknown) => {
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        const res = await fetch(`${p.baseUrl}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as any, replayed: res.headers.get('idempotent-replayed') };
      }),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(PARALLEL).fill(201));
    // One answered first; the others waited for it and replayed it.
    expect(answers.filter((a) => a.replayed === 'true')).toHaveLength(PARALLEL - 1);
    expect(new Set(answers.map((a) => JSON.stringify(a.body.id)))).toEqual(new Set([JSON.stringify(answers[0].body.id)]));
    return answers[0].body;
  };
  const count = async (sql: string, args: unknown[]) => (await p.ds.query(sql, args))[0].n as number;

  it('changes: one change, one workflow', async () => {
    const title = `并发变更 ${randomUUID().slice(0, 6)}`;
    const hour = 3_600_000;
    const body = await race('/changes', engineer.token, {
      systemId: 'SYS-11',
      kind: 'normal',
      title,
      reason: '集成重试',
      dialect: 'oracle',
      forwardScript: 'CREATE INDEX PACS.IDX_A ON PACS.EXAM_REG (IMAGE_NO);',
      rollbackScript: 'DROP INDEX PACS.IDX_A;',
      objects: [{ type: 'index', name: 'PACS.IDX_A', action: 'create' }],
      risk: 'medium',
      window: { start: new Date(Date.now() - hour).toISOString(), end: new Date(Date.now() + hour).toISOString() },
    });
    expect(body.number).toMatch(/^CHG-/);
    expect(await count(`SELECT count(*)::int AS n FROM changes WHERE title = $1`, [title])).toBe(1);
  });

  it('modifications: one modification request, one workflow', async () => {
    const title = `并发修改申请 ${randomUUID().slice(0, 6)}`;
    const body = await race('/modifications', dispatcher.token, { systemId: 'SYS-22', type: 'improvement', title, description: '报表增加科室筛选', department: '输血科' });
    expect(body.number).toMatch(/^MOD-/);
    expect(await count(`SELECT count(*)::int AS n FROM modifications WHERE title = $1`, [title])).toBe(1);
  });

  it('CMDB items: one item', async () => {
    const name = `par-srv-${randomUUID().slice(0, 6)}`;
    await race('/cmdb/items', engineer.token, { type: 'server', name, displayName: '并发服务器', attributes: { os: 'Linux', ip: '10.8.1.30' } });
    expect(await count(`SELECT count(*)::int AS n FROM cmdb_items WHERE name = $1`, [name])).toBe(1);
  });

  it('PM integrations: one integration, one account, one sealed secret, one poller', async () => {
    const name = `并发集成 ${randomUUID().slice(0, 6)}`;
    const body = await race('/integrations', itManager.token, {
      name,
      kind: 'webhook',
      webhook: { progressUrl: `${platform.base}/progress`, secret: 'parallel-shared-secret-0123' },
      mapping: {
        trackers: { fault: ['缺陷'], requirement: [] },
        system: { field: null, default: 'SYS-11' },
        department: { field: null, default: '信息科' },
        priorities: { map: {}, default: 'P3' },
        modificationType: 'improvement',
        numberField: null,
        outbound: { incident: {}, modification: {} },
        inbound: { incident: {}, modification: {} },
      },
    });
    expect(body.workflow.status).toBe('RUNNING');
    expect(await count(`SELECT count(*)::int AS n FROM pm_integrations WHERE name = $1`, [name])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM users WHERE display_name = $1 AND 'integration' = ANY(roles)`, [name])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM secrets WHERE name = $1`, [`integration ${name}`])).toBe(1);
  });
});
