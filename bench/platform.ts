import { Client as TemporalClient, Connection } from '@temporalio/client';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { startEmbeddedPostgres } from '../src/infra/embedded-postgres';
import { freePort } from '../src/infra/net';
import { startTemporalDevServer } from '../src/infra/temporal-dev-server';
import { TEMPORAL_SERVER_VERSION, startTemporalPgServer } from '../src/infra/temporal-pg-server';
import { openDatabase } from '../src/persistence/data-source';
import { issueToken } from '../src/persistence/users-store';
import { Cleanup, ROOT, withPgClient } from './support';

/**
 * What the intake and timer benches run on: PostgreSQL (embedded, or DATABASE_URL) with a fresh database, Temporal in
 * one of the two topologies (the CLI dev server, or the server on that PostgreSQL; TEMPORAL_ADDRESS overrides both),
 * and the compiled worker (with its dispatcher) and API as their own processes, so each process's CPU time can be read
 * from /proc and the load generator's own work is not counted.
 */

export type Topology = 'dev' | 'postgres';

export interface CpuSeconds {
  /** API + worker. */
  app: number;
  api: number;
  worker: number;
  temporal: number | null;
  postgres: number | null;
}

export interface BenchPlatform {
  topology: Topology | 'external';
  describe: string[];
  dbUrl: string;
  ds: DataSource;
  temporal: TemporalClient;
  taskQueue: string;
  apiUrl: string | null;
  token: string;
  worker: ChildProcess;
  /** CPU seconds so far of the app processes (API + worker), Temporal, and PostgreSQL (postmaster and backends). */
  cpu(): CpuSeconds;
  /** Transactions committed or rolled back so far on the whole PostgreSQL server. */
  transactions(): Promise<number>;
  rssBytes(pid: number | undefined): number | null;
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function statFields(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** utime + stime (+ reaped children's when `withReaped`) of one process, in seconds; null when it is gone. */
export function processCpuSeconds(pid: number, withReaped = false): number | null {
  const f = statFields(pid);
  if (!f) return null;
  // After "pid (comm) ", fields start at state (3): utime is field 14, stime 15, cutime 16, cstime 17.
  const ticks = Number(f[11]) + Number(f[12]) + (withReaped ? Number(f[13]) + Number(f[14]) : 0);
  return ticks / CLK_TCK;
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f && Number(f[1]) === pid) out.push(Number(name));
  }
  return out;
}

/**
 * PostgreSQL's CPU: the postmaster with every backend it reaped, plus the live ones. A backend that ends between two
 * readings moves from the live sum into the postmaster's reaped time, so differences stay right.
 */
export function postgresCpuSeconds(postmaster: number): number | null {
  const own = processCpuSeconds(postmaster, true);
  if (own === null) return null;
  return own + childrenOf(postmaster).reduce((sum, pid) => sum + (processCpuSeconds(pid) ?? 0), 0);
}

export function rssBytes(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export function machineLines(): string[] {
  const c = cpus();
  const gib = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GiB`;
  return [
    `machine: ${c.length} cores (${c[0]?.model ?? 'unknown'}), ${gib(totalmem())} memory (${gib(freemem())} free), load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at start`,
    `node ${process.version} (${process.platform}-${process.arch}); Temporal TypeScript SDK ${sdkVersion()}`,
  ];
}

function sdkVersion(): string {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', '@temporalio', 'worker', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

function spawnNode(file: string, env: Record<string, string>, name: string, cleanups: Cleanup[]): { child: ChildProcess; log: string[] } {
  const log: string[] = [];
  // BENCH_NODE_ARGS (say "--cpu-prof --cpu-prof-dir=/tmp/prof") go to the API and worker processes, for profiles.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d) => log.push(String(d)));
  child.stderr?.on('data', (d) => log.push(String(d)));
  cleanups.push({
    name: `stop the ${name} process`,
    run: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  });
  return { child, log };
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number, log?: string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${log ? `:\n${log.join('').slice(-2000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function startBenchPlatform(options: {
  tag: string;
  topology: Topology;
  cleanups: Cleanup[];
  api: boolean;
  workerEnv?: Record<string, string>;
}): Promise<BenchPlatform> {
  const { cleanups } = options;
  const describe: string[] = [];

  // PostgreSQL: the server (its postmaster's pid, when it runs here), then a fresh database.
  let serverUrl = process.env.DATABASE_URL || '';
  let postmaster: number | null = null;
  if (!serverUrl) {
    const dataDir = join(ROOT, '.data', 'bench', `pg-${options.tag}-${process.pid}`);
    const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'postgres', persistent: false });
    cleanups.push({ name: 'stop embedded PostgreSQL', run: () => pg.stop() });
    serverUrl = pg.url;
    postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } else {
    postmaster = await withPgClient(serverUrl, async (c) => {
      try {
        const dir = (await c.query(`SELECT setting FROM pg_settings WHERE name = 'data_directory'`)).rows[0].setting;
        return Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      } catch {
        return null; // not on this machine, or not readable: its CPU is not measured
      }
    });
  }
  const server = serverUrl;
  const dbName = `wardline_bench_${randomBytes(6).toString('hex')}`;
  await withPgClient(server, (c) => c.query(`CREATE DATABASE ${dbName}`));
  cleanups.push({ name: `drop database ${dbName}`, run: () => withPgClient(server, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)) });
  const u = new URL(server);
  u.pathname = `/${dbName}`;
  const dbUrl = u.toString();
  const pgSettings = await withPgClient(dbUrl, async (c) => {
    const s = async (name: string) => (await c.query(`SELECT current_setting($1) AS v`, [name])).rows[0].v as string;
    return `PostgreSQL ${await s('server_version')} (${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded'}): shared_buffers ${await s('shared_buffers')}, synchronous_commit ${await s('synchronous_commit')} (Wardline's database), max_connections ${await s('max_connections')}`;
  });
  describe.push(pgSettings);

  // Temporal.
  let temporalAddress = process.env.TEMPORAL_ADDRESS || '';
  let temporalPid: number | undefined;
  let topology: BenchPlatform['topology'] = options.topology;
  if (temporalAddress) {
    topology = 'external';
    describe.push(`Temporal: external (TEMPORAL_ADDRESS=${temporalAddress}); its CPU is not measured`);
  } else if (options.topology === 'dev') {
    const t = await startTemporalDevServer({ port: await freePort() });
    cleanups.push({ name: 'stop the Temporal dev server', run: () => t.stop() });
    temporalAddress = t.address;
    temporalPid = t.pid;
    describe.push(`Temporal: CLI dev server v1.5.1 (server ${TEMPORAL_SERVER_VERSION}, SQLite in memory), ${t.address}`);
  } else {
    const prefix = `b${process.pid}_`;
    const t = await startTemporalPgServer({ postgresUrl: server, port: await freePort(), dataDir: join(ROOT, '.data', 'bench', `temporal-pg-${process.pid}`), databasePrefix: prefix });
    cleanups.push({
      name: 'drop Temporal databases',
      run: () => withPgClient(server, async (c) => {
        for (const db of Object.values(t.databases)) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      }),
    });
    cleanups.push({ name: 'stop the Temporal server', run: () => t.stop() });
    temporalAddress = t.address;
    temporalPid = t.pid;
    describe.push(...t.settings.map((s) => `Temporal: ${s}`));
  }

  const ds = await openDatabase(dbUrl, { migrate: true, poolSize: 10 });
  cleanups.push({ name: 'close the DataSource', run: async () => ds.isInitialized && ds.destroy() });
  const connection = await Connection.connect({ address: temporalAddress });
  cleanups.push({ name: 'close the Temporal connection', run: () => connection.close() });
  const temporal = new TemporalClient({ connection, namespace: 'default' });
  const taskQueue = `bench-${options.tag}-${randomUUID().slice(0, 8)}`;

  const [user] = await ds.query(`INSERT INTO users (username, display_name, roles) VALUES ($1, '基准调度', ARRAY['dispatcher']) RETURNING id`, [`bench-${randomUUID().slice(0, 8)}`]);
  const { token } = await issueToken(ds, user.id, 'bench');

  const env = { DATABASE_URL: dbUrl, TEMPORAL_ADDRESS: temporalAddress, WARDLINE_TASK_QUEUE: taskQueue, ...options.workerEnv };
  const worker = spawnNode(join(ROOT, 'dist', 'src', 'worker.js'), env, 'worker', cleanups);
  await waitUntil('the worker and its dispatcher', async () => {
    if (worker.child.exitCode !== null) throw new Error(`the worker exited:\n${worker.log.join('')}`);
    return worker.log.join('').includes('outbox dispatcher: dispatching');
  }, 180_000, worker.log);

  let apiUrl: string | null = null;
  let apiPid: number | undefined;
  if (options.api) {
    const port = await freePort();
    const api = spawnNode(join(ROOT, 'dist', 'src', 'api', 'main.js'), { ...env, PORT: String(port), WARDLINE_LISTEN_HOST: '127.0.0.1' }, 'API', cleanups);
    apiUrl = `http://127.0.0.1:${port}`;
    apiPid = api.child.pid;
    await waitUntil('the API', async () => {
      if (api.child.exitCode !== null) throw new Error(`the API exited:\n${api.log.join('')}`);
      return fetch(`${apiUrl}/health/live`).then((r) => r.ok, () => false);
    }, 120_000, api.log);
  }
  const appPids = [worker.child.pid!, ...(apiPid ? [apiPid] : [])];
  describe.push(`processes: ${options.api ? 'API and ' : ''}worker (with the outbox dispatcher) compiled, each its own process; the load generator is this process`);

  return {
    topology,
    describe,
    dbUrl,
    ds,
    temporal,
    taskQueue,
    apiUrl,
    token,
    worker: worker.child,
    cpu: () => ({
      app: appPids.reduce((sum, pid) => sum + (processCpuSeconds(pid) ?? 0), 0),
      api: apiPid ? (processCpuSeconds(apiPid) ?? 0) : 0,
      worker: processCpuSeconds(worker.child.pid!) ?? 0,
      temporal: temporalPid ? processCpuSeconds(temporalPid) : null,
      postgres: postmaster ? postgresCpuSeconds(postmaster) : null,
    }),
    transactions: async () =>
      withPgClient(server, async (c) => Number((await c.query(`SELECT sum(xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database`)).rows[0].n)),
    rssBytes,
  };
}

export function cpuDelta(a: CpuSeconds, b: CpuSeconds): CpuSeconds {
  return {
    app: b.app - a.app,
    api: b.api - a.api,
    worker: b.worker - a.worker,
    temporal: a.temporal === null || b.temporal === null ? null : b.temporal - a.temporal,
    postgres: a.postgres === null || b.postgres === null ? null : b.postgres - a.postgres,
  };
}
