import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { IdempotencyStore } from '../src/api/common/idempotency';
import { loadSecretKey } from '../src/infra/secrets';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

const CJK = /[\u4e00-\u9fff]/;

/** Every 4xx has the one bilingual shape (BRIEF "Conventions"): "<zh> / <en>", both halves apart, and field reasons alike. */
function expectBilingual(body: any, status: number): void {
  expect(body.statusCode).toBe(status);
  expect(typeof body.code).toBe('string');
  expect(body.messageZh).toMatch(CJK);
  expect(body.messageEn.length).toBeGreaterThan(0);
  expect(body.messageEn).not.toMatch(CJK);
  expect(body.message).toBe(`${body.messageZh} / ${body.messageEn}`);
  for (const e of body.errors ?? []) {
    expect(typeof e.field).toBe('string');
    expect(e.reasons.length).toBeGreaterThan(0);
    for (const r of e.reasons) expect(r).toMatch(/[\u4e00-\u9fff].* \/ /);
  }
}

describe('shared API conventions: bilingual errors and Idempotency-Key', () => {
  let p: TestPlatform;
  let dispatcher: TestUser;
  let pm: TestUser;

  const send = async (method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}) => {
    const h: Record<string, string> = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(`${p.baseUrl}${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };

  beforeAll(async () => {
    p = await startPlatform();
    dispatcher = await p.user(['dispatcher'], '王调度');
    pm = await p.user(['project_manager'], '项目经理');
  });
  afterAll(() => p?.stop());

  describe('errors', () => {
    it('validation failures name each field with a zh-CN reason and the English beside it', async () => {
      const res = await p.call('POST', '/incidents', dispatcher.token, { systemId: 'SYS-11', title: '', description: 3, reporter: { name: '李', department: 'ICU' }, priority: 'P9', channel: 'phone', extra: 1 });
      expect(res.status).toBe(400);
      expectBilingual(res.body, 400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      const byField = Object.fromEntries(res.body.errors.map((e: any) => [e.field, e.reasons.join(' | ')]));
      expect(Object.keys(byField).sort()).toEqual(['description', 'extra', 'priority', 'title']);
      expect(byField.title).toContain('title 长度须为 1–200 个字符');
      expect(byField.description).toContain('description 必须是字符串 / description must be a string');
      expect(byField.priority).toContain('priority 必须是以下之一：P1、P2、P3、P4');
      expect(byField.extra).toContain('extra 不是可接受的字段');
    });

    it('401, 403, an unknown route and a bad UUID are bilingual too', async () => {
      const none = await p.call('GET', '/incidents', null);
      expect(none.status).toBe(401);
      expectBilingual(none.body, 401);
      expect(none.body.messageZh).toContain('缺少令牌');
      const bad = await p.call('GET', '/incidents', 'wl_not-a-token');
      expect(bad.status).toBe(401);
      expectBilingual(bad.body, 401);
      const forbidden = await p.call('POST', '/vendors', dispatcher.token, { name: 'x' });
      expect(forbidden.status).toBe(403);
      expectBilingual(forbidden.body, 403);
      expect(forbidden.body.messageZh).toContain('需要以下角色之一');
      const route = await p.call('GET', '/no/such/route', dispatcher.token);
      expect(route.status).toBe(404);
      expectBilingual(route.body, 404);
      const uuid = await p.call('GET', '/vendors/not-a-uuid', pm.token);
      expect(uuid.status).toBe(400);
      expectBilingual(uuid.body, 400);
      expect(uuid.body.errors).toEqual([{ field: 'id', reasons: ['id 必须是 UUID / id must be a UUID'] }]);
    });

    it('a missing record is 404 naming it in both languages; bad JSON is a 400', async () => {
      const res = await p.call('GET', '/incidents/INC-19990101-0001', dispatcher.token);
      expect(res.status).toBe(404);
      expectBilingual(res.body, 404);
      expect(res.body.message).toBe('没有工单 INC-19990101-0001 / no incident INC-19990101-0001');
      const json = await fetch(`${p.baseUrl}/incidents`, { method: 'POST', headers: { authorization: `Bearer ${dispatcher.token}`, 'content-type': 'application/json' }, body: '{"a":' });
      expect(json.status).toBe(400);
      const body: any = await json.json();
      expectBilingual(body, 400);
      expect(body.code).toBe('INVALID_JSON');
    });

    it('a domain rule refused by the workflow is a 409 in zh-CN first, with the state and the allowed actions', async () => {
      const opened = await p.call('POST', '/incidents', dispatcher.token, {
        systemId: 'SYS-11',
        title: 'PACS 影像无法调阅',
        description: '放射科工作站打不开影像',
        reporter: { name: '李护士长', department: '放射科' },
        priority: 'P2',
        channel: 'phone',
      });
      expect(opened.status).toBe(201);
      const res = await p.call('POST', `/incidents/${opened.body.number}/confirm`, dispatcher.token, {});
      expect(res.status).toBe(409);
      expectBilingual(res.body, 409);
      expect(res.body.state).toBe('reported');
      // What this dispatcher may do now (acknowledging is the engineers'): issue 9, allowedActions are the caller's.
      expect(res.body.allowedActions).toEqual(['cancel', 'assign', 'change_priority', 'escalate']);
      expect(res.body.messageZh).toContain('已报障');
      expect(res.body.messageZh).toContain('取消');
      expect(res.body.messageEn).toContain('cannot confirm');
    });
  });

  describe('Idempotency-Key on create routes', () => {
    it('the same key and body answer the first answer again; another body is a 422', async () => {
      const key = randomUUID();
      const body = { name: `厂商-${key.slice(0, 8)}`, notes: '影像系统' };
      const first = await send('POST', '/vendors', pm.token, body, { 'Idempotency-Key': key });
      expect(first.status).toBe(201);
      const again = await send('POST', '/vendors', pm.token, { notes: '影像系统', name: body.name }, { 'Idempotency-Key': key });
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      const [{ count }] = await p.ds.query(`SELECT count(*)::int AS count FROM vendors WHERE name = $1`, [body.name]);
      expect(count).toBe(1);
      const other = await send('POST', '/vendors', pm.token, { ...body, notes: '另一个' }, { 'Idempotency-Key': key });
      expect(other.status).toBe(422);
      expectBilingual(other.body, 422);
      expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      // Without a key, a second identical request is a new request (here: a duplicate name).
      expect((await send('POST', '/vendors', pm.token, body)).status).toBe(409);
    });

    it('keys belong to their caller: another user with the same key creates their own', async () => {
      const key = randomUUID();
      const pm2 = await p.user(['project_manager'], '项目经理二');
      const a = await send('POST', '/vendors', pm.token, { name: `A-${key.slice(0, 8)}` }, { 'Idempotency-Key': key });
      const b = await send('POST', '/vendors', pm2.token, { name: `B-${key.slice(0, 8)}` }, { 'Idempotency-Key': key });
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(a.body.id).not.toBe(b.body.id);
    });

    it('a refused body releases the key, so the corrected retry with the same key works', async () => {
      const key = randomUUID();
      const bad = await send('POST', '/vendors', pm.token, { name: '' }, { 'Idempotency-Key': key });
      expect(bad.status).toBe(400);
      const [{ count }] = await p.ds.query(`SELECT count(*)::int AS count FROM idempotency_keys WHERE key = $1`, [key]);
      expect(count).toBe(0);
      const fixed = await send('POST', '/vendors', pm.token, { name: `改正-${key.slice(0, 8)}` }, { 'Idempotency-Key': key });
      expect(fixed.status).toBe(201);
    });

    it('concurrent requests with one key create one vendor, and all answer alike', async () => {
      const key = randomUUID();
      const body = { name: `并发-${key.slice(0, 8)}` };
      const answers = await Promise.all(Array.from({ length: 8 }, () => send('POST', '/vendors', pm.token, body, { 'Idempotency-Key': key })));
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      const [{ count }] = await p.ds.query(`SELECT count(*)::int AS count FROM vendors WHERE name = $1`, [body.name]);
      expect(count).toBe(1);
    });

    it('concurrent incident reports with one key open one incident (one workflow, one number)', async () => {
      const key = randomUUID();
      const report = { systemId: 'SYS-12', title: `LIS 无法出报告 ${key.slice(0, 6)}`, description: '检验科', reporter: { name: '张', department: '检验科' }, priority: 'P3', channel: 'phone' };
      const answers = await Promise.all(Array.from({ length: 4 }, () => send('POST', '/incidents', dispatcher.token, report, { 'Idempotency-Key': key })));
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
      expect(new Set(answers.map((a) => a.body.number)).size).toBe(1);
      const [{ count }] = await p.ds.query(`SELECT count(*)::int AS count FROM incidents WHERE title = $1`, [report.title]);
      expect(count).toBe(1);
    });

    it('a replayed token creation answers the same token, which is stored sealed, never in clear', async () => {
      const key = randomUUID();
      const first = await send('POST', `/users/${pm.id}/tokens`, p.adminToken, { name: 'desk' }, { 'Idempotency-Key': key });
      const again = await send('POST', `/users/${pm.id}/tokens`, p.adminToken, { name: 'desk' }, { 'Idempotency-Key': key });
      expect(first.status).toBe(201);
      expect(again.body.token).toBe(first.body.token);
      const [row] = await p.ds.query(`SELECT response FROM idempotency_keys WHERE key = $1`, [key]);
      expect(Buffer.from(row.response).includes(Buffer.from(first.body.token))).toBe(false);
    });

    it('refuses a malformed key', async () => {
      const res = await send('POST', '/vendors', pm.token, { name: 'x' }, { 'Idempotency-Key': 'a'.repeat(201) });
      expect(res.status).toBe(400);
      expectBilingual(res.body, 400);
    });

    it('keys are kept 24 hours, then purged', async () => {
      const store = new IdempotencyStore(p.ds, loadSecretKey({ configured: p.config.secretKey, dataDir: p.config.dataDir }));
      const fresh = randomUUID();
      const old = randomUUID();
      await p.ds.query(`INSERT INTO idempotency_keys (caller, key, fingerprint, created_at) VALUES ('t', $1, repeat('0', 64), now() - interval '23 hours'), ('t', $2, repeat('0', 64), now() - interval '25 hours')`, [fresh, old]);
      expect(await store.purge()).toBeGreaterThanOrEqual(1);
      const left = await p.ds.query(`SELECT key FROM idempotency_keys WHERE caller = 't' ORDER BY key`);
      expect(left.map((r: any) => r.key)).toEqual([fresh]);
    });
  });
});
