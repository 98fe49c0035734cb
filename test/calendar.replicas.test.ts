import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../src/infra/net';
import { TestDatabase, createTestDatabase } from './support/database';
import { waitUntil } from './support/workflow-input';

const API = join(__dirname, '..', 'dist', 'src', 'api', 'main.js');
const ADMIN_TOKEN = 'wl_replicas_admin_token_0123456789abcdef';

/**
 * Issue 10: each API process caches the calendar and the SLA policies (every incident needs both). Two compiled API
 * processes on one database: a year loaded, or a policy added, through one is used by the other at once, because
 * the tables' triggers NOTIFY every process's cache.
 */
describe('calendar and policy caches across API replicas', () => {
  let db: TestDatabase;
  const apis: { child: ChildProcess; url: string; log: string[] }[] = [];

  async function startApi() {
    const port = await freePort();
    const log: string[] = [];
    const child = spawn(process.execPath, [API], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        TEMPORAL_ADDRESS: process.env.WARDLINE_TEST_TEMPORAL_ADDRESS,
        PORT: String(port),
        WARDLINE_LISTEN_HOST: '127.0.0.1',
        WARDLINE_ADMIN_TOKEN: ADMIN_TOKEN,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => log.push(String(d)));
    child.stderr?.on('data', (d) => log.push(String(d)));
    const url = `http://127.0.0.1:${port}`;
    await waitUntil('an API replica', async () => {
      if (child.exitCode !== null) throw new Error(`API exited: ${log.join('')}`);
      return fetch(`${url}/health/live`).then((r) => r.ok, () => false);
    }, 90_000);
    const api = { child, url, log };
    apis.push(api);
    return api;
  }

  const call = async (url: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    if (!existsSync(API)) throw new Error(`${API} is missing: npm test builds it first (npm run build)`);
    db = await createTestDatabase();
    await startApi();
    await startApi();
  });
  afterAll(async () => {
    for (const a of apis) {
      if (a.child.exitCode === null && a.child.signalCode === null) {
        a.child.kill('SIGTERM');
        await new Promise((r) => a.child.once('exit', r));
      }
    }
    await db?.drop();
  });

  it('a year loaded through one replica moves the other replica\'s deadlines at once', async () => {
    const [a, b] = apis;
    const preview = (url: string) => call(url, 'POST', '/sla/preview', { reportedAt: '2026-12-31T17:00:00+08:00', kind: 'incident' });
    // B has read (and cached) its calendar before A loads 2027.
    const before = await preview(b.url);
    expect(before.status).toBe(200);
    const loaded = await call(a.url, 'PUT', '/calendar/years/2027', { holidays: ['2027-01-01', '2027-01-04'], workdays: ['2027-01-09'], source: '国务院办公厅 2027 年部分节假日安排 (test)' });
    expect(loaded.status).toBe(200);
    // 1 h on Thursday; Friday Jan 1, the weekend and Monday Jan 4 are off; 10 h Tuesday; 9 h Wednesday.
    const expected = '2027-01-06T17:00:00+08:00';
    expect(before.body.deadlines.repair).not.toBe(expected);
    const after = await waitUntil('replica B to see 2027', async () => {
      const r = await preview(b.url);
      return r.body.deadlines?.repair === expected ? r : null;
    }, 5_000);
    expect(after.body.calendarCovered).toBe(true);
    expect((await call(b.url, 'GET', '/calendar')).body.loadedYears.map((y: { year: number }) => y.year)).toEqual([2027]);
  });

  it('a policy added through one replica is offered by the other', async () => {
    const [a, b] = apis;
    const before = await call(b.url, 'GET', '/sla/policies');
    expect(before.status).toBe(200);
    const contract = before.body[0];
    const added = await call(a.url, 'POST', '/sla/policies', {
      name: '2027 合同补充协议 (test)',
      incident: contract.incident,
      modification: contract.modification,
      warningFractions: contract.warningFractions,
      overrides: [{ priority: 'P1', respondMinutes: 20 }],
    });
    expect(added.status).toBe(201);
    const seen = await waitUntil('replica B to offer the new version', async () => {
      const r = await call(b.url, 'GET', '/sla/policies');
      return r.body.length === before.body.length + 1 ? r.body : null;
    }, 5_000);
    expect(seen[seen.length - 1]).toMatchObject({ version: added.body.version, name: '2027 合同补充协议 (test)' });
  });
});
