import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import { bootstrapAdmin } from '../src/persistence/users-store';
import { hashToken } from '../src/api/auth/tokens';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { createTestDatabase } from './support/database';

const CJK = /[\u4e00-\u9fff]/;
const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

/** Issue 9, "bad input that breaks the server" and the edge: every case here was a 500, a hang or a slow-down. */
describe('the API edge', () => {
  let p: TestPlatform;
  let dispatcher: TestUser;
  let engineer: TestUser;
  let pm: TestUser;

  const raw = async (method: string, path: string, token: string | null, body?: string, contentType = 'application/json') => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = contentType;
    const res = await fetch(`${p.baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  const bilingual = (body: any) => {
    expect(body.messageZh).toMatch(CJK);
    expect(body.message).toBe(`${body.messageZh} / ${body.messageEn}`);
  };
  const report = (overrides: Record<string, unknown> = {}) => ({
    systemId: 'SYS-11',
    title: 'PACS 影像无法调阅',
    description: '放射科工作站打不开影像',
    reporter: { name: '李护士长', department: '放射科', phone: '8021' },
    priority: 'P3',
    channel: 'phone',
    ...overrides,
  });

  beforeAll(async () => {
    p = await startPlatform();
    dispatcher = await p.user(['dispatcher'], '王调度');
    engineer = await p.user(['engineer'], '李工');
    pm = await p.user(['project_manager'], '项目经理');
  });
  afterAll(() => p?.stop());

  describe('bad input is a 400 at the edge', () => {
    it('JSON nested 2,000 levels is a 400 on every kind of route, including the public link, without a stack trace in the log', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error');
      try {
        const body = `{"title":${deep(2000)}}`;
        for (const [method, path, token] of [
          ['POST', '/incidents', dispatcher.token],
          ['POST', '/changes', engineer.token],
          ['POST', '/vendor-ack/v1.x.y', null],
          ['PUT', `/users/${engineer.id}/channels`, engineer.token],
        ] as const) {
          const res = await raw(method, path, token, body);
          expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 400, code: 'JSON_TOO_DEEP' });
          bilingual(res.body);
        }
        expect(logged).not.toHaveBeenCalled();
      } finally {
        logged.mockRestore();
      }
    });

    it('NUL in a path reference, a query or any string of the body is a 400 before PostgreSQL sees it', async () => {
      for (const path of ['/incidents/%00', '/systems/%00', '/cmdb/items/%00', '/changes/CHG-%00', '/incidents?state=%00']) {
        const res = await raw('GET', path, p.adminToken);
        expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 400, code: 'NUL_CHARACTER' });
        bilingual(res.body);
      }
      const res = await p.call('POST', '/incidents', dispatcher.token, report({ description: 'abc\u0000def' }));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('NUL_CHARACTER');
      expect(res.body.errors).toEqual([{ field: 'description', reasons: [expect.stringMatching(/^description 不能包含 NUL.* \/ description must not contain NUL/)] }]);
      const nested = await p.call('POST', '/incidents', dispatcher.token, report({ reporter: { name: '李\u0000', department: 'ICU' } }));
      expect(nested.body.errors[0].field).toBe('reporter.name');
      const key = await p.call('POST', '/vendors', pm.token, { name: 'x', ['no\u0000tes']: 'y' });
      expect(key.status).toBe(400);
      const [{ count }] = await p.ds.query(`SELECT count(*)::int AS count FROM incidents`);
      expect(count).toBe(0);
    });

    it('out-of-range pagination is a 400 with the bounds, on every paged list', async () => {
      for (const path of ['/incidents?page=1e300', '/incidents?page=10001', '/incidents?pageSize=0', '/notifications?page=1e300', '/notifications?pageSize=201', '/cmdb/items?offset=1e300', '/cmdb/items?limit=100000', '/jobs/runs?limit=1e300']) {
        const res = await raw('GET', path, p.adminToken);
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        bilingual(res.body);
      }
      expect((await raw('GET', '/incidents?page=10000', p.adminToken)).status).toBe(200);
    });

    it('"objects":[[[]]] on a change and on a revision is a 400 naming objects', async () => {
      const change = {
        systemId: 'SYS-11',
        kind: 'normal',
        title: '调整索引',
        reason: '查询慢',
        dialect: 'postgresql',
        forwardScript: 'CREATE INDEX i1 ON t (a);',
        rollbackScript: 'DROP INDEX i1;',
        objects: [[[]]],
        risk: 'low',
        window: { start: '2026-12-01T22:00:00+08:00', end: '2026-12-01T23:00:00+08:00' },
      };
      const res = await p.call('POST', '/changes', engineer.token, change);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: any) => e.field)).toContain('objects');
      bilingual(res.body);
      const revision = await p.call('POST', '/changes/CHG-20261201-0001/revisions', engineer.token, { ...change, systemId: undefined, kind: undefined, title: undefined, reason: undefined, window: undefined });
      expect(revision.status).toBe(400);
      expect(revision.body.errors.map((e: any) => e.field)).toContain('objects');
      const scalar = await p.call('POST', '/changes', engineer.token, { ...change, objects: [1, 'x', null] });
      expect(scalar.status).toBe(400);
    });

    it('an incident without reporter (or with reporter null, a list or a string) is a 400 naming reporter', async () => {
      for (const reporter of [undefined, null, [], 'x']) {
        const res = await p.call('POST', '/incidents', dispatcher.token, report({ reporter }));
        expect({ reporter, status: res.status }).toEqual({ reporter, status: 400 });
        expect(res.body.errors.map((e: any) => e.field)).toContain('reporter');
        bilingual(res.body);
      }
    });
  });

  describe('bodies: token first, small by default', () => {
    /** Sends the headers of a `size`-byte body and only `sent` bytes of it; resolves with the answer, if any, before the rest. */
    const partialPost = (path: string, token: string | null, size: number, sent: number) =>
      new Promise<{ status: number; body: string; connection: string | undefined; bytesSent: number }>((resolve, reject) => {
        const url = new URL(`${p.baseUrl}${path}`);
        const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': size };
        if (token) headers.authorization = `Bearer ${token}`;
        const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers });
        const timer = setTimeout(() => reject(new Error('no answer before the body was finished')), 15_000);
        req.on('response', (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode!, body, connection: res.headers.connection, bytesSent: sent });
            req.destroy();
          });
        });
        req.on('error', (err) => {
          if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET' && (err as NodeJS.ErrnoException).code !== 'EPIPE') reject(err);
        });
        req.write(Buffer.alloc(sent, 0x20));
        // The rest of the body is never sent: an answer can only come from a server that did not wait for it.
      });

    it('12 anonymous 8 MB posts are answered 401 before their bodies are sent; /health/live keeps answering', async () => {
      const size = 8 * 1024 * 1024;
      const answers = await Promise.all(Array.from({ length: 12 }, () => partialPost('/cmdb/import?dryRun=true', null, size, 64 * 1024)));
      for (const a of answers) {
        expect(a.status).toBe(401);
        expect(a.bytesSent).toBeLessThan(size);
        expect(a.connection).toBe('close');
        bilingual(JSON.parse(a.body));
      }
      const bad = await partialPost('/incidents', 'wl_not-a-token', size, 1024);
      expect(bad.status).toBe(401);
      expect((await raw('GET', '/health/live', null)).status).toBe(200);
    });

    it('a JSON body over 100 kB is a 413 in both languages, except on the routes that need more', async () => {
      const big = JSON.stringify({ name: 'x', notes: 'n'.repeat(150 * 1024) });
      const res = await raw('POST', '/vendors', pm.token, big);
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
      bilingual(res.body);
      // The CMDB import takes files up to 10 MB: 3 MB is read (and refused as a workbook, not as a size).
      const file = await raw('POST', '/cmdb/import?dryRun=true', pm.token, JSON.stringify({ xlsx: 'A'.repeat(3 * 1024 * 1024) }));
      expect(file.status).toBe(400);
      expect(file.body.errors[0].field).toBe('xlsx');
      // A change carries two scripts of up to 200,000 characters: 400 kB of script is not refused for its size.
      const script = await p.call('POST', '/changes', engineer.token, { forwardScript: '中'.repeat(150_000) });
      expect(script.status).toBe(400);
      expect(script.body.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('headers, rate limits, health and the admin token', () => {
    it('security headers from helmet, and no X-Powered-By', async () => {
      for (const path of ['/health/live', '/incidents', '/docs']) {
        const res = await raw('GET', path, dispatcher.token);
        expect(res.headers.get('x-powered-by')).toBeNull();
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
        expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      }
    });

    it('the one-time link and token creation are rate limited: 429 in both languages', async () => {
      const link = [];
      for (let i = 0; i < 32; i++) link.push(await raw('GET', `/vendor-ack/v1.nope.${i}`, null));
      expect(link.slice(0, 30).every((r) => r.status !== 429)).toBe(true);
      const limited = link.filter((r) => r.status === 429);
      expect(limited.length).toBe(2);
      expect(limited[0].body.code).toBe('TOO_MANY_REQUESTS');
      bilingual(limited[0].body);
      const tokens = [];
      for (let i = 0; i < 11; i++) tokens.push(await p.call('POST', `/users/${engineer.id}/tokens`, p.adminToken, { name: `t${i}` }));
      expect(tokens.slice(0, 10).map((t) => t.status)).toEqual(Array(10).fill(201));
      expect(tokens[10].status).toBe(429);
    });

    it('an admin token that came from WARDLINE_ADMIN_TOKEN is never handed back for printing; a generated one is', async () => {
      const db = await createTestDatabase();
      try {
        const preset = 'wl_preset-admin-token-for-automation';
        expect(await bootstrapAdmin(db.dataSource, preset)).toBeNull();
        const [row] = await db.dataSource.query(`SELECT count(*)::int AS n FROM api_tokens WHERE token_hash = $1`, [hashToken(preset)]);
        expect(row.n).toBe(1);
        expect(await bootstrapAdmin(db.dataSource, preset)).toBeNull();
      } finally {
        await db.drop();
      }
      const fresh = await createTestDatabase();
      try {
        expect(await bootstrapAdmin(fresh.dataSource)).toMatch(/^wl_/);
        expect(await bootstrapAdmin(fresh.dataSource)).toBeNull();
      } finally {
        await fresh.drop();
      }
    });
  });
});
