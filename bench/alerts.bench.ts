/**
 * Alert intake throughput (P3, issue 11): Alertmanager-shaped webhooks (version 4, A alerts per message, as
 * Alertmanager batches a group's alerts) posted at rising rates to POST /alerts/alertmanager of the real API, with
 * G distinct alert groups per rate step. Each group's first message opens its incident (the incident row and the
 * outbox entry commit with the alerts; the outbox dispatcher starts the workflow); every later one is a repeat that
 * the group's rows absorb, so Temporal is called once per group, never once per alert.
 * Printed per step, beside plain INSERTs of the same payloads into the same PostgreSQL at the same rate:
 *   alerts accepted per second, p50/p99 of the webhook's answer, p50/p99 from a group's first webhook to its incident
 *   workflow existing (the workflow's start time in Temporal), and the incidents opened (must equal G: dedup exact);
 *   and per message the CPU this process and PostgreSQL spent and PostgreSQL's transactions, which a shared machine's
 *   other load skews far less than rates and latencies.
 * Infrastructure: DATABASE_URL or an embedded PostgreSQL; TEMPORAL_ADDRESS or an in-memory Temporal dev server; the
 * API and the worker (with the outbox dispatcher) in this process. Fresh database and task queue; removed at the end.
 * Run: npm run bench:alerts. Knobs: BENCH_RATES (alerts/s, default 100,250,500,1000), BENCH_SECONDS (per step, 10),
 * BENCH_GROUPS (G, 50), BENCH_ALERTS_PER_MESSAGE (A, 5), BENCH_MAX_IN_FLIGHT (256), BENCH_DRAIN_SECONDS (60).
 * Figures on a shared machine are skewed by its other load: take final ones on a quiet machine.
 */
import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../src/api/app.module';
import { loadConfig } from '../src/config';
import { freePort } from '../src/infra/net';
import { startTemporalDevServer } from '../src/infra/temporal-dev-server';
import { openDatabase } from '../src/persistence/data-source';
import { issueToken } from '../src/persistence/users-store';
import { WorkerHandle, createWardlineWorker } from '../src/worker';
import { Cleanup, benchDatabase, intEnv, percentile, printTable, runBench, withPgClient } from './support';
import { postgresCpuSeconds } from './platform';
import { readFileSync } from 'node:fs';

const RATES = (process.env.BENCH_RATES || '100,250,500,1000').split(',').map((r) => {
  const n = Number(r);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`BENCH_RATES must be positive numbers (got ${r})`);
  return n;
});
const SECONDS = intEnv('BENCH_SECONDS', 10, 1);
const G = intEnv('BENCH_GROUPS', 50, 1);
const A = intEnv('BENCH_ALERTS_PER_MESSAGE', 5, 1);
const MAX_IN_FLIGHT = intEnv('BENCH_MAX_IN_FLIGHT', 256, 1);
const DRAIN_SECONDS = intEnv('BENCH_DRAIN_SECONDS', 60, 1);

/** One Alertmanager notification of group `g` of step `step`: A alerts, all firing, the same every time. */
function payload(step: number, g: number) {
  const groupKey = `{}/{}:{alertname="BenchDiskFull", step="${step}", group="${g}"}`;
  const startsAt = new Date(Date.UTC(2026, 10, 30, 2, 0, 0)).toISOString();
  return {
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'wardline',
    groupLabels: { alertname: 'BenchDiskFull' },
    commonLabels: { alertname: 'BenchDiskFull', severity: 'high', job: 'node' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.hospital.local:9093',
    alerts: Array.from({ length: A }, (_, k) => ({
      status: 'firing',
      labels: { alertname: 'BenchDiskFull', severity: 'high', job: 'node', instance: `10.99.${step}.${g % 250}:9100`, mountpoint: `/data${k}`, wardline_ci: 'SYS-11' },
      annotations: { summary: `磁盘空间不足 / filesystem almost full: bench ${step}/${g}/${k}` },
      startsAt,
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.hospital.local:9090/graph',
      fingerprint: `bench-${step}-${g}-${k}`,
    })),
  };
}

interface StepResult {
  rate: number;
  messages: number;
  alerts: number;
  seconds: number;
  latenciesMs: number[];
  failures: number;
  firstSentAt: Map<number, number>;
}

const failureSamples: string[] = [];
const noteFailure = (m: string) => void (failureSamples.length < 5 && failureSamples.push(m));

/** Open loop: a message every 1/(rate/A) s for `SECONDS`, whatever the answers do (at most MAX_IN_FLIGHT waiting). */
async function runStep(rate: number, send: (g: number) => Promise<boolean>): Promise<StepResult> {
  const messages = Math.max(G, Math.round((rate * SECONDS) / A));
  const intervalMs = (A / rate) * 1000;
  const latenciesMs: number[] = [];
  const firstSentAt = new Map<number, number>();
  let failures = 0;
  let inFlight = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < messages; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    while (inFlight >= MAX_IN_FLIGHT) await new Promise((r) => setTimeout(r, 1));
    const g = i % G;
    if (!firstSentAt.has(g)) firstSentAt.set(g, Date.now());
    inFlight++;
    const t0 = performance.now();
    pending.push(
      send(g)
        .catch((err) => {
          noteFailure(String(err));
          return false;
        })
        .then((ok) => {
          latenciesMs.push(performance.now() - t0);
          if (!ok) failures++;
          inFlight--;
        }),
    );
  }
  await Promise.all(pending);
  return { rate, messages, alerts: messages * A, seconds: (performance.now() - start) / 1000, latenciesMs, failures, firstSentAt };
}

const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
};

async function benchmark(cleanups: Cleanup[]): Promise<boolean> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  let ok = true;
  const { pgKind, dbName, dbUrl } = await benchDatabase(cleanups, 'alerts');
  const pgVersion = await withPgClient(dbUrl, async (c) => (await c.query('SHOW server_version')).rows[0].server_version as string);
  let temporalAddress = process.env.TEMPORAL_ADDRESS || undefined;
  let temporalKind = `external (TEMPORAL_ADDRESS=${temporalAddress})`;
  if (!temporalAddress) {
    const t = await startTemporalDevServer({ port: await freePort() });
    cleanups.push({ name: 'stop Temporal dev server', run: () => t.stop() });
    temporalAddress = t.address;
    temporalKind = `Temporal CLI dev server, in memory (${t.address})`;
  }
  const ds: DataSource = await openDatabase(dbUrl, { migrate: true, poolSize: 20 });
  cleanups.push({ name: 'close the DataSource', run: async () => ds.isInitialized && ds.destroy() });
  // CPU per alert, which the machine's other load skews far less than rates and latencies: this process (API, worker,
  // dispatcher and the load generator) and PostgreSQL (its postmaster, found as a backend's parent, when it is local).
  const [{ pid: backendPid }] = await ds.query(`SELECT pg_backend_pid() AS pid`);
  let postmaster: number | null = null;
  try {
    const stat = readFileSync(`/proc/${backendPid}/stat`, 'utf8');
    postmaster = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) || null;
  } catch {
    postmaster = null;
  }
  const xacts = async () => Number((await ds.query(`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`))[0].n);
  const meter = async () => ({ node: process.cpuUsage(), pg: postmaster ? postgresCpuSeconds(postmaster) : null, xacts: await xacts() });
  const used = (a: Awaited<ReturnType<typeof meter>>, b: Awaited<ReturnType<typeof meter>>, alerts: number) => ({
    nodeMs: ((b.node.user + b.node.system - a.node.user - a.node.system) / 1000 / alerts) * A,
    pgMs: a.pg === null || b.pg === null ? NaN : ((b.pg - a.pg) * 1000 * A) / alerts,
    xacts: ((b.xacts - a.xacts) * A) / alerts,
  });
  const base = loadConfig({});
  const config = { ...base, databaseUrl: dbUrl, temporalAddress, temporalNamespace: process.env.TEMPORAL_NAMESPACE || 'default', taskQueue: `bench-alerts-${randomUUID()}`, port: 0 };

  const connection = await Connection.connect({ address: temporalAddress });
  cleanups.push({ name: 'close the Temporal client connection', run: () => connection.close() });
  const temporal = new TemporalClient({ connection, namespace: config.temporalNamespace });
  const app: INestApplication = await createApp({ config, dataSource: ds, temporal }, { logger: false });
  await app.listen(0, '127.0.0.1');
  cleanups.push({ name: 'close the API', run: () => app.close() });
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  cleanups.push({ name: 'terminate the bench workflows', run: () => terminateOurWorkflows(ds, temporal, config.taskQueue) });
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

  const [user] = await ds.query(`INSERT INTO users (username, display_name, roles) VALUES ($1, 'Alertmanager', '{integration}') RETURNING id`, [`bench-am-${randomUUID().slice(0, 8)}`]);
  const { token } = await issueToken(ds, user.id, 'bench');
  const bodies = new Map<string, string>();
  const bodyOf = (step: number, g: number) => {
    const key = `${step}/${g}`;
    if (!bodies.has(key)) bodies.set(key, JSON.stringify(payload(step, g)));
    return bodies.get(key)!;
  };
  const post = async (step: number, g: number) => {
    const res = await fetch(`${baseUrl}/alerts/alertmanager`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: bodyOf(step, g) });
    const text = await res.text();
    if (res.status !== 200) noteFailure(`${res.status} ${text.slice(0, 300)}`);
    return res.status === 200;
  };
  await ds.query(`CREATE TABLE bench_alert_payloads (id bigserial PRIMARY KEY, payload jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`);
  const pool = new Pool({ connectionString: dbUrl, max: 20 });
  cleanups.push({ name: 'end the baseline pool', run: () => pool.end() });
  const insert = async (step: number, g: number) => (await pool.query('INSERT INTO bench_alert_payloads (payload) VALUES ($1)', [bodyOf(step, g)])).rowCount === 1;

  // Warm-up (not counted): a step of its own, so the JIT, the pools and the caches are warm.
  await runStep(Math.min(100, RATES[0]), (g) => post(0, g));
  await runStep(Math.min(100, RATES[0]), (g) => insert(0, g));

  const rows: string[][] = [
    ['step', 'alerts/s target', 'alerts', 'accepted/s', 'answer p50 ms', 'answer p99 ms', '→workflow p50 ms', '→workflow p99 ms', 'drain s', 'incidents', 'failures', 'CPU ms/msg: node', 'PostgreSQL', 'PG xacts/msg'],
  ];
  const notes: string[] = [];
  for (const [index, rate] of RATES.entries()) {
    const step = index + 1;
    const m0 = await meter();
    const api = await runStep(rate, (g) => post(step, g));
    // Every group's workflow exists (started by the dispatcher from the outbox), or the drain window ends.
    const drainStart = Date.now();
    let started: { g: number; startMs: number }[] = [];
    let incidents = 0;
    while (Date.now() - drainStart < DRAIN_SECONDS * 1000) {
      const groups: { group_key: string; incident_id: string | null; workflow_id: string | null }[] = await ds.query(
        `SELECT g.group_key, g.incident_id, i.workflow_id FROM alert_groups g LEFT JOIN incidents i ON i.id = g.incident_id WHERE g.group_key LIKE $1`,
        [`alertmanager:%step="${step}"%`],
      );
      incidents = new Set(groups.map((r) => r.incident_id).filter(Boolean)).size;
      started = [];
      for (const r of groups) {
        if (!r.workflow_id) continue;
        const g = Number(/group="(\d+)"/.exec(r.group_key)![1]);
        try {
          const d = await temporal.workflow.getHandle(r.workflow_id).describe();
          started.push({ g, startMs: d.startTime.getTime() });
        } catch {
          /* not started yet */
        }
      }
      if (started.length >= G) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const drainSeconds = (Date.now() - drainStart) / 1000;
    const apiCpu = used(m0, await meter(), api.alerts);
    const toWorkflow = started.map((s) => s.startMs - api.firstSentAt.get(s.g)!);
    const lat = stats(api.latenciesMs);
    const wf = stats(toWorkflow);
    const s0 = await meter();
    const sql = await runStep(rate, (g) => insert(step, g));
    const sqlCpu = used(s0, await meter(), sql.alerts);
    const sqlLat = stats(sql.latenciesMs);
    rows.push([`${step} Wardline`, String(rate), String(api.alerts), fmt(api.alerts / api.seconds), fmt(lat.p50, 2), fmt(lat.p99, 2), fmt(wf.p50, 0), fmt(wf.p99, 0), fmt(drainSeconds), `${incidents}/${G}`, String(api.failures), fmt(apiCpu.nodeMs, 2), fmt(apiCpu.pgMs, 2), fmt(apiCpu.xacts, 2)]);
    rows.push([`${step} plain INSERT`, String(rate), String(sql.alerts), fmt(sql.alerts / sql.seconds), fmt(sqlLat.p50, 2), fmt(sqlLat.p99, 2), '', '', '', '', String(sql.failures), fmt(sqlCpu.nodeMs, 2), fmt(sqlCpu.pgMs, 2), fmt(sqlCpu.xacts, 2)]);
    if (incidents !== G) {
      ok = false;
      notes.push(`step ${step}: ${incidents} incidents for ${G} groups (dedup must be exact)`);
    }
    if (started.length !== G) {
      ok = false;
      notes.push(`step ${step}: ${started.length} of ${G} workflows started within ${DRAIN_SECONDS} s`);
    }
    if (api.failures + sql.failures > 0) {
      ok = false;
      notes.push(`step ${step}: ${api.failures} webhook and ${sql.failures} insert failures`);
    }
  }
  const [{ count: alertRows }] = await ds.query(`SELECT count(*)::int AS count FROM alerts`);
  const [{ receipts }] = await ds.query(`SELECT coalesce(sum(receipts), 0)::int AS receipts FROM alerts`);

  console.log(`Alert intake: Alertmanager webhooks, ${A} alerts per message, ${G} groups per step, ${SECONDS} s per step, open loop (at most ${MAX_IN_FLIGHT} in flight)`);
  console.log(`  machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}`);
  console.log(`  PostgreSQL ${pgVersion}: ${pgKind}; database ${dbName}; API+worker pool 20, baseline pool 20`);
  console.log(`  Temporal: ${temporalKind}; task queue ${config.taskQueue}; API, worker and outbox dispatcher in this process`);
  printTable(rows);
  console.log(`alert rows: ${alertRows} (distinct alerts), receipts recorded: ${receipts}`);
  console.log('targets (issue 11): ≥ 500 alerts/s sustained, p99 webhook→workflow ≤ 1 s, incidents = G; on a shared machine the figures are skewed');
  for (const n of notes) console.error(`FAILED: ${n}`);
  for (const f of failureSamples) console.error(`  ${f}`);
  return ok;
}

async function terminateOurWorkflows(ds: DataSource, temporal: TemporalClient, taskQueue: string): Promise<void> {
  if (!ds.isInitialized) return;
  const ids: string[] = (await ds.query(`SELECT workflow_id FROM incidents`)).map((r: { workflow_id: string }) => r.workflow_id);
  for (const id of ids) {
    try {
      const d = await temporal.workflow.getHandle(id).describe();
      if (d.taskQueue === taskQueue && d.status.name === 'RUNNING') await temporal.workflow.getHandle(id, d.runId).terminate('wardline alerts bench: cleanup');
    } catch {
      /* never started */
    }
  }
}

void runBench(benchmark);
