/**
 * Incident intake throughput: POST /incidents over HTTP against the real API and the real worker (in this
 * process), each request starting a workflow and answering 201 once the opening is projected to PostgreSQL,
 * beside plain one-row INSERTs into the same PostgreSQL at the same concurrency.
 * Infrastructure: DATABASE_URL or an embedded PostgreSQL; TEMPORAL_ADDRESS or an in-memory Temporal dev server.
 * Every run uses a fresh database and task queue and removes them at the end. Any non-201 answer, or an
 * incidents row count that is not what was opened, exits 1. Run: npm run bench:incidents
 * Knobs: BENCH_N (requests per side, default 300), BENCH_C (concurrent clients, default 10),
 * BENCH_WARMUP (uncounted warm-up requests per side, default 20).
 */
import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../src/api/app.module';
import { loadConfig } from '../src/config';
import { freePort } from '../src/infra/net';
import { startTemporalDevServer } from '../src/infra/temporal-dev-server';
import { openDatabase } from '../src/persistence/data-source';
import { issueToken } from '../src/persistence/users-store';
import { WorkerHandle, createWardlineWorker } from '../src/worker';
import { Cleanup, benchDatabase, printTable, runBench, intEnv, percentile, withPgClient } from './support';

const N = intEnv('BENCH_N', 300, 1);
const C = intEnv('BENCH_C', 10, 1);
const WARMUP = intEnv('BENCH_WARMUP', 20, 0);

interface Run {
  seconds: number;
  latenciesMs: number[];
  failures: number;
}

/** `count` operations by `concurrency` clients taking the next index until none is left; each one timed. */
async function drive(count: number, concurrency: number, op: (i: number) => Promise<boolean>): Promise<Run> {
  const latenciesMs: number[] = [];
  let failures = 0;
  let next = 0;
  const start = process.hrtime.bigint();
  const client = async () => {
    for (let i = next++; i < count; i = next++) {
      const t0 = process.hrtime.bigint();
      let ok = false;
      try {
        ok = await op(i);
      } catch (err) {
        noteFailure(`request ${i} threw: ${String(err)}`);
      }
      latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (!ok) failures++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, client));
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, latenciesMs, failures };
}

const failureSamples: string[] = [];
function noteFailure(message: string): void {
  if (failureSamples.length < 5) failureSamples.push(message);
}

/** The same report for both sides: the API opens it as an incident, the baseline stores it as a row. */
function report(i: number, tag: string) {
  return {
    systemId: 'SYS-11',
    title: `基准测试 ${tag} #${i}: PACS 影像无法调阅`,
    description: '放射科工作站打不开影像 (benchmark)',
    reporter: { name: '李护士长', department: '放射科' },
    priority: 'P3',
    channel: 'api',
  };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function benchmark(cleanups: Cleanup[]): Promise<boolean> {
  const rssAtStart = process.memoryUsage().rss;
  // Worker state changes at INFO would drown the figures; installed before any native connection exists.
  Runtime.install({ logger: new DefaultLogger('WARN') });

  let exitCode = 0;
  {
    // PostgreSQL: the server, then a fresh database on it for this run.
    const { pgKind, dbName, dbUrl } = await benchDatabase(cleanups, 'incidents');
    const pgVersion = await withPgClient(dbUrl, async (c) => (await c.query('SHOW server_version')).rows[0].server_version as string);

    // Temporal.
    let temporalAddress = process.env.TEMPORAL_ADDRESS || undefined;
    let temporalKind = `external (TEMPORAL_ADDRESS=${temporalAddress})`;
    if (!temporalAddress) {
      const t = await startTemporalDevServer({ port: await freePort() });
      cleanups.push({ name: 'stop Temporal dev server', run: () => t.stop() });
      temporalAddress = t.address;
      temporalKind = `Temporal CLI dev server, in memory (${t.address})`;
    }

    const ds: DataSource = await openDatabase(dbUrl, { migrate: true, poolSize: 20 });
    // app.close() destroys this DataSource too (TypeOrmModule's shutdown hook); only destroy it if still open.
    cleanups.push({ name: 'close the DataSource', run: async () => ds.isInitialized && ds.destroy() });

    const config = {
      ...loadConfig({}),
      databaseUrl: dbUrl,
      temporalAddress,
      temporalNamespace: process.env.TEMPORAL_NAMESPACE || 'default',
      taskQueue: `bench-${randomUUID()}`,
      port: 0,
    };

    // The real API, in this process, on a loopback port.
    const connection = await Connection.connect({ address: temporalAddress });
    cleanups.push({ name: 'close the Temporal client connection', run: () => connection.close() });
    const temporal = new TemporalClient({ connection, namespace: config.temporalNamespace });
    const app: INestApplication = await createApp({ config, dataSource: ds, temporal });
    await app.listen(0, '127.0.0.1');
    cleanups.push({ name: 'close the API', run: () => app.close() });
    const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');

    // Workflows still open at the end (they wait on SLA timers) are terminated once the worker has stopped, and only
    // ours (our task queue), so a shared Temporal is left as it was found.
    cleanups.push({ name: 'terminate the bench workflows', run: () => terminateOurWorkflows(ds, temporal, config.taskQueue) });

    // The real worker, in this process (cleaned up before the API: app.close() also ends the shared DataSource).
    const workerStart = process.hrtime.bigint();
    const worker: WorkerHandle = await createWardlineWorker(config, { dataSource: ds });
    const running = worker.run();
    cleanups.push({
      name: 'shut the worker down',
      run: async () => {
        worker.worker.shutdown();
        await running;
        await worker.close();
      },
    });
    const workerSeconds = Number(process.hrtime.bigint() - workerStart) / 1e9;

    // A dispatcher with a token.
    const [user] = await ds.query(`INSERT INTO users (username, display_name, roles) VALUES ($1, $2, $3) RETURNING id`, [
      `bench-dispatcher-${randomUUID().slice(0, 8)}`,
      '基准调度',
      ['dispatcher'],
    ]);
    const { token } = await issueToken(ds, user.id, 'bench');

    const openIncident = async (i: number, tag: string): Promise<boolean> => {
      const res = await fetch(`${baseUrl}/incidents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(report(i, tag)),
      });
      const text = await res.text();
      if (res.status !== 201) noteFailure(`POST /incidents ${tag} #${i}: ${res.status} ${text.slice(0, 300)}`);
      return res.status === 201;
    };

    // Baseline: a scratch table and a pool of C connections, one INSERT per request.
    await ds.query(`CREATE TABLE bench_rows (id uuid primary key, payload jsonb, created_at timestamptz default now())`);
    const pool = new Pool({ connectionString: dbUrl, max: C });
    cleanups.push({ name: 'end the baseline pool', run: () => pool.end() });
    const insertRow = async (i: number, tag: string): Promise<boolean> => {
      const r = await pool.query('INSERT INTO bench_rows (id, payload) VALUES ($1, $2)', [randomUUID(), JSON.stringify(report(i, tag))]);
      return r.rowCount === 1;
    };

    // Warm-up, not counted: the JIT, the pools, the workflow cache, the first sticky queue polls.
    const warmApi = await drive(WARMUP, C, (i) => openIncident(i, 'warm-up'));
    const warmSql = await drive(WARMUP, C, (i) => insertRow(i, 'warm-up'));
    const rssBefore = process.memoryUsage().rss;

    const api = await drive(N, C, (i) => openIncident(i, 'run'));
    const sql = await drive(N, C, (i) => insertRow(i, 'run'));
    const rssAfter = process.memoryUsage().rss;

    // Every opened incident has its row: the 201 came after the workflow's projection.
    const [{ count }] = await ds.query(`SELECT count(*)::int AS count FROM incidents`);
    const [{ count: rows }] = await ds.query(`SELECT count(*)::int AS count FROM bench_rows`);
    const expectedIncidents = N + WARMUP - warmApi.failures - api.failures;
    const wantIncidents = N + WARMUP;

    // Report.
    const stat = (label: string, r: Run): string[] => {
      const sorted = [...r.latenciesMs].sort((a, b) => a - b);
      return [
        label,
        String(r.latenciesMs.length),
        String(C),
        r.seconds.toFixed(3),
        (r.latenciesMs.length / r.seconds).toFixed(1),
        percentile(sorted, 50).toFixed(2),
        percentile(sorted, 99).toFixed(2),
        sorted[sorted.length - 1].toFixed(2),
        String(r.failures),
      ];
    };
    const table = [
      ['', 'count', 'concurrency', 'seconds', 'per second', 'p50 ms', 'p99 ms', 'max ms', 'failures'],
      stat('API POST /incidents', api),
      stat('plain INSERT (pg Pool)', sql),
    ];
    const apiRate = api.latenciesMs.length / api.seconds;
    const sqlRate = sql.latenciesMs.length / sql.seconds;

    console.log(`Incident intake: N=${N} per side, ${C} concurrent clients, ${WARMUP} warm-up requests per side (not counted)`);
    console.log(`  node ${process.version} (${process.platform}-${process.arch})`);
    console.log(`  PostgreSQL ${pgVersion}: ${pgKind}; database ${dbName}; DataSource pool 20 (API + worker), baseline pool ${C}`);
    console.log(`  Temporal: ${temporalKind}; namespace ${config.temporalNamespace}; task queue ${config.taskQueue}`);
    console.log(`  API ${baseUrl} and worker in this process (worker created in ${workerSeconds.toFixed(1)} s, workflow bundle included)`);
    printTable(table);
    console.log(`rate ratio plain INSERT / API: ${(sqlRate / apiRate).toFixed(1)}x  (API / plain INSERT: ${((apiRate / sqlRate) * 100).toFixed(1)}%)`);
    console.log(`RSS of this process: ${mib(rssAtStart)} at start, ${mib(rssBefore)} before measuring, ${mib(rssAfter)} after (${rssAfter >= rssBefore ? '+' : ''}${mib(rssAfter - rssBefore)})`);
    console.log(`incidents rows: ${count} (expected ${wantIncidents} = ${N} + ${WARMUP} warm-up); bench_rows: ${rows} (expected ${N + WARMUP})`);

    const warmFailures = warmApi.failures + warmSql.failures;
    if (warmFailures + api.failures + sql.failures > 0) {
      console.error(`FAILED: ${warmFailures} warm-up and ${api.failures + sql.failures} measured requests did not succeed`);
      for (const f of failureSamples) console.error(`  ${f}`);
      exitCode = 1;
    }
    if (count !== wantIncidents) {
      console.error(`FAILED: ${count} incidents rows, expected ${wantIncidents}` + (count !== expectedIncidents ? ` (${expectedIncidents} after failures)` : ''));
      exitCode = 1;
    }
    if (rows !== N + WARMUP) {
      console.error(`FAILED: ${rows} bench_rows, expected ${N + WARMUP}`);
      exitCode = 1;
    }
  }
  return exitCode === 0;
}

async function terminateOurWorkflows(ds: DataSource, temporal: TemporalClient, taskQueue: string): Promise<void> {
  if (!ds.isInitialized) return;
  const ids: string[] = (await ds.query(`SELECT workflow_id FROM incidents`)).map((r: { workflow_id: string }) => r.workflow_id);
  let next = 0;
  const one = async () => {
    for (let i = next++; i < ids.length; i = next++) {
      const handle = temporal.workflow.getHandle(ids[i]);
      const d = await handle.describe();
      if (d.taskQueue !== taskQueue || d.status.name !== 'RUNNING') continue;
      await temporal.workflow.getHandle(ids[i], d.runId).terminate('wardline incidents bench: cleanup');
    }
  };
  await Promise.all(Array.from({ length: 10 }, one));
}

void runBench(benchmark);
