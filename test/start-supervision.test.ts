import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { freePort } from '../src/infra/net';
import { issueToken } from '../src/persistence/users-store';
import { TestDatabase, createTestDatabase } from './support/database';
import { waitUntil } from './support/workflow-input';

const START = join(__dirname, '..', 'dist', 'src', 'cli', 'start.js');

/**
 * `npm start` supervises the worker and the API (issue 9): killing either process no longer stops the platform;
 * it is started again (with a back-off) and serves, and only SIGTERM/Ctrl-C stops everything. The workflow code is
 * bundled once at start and handed to every worker it starts.
 */
describe('npm start keeps the platform up', () => {
  let db: TestDatabase;
  let dataDir: string;
  let start: ChildProcess | null = null;
  let output = '';
  let port: number;
  let token: string;

  beforeAll(async () => {
    if (!existsSync(START)) throw new Error(`${START} is missing: npm test builds it first (npm run build)`);
    db = await createTestDatabase();
    const [user] = await db.dataSource.query(`INSERT INTO users (username, display_name, roles) VALUES ($1, '王调度', ARRAY['dispatcher']) RETURNING id`, [
      `disp-${randomUUID().slice(0, 8)}`,
    ]);
    token = (await issueToken(db.dataSource, user.id, 'test')).token;
    dataDir = mkdtempSync(join(tmpdir(), 'wardline-start-'));
    port = await freePort();
  });
  afterAll(async () => {
    if (start && start.exitCode === null && start.signalCode === null) {
      start.kill('SIGTERM');
      await new Promise((r) => start!.once('exit', r));
    }
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const pidsOf = (name: string) => [...output.matchAll(new RegExp(`${name} started \\(pid (\\d+)\\)`, 'g'))].map((m) => Number(m[1]));
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const api = (path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${port}${path}`, init);
  const openIncident = () =>
    api('/incidents', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        systemId: 'SYS-11',
        title: 'PACS 影像无法调阅',
        description: '放射科工作站打不开影像',
        reporter: { name: '李护士长', department: '放射科', phone: '8021' },
        priority: 'P2',
        channel: 'phone',
      }),
    });

  it('restarts a killed worker and a killed API, which then serve; stops everything on SIGTERM', async () => {
    start = spawn(process.execPath, [START], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        TEMPORAL_ADDRESS: process.env.WARDLINE_TEST_TEMPORAL_ADDRESS,
        PORT: String(port),
        WARDLINE_LISTEN_HOST: '127.0.0.1',
        WARDLINE_TASK_QUEUE: `start-${randomUUID()}`,
        WARDLINE_DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    start.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    start.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    const exited = new Promise<number | null>((r) => start!.once('exit', (code) => r(code)));

    await waitUntil('the platform to come up', async () => output.includes('Wardline is up.'), 120_000);
    expect(existsSync(join(dataDir, 'workflow-bundle.js'))).toBe(true);
    expect((await openIncident()).status).toBe(201);

    // Kill the worker: the platform stays, a new worker comes, with the bundle made at start.
    const [worker1] = pidsOf('worker');
    expect(worker1).toBeGreaterThan(0);
    process.kill(worker1, 'SIGKILL');
    const worker2 = await waitUntil('a new worker', async () => pidsOf('worker')[1], 60_000);
    expect(worker2).not.toBe(worker1);
    expect(start.exitCode).toBeNull();
    await waitUntil('the new worker polling', async () => (output.match(/wardline worker polling .*workflow-bundle\.js/g) ?? []).length === 2, 60_000);
    // It serves: opening an incident needs the workflow to run and project.
    expect((await openIncident()).status).toBe(201);

    // Kill the API: it comes back on the same port.
    const [api1] = pidsOf('api');
    process.kill(api1, 'SIGKILL');
    const api2 = await waitUntil('a new API', async () => pidsOf('api')[1], 60_000);
    expect(api2).not.toBe(api1);
    await waitUntil('the API answering again', async () => (await api('/health/live').catch(() => null))?.ok, 60_000);
    expect((await openIncident()).status).toBe(201);
    expect(output).toMatch(/worker exited \(SIGKILL\).*restarting in \d+ ms/);

    start.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect([worker2, api2].filter(alive)).toEqual([]);
  });
});
