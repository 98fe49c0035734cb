/**
 * Incident intake (issue 10): POST /incidents over HTTP against the compiled API and worker (with its outbox
 * dispatcher), each its own process, beside plain one-row INSERTs into the same PostgreSQL at the same concurrency.
 * The API commits the incident with its outbox entry and answers 201; the dispatcher then starts the workflows. So
 * the bench prints, per topology: the 201s (rate, p50/p99), the drain (every workflow started: time after the last
 * 201, and starts per second), and the CPU each process spent per incident up to the moment every workflow had done
 * its first task (API+worker / Temporal / PostgreSQL), with PostgreSQL transactions and history events per incident.
 *
 *   npm run bench:incidents                         # 500 reports, 32 clients, on both topologies
 *   BENCH_MODE=burst npm run bench:incidents        # 3,000 reports in 30 s, then silence; checks every one
 *
 * Knobs: BENCH_TOPOLOGY (dev | postgres | both; default both), BENCH_N (default 500), BENCH_C (clients, default 32),
 * BENCH_WARMUP (default 20), BENCH_BURST_N (3000), BENCH_BURST_SECONDS (30), BENCH_DRAIN_TIMEOUT_S (600).
 * DATABASE_URL and TEMPORAL_ADDRESS point at servers of your own instead of the embedded ones.
 * Any failed request, lost or twice-started incident, or wrong deadline exits 1. Figures taken on a busy machine are
 * skewed: take the ones you publish on a quiet machine.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { WorkingCalendar } from '../src/domain/calendar';
import { IncidentView } from '../src/domain/incident-process';
import { CONTRACT_POLICY, Priority, incidentTargets } from '../src/domain/sla-policy';
import { buildCalendarSpec } from '../src/infra/china-calendar';
import { temporal as proto } from '@temporalio/proto';
import { incidentViewQuery } from '../src/shared/incident-messages';
import { BenchPlatform, CpuSeconds, Topology, cpuDelta, machineLines, startBenchPlatform } from './platform';
import { Cleanup, intEnv, percentile, printTable, runBench } from './support';

const MODE = process.env.BENCH_MODE === 'burst' ? 'burst' : 'steady';
const TOPOLOGIES: Topology[] = (() => {
  const t = process.env.BENCH_TOPOLOGY ?? 'both';
  if (t === 'both') return ['dev', 'postgres'];
  if (t === 'dev' || t === 'postgres') return [t];
  throw new Error('BENCH_TOPOLOGY must be dev, postgres or both');
})();
const N = intEnv('BENCH_N', 500, 1);
const C = intEnv('BENCH_C', 32, 1);
const WARMUP = intEnv('BENCH_WARMUP', 20, 0);
const BURST_N = intEnv('BENCH_BURST_N', 3000, 1);
const BURST_SECONDS = intEnv('BENCH_BURST_SECONDS', 30, 1);
const DRAIN_TIMEOUT_MS = intEnv('BENCH_DRAIN_TIMEOUT_S', 600, 1) * 1000;
const PRIORITIES: Priority[] = ['P1', 'P2', 'P3', 'P4'];

const failures: string[] = [];
const fail = (m: string) => {
  if (failures.length < 20) failures.push(m);
};

function report(i: number, tag: string) {
  return {
    systemId: `SYS-${String((i % 37) + 1).padStart(2, '0')}`,
    title: `基准测试 ${tag} #${i}: PACS 影像无法调阅`,
    description: '放射科工作站打不开影像 (benchmark)',
    reporter: { name: '李护士长', department: '放射科' },
    priority: PRIORITIES[i % 4],
    channel: 'api',
  };
}

async function post(p: BenchPlatform, i: number, tag: string): Promise<string | null> {
  const res = await fetch(`${p.apiUrl}/incidents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${p.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(report(i, tag)),
  });
  const text = await res.text();
  if (res.status !== 201) {
    fail(`POST /incidents ${tag} #${i}: ${res.status} ${text.slice(0, 200)}`);
    return null;
  }
  return JSON.parse(text).number as string;
}

interface Run {
  seconds: number;
  latenciesMs: number[];
  failed: number;
  lastAnswerAt: number;
  numbers: string[];
}

/** `count` operations by `concurrency` clients (closed loop), each timed. */
async function drive(count: number, concurrency: number, op: (i: number) => Promise<string | boolean | null>): Promise<Run> {
  const run: Run = { seconds: 0, latenciesMs: [], failed: 0, lastAnswerAt: 0, numbers: [] };
  let next = 0;
  const start = performance.now();
  const client = async () => {
    for (let i = next++; i < count; i = next++) {
      const t0 = performance.now();
      let out: string | boolean | null = null;
      try {
        out = await op(i);
      } catch (err) {
        fail(`request ${i} threw: ${String(err)}`);
      }
      run.latenciesMs.push(performance.now() - t0);
      run.lastAnswerAt = Date.now();
      if (!out) run.failed++;
      else if (typeof out === 'string') run.numbers.push(out);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, client));
  run.seconds = (performance.now() - start) / 1000;
  return run;
}

async function pendingStarts(p: BenchPlatform): Promise<number> {
  const [r] = await p.ds.query(`SELECT count(*)::int AS n FROM workflow_outbox WHERE state = 'pending'`);
  return r.n;
}

/** Waits until the outbox is empty; returns when that happened. */
async function drained(p: BenchPlatform): Promise<number> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    if ((await pendingStarts(p)) === 0) return Date.now();
    if (Date.now() > deadline) throw new Error(`the outbox did not drain within ${DRAIN_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until every incident's workflow has done its first task (its opening notification is recorded). */
async function settled(p: BenchPlatform, expected: number): Promise<number> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    const [r] = await p.ds.query(`SELECT count(DISTINCT incident_id)::int AS n FROM notification_deliveries WHERE event = 'incident_opened'`);
    if (r.n >= expected) return Date.now();
    if (Date.now() > deadline) throw new Error(`only ${r.n} of ${expected} workflows did their first task within ${DRAIN_TIMEOUT_MS / 1000} s`);
    await new Promise((r2) => setTimeout(r2, 200));
  }
}

/** Events, workflow tasks, activities and local activities of a sample of histories, on average. */
async function historyProfile(p: BenchPlatform, sample: number): Promise<string> {
  const ids: { workflow_id: string }[] = await p.ds.query(`SELECT workflow_id FROM incidents ORDER BY random() LIMIT $1`, [sample]);
  const E = proto.api.enums.v1.EventType;
  let events = 0;
  let tasks = 0;
  let activities = 0;
  let locals = 0;
  for (const { workflow_id } of ids) {
    const h = await p.temporal.workflow.getHandle(workflow_id).fetchHistory();
    for (const e of h.events ?? []) {
      events++;
      if (e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) tasks++;
      if (e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) activities++;
      if (e.eventType === E.EVENT_TYPE_MARKER_RECORDED && e.markerRecordedEventAttributes?.markerName === 'core_local_activity') locals++;
    }
  }
  const n = Math.max(1, ids.length);
  const f = (x: number) => (x / n).toFixed(1);
  return `per incident so far (mean of ${ids.length} histories): ${f(events)} history events, ${f(tasks)} workflow tasks, ${f(activities)} activities, ${f(locals)} local activities`;
}

const ms = (s: number | null) => (s === null ? 'n/a' : (s * 1000).toFixed(1));

function cpuRows(label: string, cpu: CpuSeconds, count: number): string[] {
  const per = (s: number | null) => (s === null ? 'n/a' : ((s / count) * 1000).toFixed(1));
  const total = cpu.app + (cpu.temporal ?? 0) + (cpu.postgres ?? 0);
  return [label, per(cpu.app), per(cpu.temporal), per(cpu.postgres), ((total / count) * 1000).toFixed(1) + (cpu.temporal === null || cpu.postgres === null ? ' (partial)' : '')];
}

async function baseline(p: BenchPlatform): Promise<Run> {
  await p.ds.query(`CREATE TABLE bench_rows (id uuid primary key, payload jsonb, created_at timestamptz default now())`);
  const pool = new Pool({ connectionString: p.dbUrl, max: C });
  try {
    await drive(WARMUP, C, async (i) => (await pool.query('INSERT INTO bench_rows (id, payload) VALUES ($1, $2)', [randomUUID(), JSON.stringify(report(i, 'warm-up'))])).rowCount === 1);
    return await drive(N, C, async (i) => (await pool.query('INSERT INTO bench_rows (id, payload) VALUES ($1, $2)', [randomUUID(), JSON.stringify(report(i, 'run'))])).rowCount === 1);
  } finally {
    await pool.end();
  }
}

function latencyRow(label: string, r: Run): string[] {
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  return [
    label,
    String(r.latenciesMs.length),
    r.seconds.toFixed(2),
    (r.latenciesMs.length / r.seconds).toFixed(1),
    percentile(sorted, 50).toFixed(1),
    percentile(sorted, 99).toFixed(1),
    sorted[sorted.length - 1].toFixed(1),
    String(r.failed),
  ];
}

async function steady(p: BenchPlatform): Promise<string[][]> {
  const warm = await drive(WARMUP, C, (i) => post(p, i, 'warm-up'));
  await drained(p);
  await settled(p, warm.numbers.length);
  const cpu0 = p.cpu();
  const tx0 = await p.transactions();
  const t0 = Date.now();
  const api = await drive(N, C, (i) => post(p, i, 'run'));
  const pendingAtLast = await pendingStarts(p);
  const tDrained = await drained(p);
  await settled(p, warm.numbers.length + api.numbers.length);
  const cpu = cpuDelta(cpu0, p.cpu());
  const tx = (await p.transactions()) - tx0;
  const profile = await historyProfile(p, 20);
  const sql = await baseline(p);

  const drainAfter = (tDrained - api.lastAnswerAt) / 1000;
  const [{ count }] = await p.ds.query(`SELECT count(*)::int AS count FROM incidents`);
  if (count !== warm.numbers.length + api.numbers.length) fail(`${count} incidents rows, expected ${warm.numbers.length + api.numbers.length}`);
  if (api.failed + warm.failed + sql.failed > 0) fail(`${api.failed + warm.failed} API and ${sql.failed} baseline requests failed`);
  if (drainAfter > 60) fail(`the last workflow started ${drainAfter.toFixed(1)} s after the last 201 (target: within 60 s)`);

  console.log('');
  console.log(`[${p.topology}] ${N} reports by ${C} clients (${WARMUP} warm-up, not counted):`);
  printTable([
    ['', 'count', 'seconds', 'per second', 'p50 ms', 'p99 ms', 'max ms', 'failed'],
    latencyRow('API POST /incidents (201)', api),
    latencyRow('plain INSERT (pg Pool)', sql),
  ]);
  console.log(
    `drain: ${pendingAtLast} starts still waiting at the last 201; every workflow started ${drainAfter.toFixed(1)} s after it ` +
      `(${(N / ((tDrained - t0) / 1000)).toFixed(1)} starts/s over the run)`,
  );
  console.log(`CPU ms per incident, up to every workflow's first task done (${((Date.now() - t0) / 1000).toFixed(1)} s window):`);
  printTable([['', 'API+worker', 'Temporal', 'PostgreSQL', 'total'], cpuRows(p.topology, cpu, N)]);
  console.log(`  of which API ${((cpu.api / N) * 1000).toFixed(1)} ms, worker (with the dispatcher) ${((cpu.worker / N) * 1000).toFixed(1)} ms`);
  console.log(`PostgreSQL transactions per incident (whole server, incl. Temporal's): ${(tx / N).toFixed(1)}`);
  console.log(profile);
  return [
    [
      p.topology,
      (api.latenciesMs.length / api.seconds).toFixed(1),
      percentile([...api.latenciesMs].sort((a, b) => a - b), 99).toFixed(1),
      (sql.latenciesMs.length / sql.seconds).toFixed(1),
      drainAfter.toFixed(1),
      ...cpuRows('', cpu, N).slice(1),
    ],
  ];
}

/** 3,000 reports in 30 s (open loop), then silence; every one is checked afterwards. */
async function burst(p: BenchPlatform): Promise<string[][]> {
  const intervalMs = (BURST_SECONDS * 1000) / BURST_N;
  const numbers: string[] = [];
  const latencies: number[] = [];
  let failed = 0;
  let lastAnswerAt = 0;
  let maxLagMs = 0;
  const cpu0 = p.cpu();
  const t0 = performance.now();
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < BURST_N; i++) {
    const due = t0 + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    maxLagMs = Math.max(maxLagMs, performance.now() - due);
    while (inFlight.size >= 512) await Promise.race(inFlight);
    const s = performance.now();
    const req: Promise<void> = post(p, i, 'burst')
      .then(
        (n) => {
          if (n) numbers.push(n);
          else failed++;
        },
        (err) => {
          failed++;
          fail(`burst #${i}: ${String(err)}`);
        },
      )
      .finally(() => {
        latencies.push(performance.now() - s);
        lastAnswerAt = Date.now();
        inFlight.delete(req);
      });
    inFlight.add(req);
  }
  await Promise.all(inFlight);
  const acceptSeconds = (Date.now() - started) / 1000;
  const pendingAtLast = await pendingStarts(p);
  const tDrained = await drained(p);
  await settled(p, numbers.length);
  const cpu = cpuDelta(cpu0, p.cpu());
  const drainAfter = (tDrained - lastAnswerAt) / 1000;

  // None lost: every 201 has its row, and no row lacks its 201 (a 201 lost in flight would show as an extra row).
  const rows: { number: string; workflow_id: string; priority: Priority; system_id: string; reported_at: Date; respond_due: Date; on_site_due: Date; repair_due: Date }[] =
    await p.ds.query(`SELECT number, workflow_id, priority, system_id, reported_at, respond_due, on_site_due, repair_due FROM incidents`);
  const have = new Set(rows.map((r) => r.number));
  const lost = numbers.filter((n) => !have.has(n));
  if (failed > 0) fail(`${failed} of ${BURST_N} reports were not accepted`);
  if (lost.length > 0) fail(`${lost.length} answered incidents have no row (first: ${lost[0]})`);
  if (rows.length !== numbers.length) fail(`${rows.length} rows for ${numbers.length} answers`);

  // None started twice: each workflow id has exactly one run on this task queue.
  const runs = new Map<string, number>();
  for await (const w of p.temporal.workflow.list({ query: `TaskQueue = '${p.taskQueue}'` })) runs.set(w.workflowId, (runs.get(w.workflowId) ?? 0) + 1);
  const twice = [...runs.values()].filter((n) => n > 1).length;
  const missing = rows.filter((r) => !runs.has(r.workflow_id)).length;
  if (twice > 0) fail(`${twice} workflows have more than one run`);
  if (missing > 0) fail(`${missing} incidents have no workflow (visibility may lag; run again to be sure)`);

  // Deadlines right: every row against the domain's own computation, and a sample of workflows against their rows.
  const calendar = new WorkingCalendar(buildCalendarSpec({ timeZone: 'Asia/Shanghai' }));
  let wrong = 0;
  for (const r of rows) {
    const t = incidentTargets(CONTRACT_POLICY, calendar, { reportedAt: r.reported_at.getTime(), systemId: r.system_id, priority: r.priority });
    if (t.respond.deadline !== r.respond_due.getTime() || t.onSite.deadline !== r.on_site_due.getTime() || t.repair.deadline !== r.repair_due.getTime()) {
      wrong++;
      fail(`${r.number}: deadlines ${r.respond_due.toISOString()}/${r.on_site_due.toISOString()}/${r.repair_due.toISOString()} differ from the domain's`);
    }
  }
  const sample = rows.slice(0, 100);
  for (const r of sample) {
    const v: IncidentView = await p.temporal.workflow.getHandle(r.workflow_id).query(incidentViewQuery);
    if (v.clocks.respond.deadline !== r.respond_due.getTime() || v.clocks.on_site.deadline !== r.on_site_due.getTime() || v.clocks.repair.deadline !== r.repair_due.getTime()) {
      wrong++;
      fail(`${r.number}: the workflow's deadlines differ from the row's`);
    }
  }

  const sorted = [...latencies].sort((a, b) => a - b);
  console.log('');
  console.log(`[${p.topology}] burst: ${BURST_N} reports in ${BURST_SECONDS} s (open loop, one every ${intervalMs.toFixed(1)} ms; sender lag max ${maxLagMs.toFixed(0)} ms), then silence`);
  console.log(`  accepted ${numbers.length} in ${acceptSeconds.toFixed(1)} s; 201 p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`);
  console.log(`  drain: ${pendingAtLast} starts waiting at the last 201; every workflow started ${drainAfter.toFixed(1)} s after it`);
  console.log(`  lost: ${lost.length + failed}; started twice: ${twice}; without a workflow: ${missing}; wrong deadlines: ${wrong} (all ${rows.length} rows against the domain, ${sample.length} workflows against their rows)`);
  printTable([['CPU ms per incident', 'API+worker', 'Temporal', 'PostgreSQL', 'total'], cpuRows(p.topology, cpu, BURST_N)]);
  return [[p.topology, String(numbers.length), percentile(sorted, 99).toFixed(1), drainAfter.toFixed(1), String(lost.length + failed), String(twice), String(wrong)]];
}

async function benchmark(cleanups: Cleanup[]): Promise<boolean> {
  console.log(`Incident intake (${MODE}), issue 10. Topologies: ${TOPOLOGIES.join(', ')}.`);
  for (const line of machineLines()) console.log(`  ${line}`);
  console.log('  Figures on a machine shared with other work are skewed: publish the ones taken on a quiet machine.');
  const summary: string[][] = [];
  for (const topology of TOPOLOGIES) {
    // Each topology gets its own servers, torn down before the next one starts.
    const own: Cleanup[] = [];
    cleanups.push({ name: `tear down the ${topology} run`, run: () => runAll(own) });
    const p = await startBenchPlatform({ tag: 'incidents', topology, cleanups: own, api: true });
    console.log('');
    console.log(`[${p.topology}] settings:`);
    for (const d of p.describe) console.log(`  ${d}`);
    console.log(`  API: DataSource pool 10; worker: dispatcher concurrency 16, batch 256; task queue ${p.taskQueue}`);
    summary.push(...(MODE === 'burst' ? await burst(p) : await steady(p)));
    await runAll(own);
  }
  console.log('');
  console.log('Summary');
  printTable(
    MODE === 'burst'
      ? [['topology', 'accepted', '201 p99 ms', 'drain s', 'lost', 'twice', 'wrong deadlines'], ...summary]
      : [['topology', 'API /s', '201 p99 ms', 'INSERT /s', 'drain s', 'CPU ms: app', 'Temporal', 'PostgreSQL', 'total'], ...summary],
  );
  if (failures.length) {
    console.error('FAILED:');
    for (const f of failures) console.error(`  ${f}`);
  }
  return failures.length === 0;
}

async function runAll(cleanups: Cleanup[]): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      await c.run();
    } catch (err) {
      console.error(`cleanup "${c.name}" failed: ${String(err)}`);
    }
  }
}

void runBench(benchmark);
