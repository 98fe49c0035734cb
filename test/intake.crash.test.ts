import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../src/infra/net';
import { RunningTemporal, startTemporalDevServer } from '../src/infra/temporal-dev-server';
import { issueToken } from '../src/persistence/users-store';
import { TestDatabase, createTestDatabase } from './support/database';
import { waitUntil } from './support/workflow-input';

const DIST = join(__dirname, '..', 'dist', 'src');
const API = join(DIST, 'api', 'main.js');
const WORKER = join(DIST, 'worker.js');

/**
 * Issue 10: nothing is lost and nothing starts twice when the API, the dispatcher (the worker process) or Temporal
 * dies at any point. Real processes, killed with SIGKILL: the compiled API and worker, and a Temporal dev server of
 * this file's own that keeps its state in a file, so it can be killed and started again on the same port.
 * After each scenario every incident that has a row has exactly one workflow run, every 201 has a row, and no outbox
 * entry exists without its incident (the two commit together).
 */
describe('intake survives crashes', () => {
  let db: TestDatabase;
  let temporalServer: RunningTemporal;
  let temporalPort: number;
  let temporalDb: string;
  let connection: Connection;
  let client: Client;
  let token: string;
  const taskQueue = `crash-${Date.now()}`;
  const running: ChildProcess[] = [];
  const logs = new Map<ChildProcess, string[]>();

  const startTemporal = async () => {
    temporalServer = await startTemporalDevServer({ port: temporalPort, dbFile: temporalDb });
  };

  beforeAll(async () => {
    for (const f of [API, WORKER]) if (!existsSync(f)) throw new Error(`${f} is missing: npm test builds it first (npm run build)`);
    db = await createTestDatabase();
    const dir = join(__dirname, '..', '.data', 'test');
    mkdirSync(dir, { recursive: true });
    temporalDb = join(dir, `temporal-crash-${process.pid}.db`);
    rmSync(temporalDb, { force: true });
    temporalPort = await freePort();
    await startTemporal();
    connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
    client = new Client({ connection });
    const [user] = await db.dataSource.query(`INSERT INTO users (username, display_name, roles) VALUES ('crash-dispatcher', '调度', ARRAY['dispatcher']) RETURNING id`);
    token = (await issueToken(db.dataSource, user.id, 'crash')).token;
  });
  afterEach(async () => {
    for (const c of running.splice(0)) await kill(c);
  });
  afterAll(async () => {
    await connection?.close();
    await temporalServer?.stop();
    rmSync(temporalDb, { force: true });
    await db?.drop();
  });

  const exited = (c: ChildProcess) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)));
  async function kill(c: ChildProcess): Promise<void> {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await exited(c);
  }

  function spawnProcess(file: string, env: Record<string, string>): ChildProcess {
    const child = spawn(process.execPath, [file], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
        WARDLINE_TASK_QUEUE: taskQueue,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    logs.set(child, lines);
    child.stdout?.on('data', (d) => lines.push(String(d)));
    child.stderr?.on('data', (d) => lines.push(String(d)));
    running.push(child);
    return child;
  }
  const spawnWorker = () => spawnProcess(WORKER, { WARDLINE_WORKFLOW_BUNDLE: process.env.WARDLINE_TEST_WORKFLOW_BUNDLE! });
  async function spawnApi(): Promise<{ child: ChildProcess; url: string }> {
    const port = await freePort();
    const child = spawnProcess(API, { PORT: String(port), WARDLINE_LISTEN_HOST: '127.0.0.1' });
    const url = `http://127.0.0.1:${port}`;
    await waitUntil('the API', async () => {
      if (child.exitCode !== null) throw new Error(`the API exited: ${logs.get(child)?.join('')}`);
      return fetch(`${url}/health/live`).then((r) => r.ok, () => false);
    }, 90_000);
    return { child, url };
  }

  let serial = 0;
  const post = (url: string) =>
    fetch(`${url}/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        systemId: 'SYS-11',
        title: `崩溃测试 ${++serial}`,
        description: 'crash test',
        reporter: { name: '李护士长', department: '放射科' },
        priority: 'P3',
        channel: 'api',
      }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { number: string } }));

  /** `count` reports from `clients` concurrent clients; numbers of the 201s, and how many calls failed in flight. */
  async function burst(url: string, count: number, clients: number, onAnswer?: (answered: number) => void) {
    const numbers: string[] = [];
    let failed = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < count) {
          next++;
          try {
            const r = await post(url);
            if (r.status === 201) numbers.push(r.body.number);
            else failed++;
          } catch {
            failed++;
          }
          onAnswer?.(numbers.length);
        }
      }),
    );
    return { numbers, failed };
  }

  const outboxState = async () =>
    (await db.dataSource.query(`SELECT state, count(*)::int AS n FROM workflow_outbox GROUP BY state`)).reduce(
      (acc: Record<string, number>, r: { state: string; n: number }) => ({ ...acc, [r.state]: r.n }),
      {} as Record<string, number>,
    );
  const drained = () => waitUntil('the outbox drained', async () => ((await outboxState()).pending ?? 0) === 0, 180_000);

  /** The invariants every scenario ends with. */
  async function checkNothingLostNothingTwice(answered: string[]): Promise<number> {
    const rows: { number: string; workflow_id: string }[] = await db.dataSource.query(`SELECT number, workflow_id FROM incidents ORDER BY number`);
    // Every 201 has its incident.
    const have = new Set(rows.map((r) => r.number));
    expect(answered.filter((n) => !have.has(n))).toEqual([]);
    // The incident and its outbox entry committed together: none without the other.
    const [{ orphans }] = await db.dataSource.query(
      `SELECT (SELECT count(*) FROM workflow_outbox o WHERE NOT EXISTS (SELECT 1 FROM incidents i WHERE i.workflow_id = o.workflow_id))
            + (SELECT count(*) FROM incidents i WHERE NOT EXISTS (SELECT 1 FROM workflow_outbox o WHERE o.workflow_id = i.workflow_id)) AS orphans`,
    );
    expect(Number(orphans)).toBe(0);
    expect(await outboxState()).toEqual({ done: rows.length });
    // Exactly one run per incident, and no other workflow of ours.
    const runsById = new Map<string, number>();
    await waitUntil('visibility to list every run', async () => {
      runsById.clear();
      for await (const w of client.workflow.list({ query: `WorkflowType = 'incidentWorkflow' AND TaskQueue = '${taskQueue}'` })) {
        runsById.set(w.workflowId, (runsById.get(w.workflowId) ?? 0) + 1);
      }
      return [...runsById.values()].reduce((a, b) => a + b, 0) >= rows.length;
    }, 60_000);
    expect([...runsById.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...runsById.keys()].sort()).toEqual(rows.map((r) => r.workflow_id).sort());
    // Each workflow ran: its opening notification is recorded (the first thing the workflow does).
    await waitUntil('every workflow announced its incident', async () => {
      const [{ unannounced }] = await db.dataSource.query(
        `SELECT count(*)::int AS unannounced FROM incidents i
          WHERE NOT EXISTS (SELECT 1 FROM notification_deliveries d WHERE d.incident_id = i.id AND d.event = 'incident_opened')`,
      );
      return unannounced === 0;
    }, 120_000);
    const opened = await db.dataSource.query(`SELECT incident_id FROM incident_events WHERE type = 'opened' GROUP BY incident_id HAVING count(*) <> 1`);
    expect(opened).toEqual([]);
    return rows.length;
  }
  const allAnswered: string[] = [];

  it('the API killed in the middle of a burst: every 201 is kept, every committed incident starts once', async () => {
    spawnWorker();
    const api = await spawnApi();
    let killed = false;
    const result = await burst(api.url, 60, 8, (answered) => {
      if (!killed && answered >= 20) {
        killed = true;
        api.child.kill('SIGKILL');
      }
    });
    expect(killed).toBe(true);
    expect(result.failed).toBeGreaterThan(0); // the calls in flight and those after the kill
    allAnswered.push(...result.numbers);
    const again = await spawnApi();
    const after = await burst(again.url, 10, 4);
    expect(after.failed).toBe(0);
    allAnswered.push(...after.numbers);
    await drained();
    expect(await checkNothingLostNothingTwice(allAnswered)).toBeGreaterThanOrEqual(30);
  });

  it('the dispatcher (its worker process) killed while dispatching: the rest is dispatched after the restart, none twice', async () => {
    const api = await spawnApi();
    const before = (await outboxState()).done ?? 0;
    const r = await burst(api.url, 200, 8);
    expect(r.failed).toBe(0);
    allAnswered.push(...r.numbers);
    expect((await outboxState()).pending).toBe(200);
    // One start at a time, watched closely; at the first one done Temporal is frozen (SIGSTOP), so the dispatcher's
    // next start hangs and the kill lands mid-burst whatever the machine's speed; Temporal then thaws.
    const worker = spawnProcess(WORKER, { WARDLINE_WORKFLOW_BUNDLE: process.env.WARDLINE_TEST_WORKFLOW_BUNDLE!, WARDLINE_OUTBOX_CONCURRENCY: '1' });
    const deadline = Date.now() + 90_000;
    while (((await outboxState()).done ?? 0) < before + 1) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the first dispatch');
      await new Promise((r) => setTimeout(r, 5));
    }
    process.kill(temporalServer.pid!, 'SIGSTOP');
    try {
      await kill(worker);
    } finally {
      process.kill(temporalServer.pid!, 'SIGCONT');
    }
    const mid = await outboxState();
    expect(mid.pending ?? 0).toBeGreaterThan(0);
    spawnWorker();
    await drained();
    await checkNothingLostNothingTwice(allAnswered);
  });

  it('Temporal killed while dispatching: the API still answers 201, and everything starts once it is back', async () => {
    const api = await spawnApi();
    let worker = spawnWorker();
    const before = (await outboxState()).done ?? 0;
    const first = burst(api.url, 60, 8);
    await waitUntil('dispatching', async () => ((await outboxState()).done ?? 0) >= before + 3, 90_000);
    await temporalServer.kill();
    allAnswered.push(...(await first).numbers);
    // Intake needs no Temporal: reports keep being accepted while it is down.
    const during = await burst(api.url, 20, 4);
    expect(during.failed).toBe(0);
    allAnswered.push(...during.numbers);
    expect((await outboxState()).pending ?? 0).toBeGreaterThan(0);
    await startTemporal();
    // A worker that gave up on a lost server is restarted, as `npm start` supervises it.
    if (worker.exitCode !== null || worker.signalCode !== null) worker = spawnWorker();
    await drained();
    await checkNothingLostNothingTwice(allAnswered);
  });
});
