/**
 * SLA timers at scale (issue 10): N open incidents (default 10,000), each a workflow holding its clocks' timers,
 * with the repair budget shrunk to minutes and spread (by priority and by when each was opened), warnings at 50 % and
 * 90 % and the breach: 3 N timer firings. Checks that every warning and breach fires exactly once, and prints how
 * late each was recorded (recorded_at − due: p50/p99/max), beside plain Node timers set in this process for the same
 * due times (the machine's own noise), the worker's RSS (start / peak / end, sampled every second) and the CPU per
 * fired timer of the worker, Temporal and PostgreSQL.
 *
 * The run is repeated per workflow-cache size (BENCH_CACHES, default "N,N/10"): the small cache evicts, so a firing
 * timer finds its workflow gone and the worker replays its history first; the difference is the cost of eviction.
 *
 *   npm run bench:timers
 *   BENCH_N=1000 BENCH_BUDGET_S=120 npm run bench:timers      # a reduced run
 *
 * Knobs: BENCH_N, BENCH_BUDGET_S (the P3 repair budget; P1/P2/P4 ×0.7/0.85/1.15; default 240), BENCH_CACHES
 * (comma-separated cache sizes), BENCH_TOPOLOGY (dev | postgres; default dev), BENCH_OPEN_C (intake concurrency, 16).
 * Respond and on-site budgets are set to 10 h and the automatic vendor escalation beyond the repair deadline, so only
 * the repair clock fires during the run. A missing or repeated firing exits 1. Figures on a busy machine are skewed.
 */
import 'reflect-metadata';
import { CalendarSpec, WorkingCalendar } from '../src/domain/calendar';
import { CONTRACT_POLICY, Priority, SlaPolicy } from '../src/domain/sla-policy';
import { DAY_MS, formatDayNumber, isoWeekday } from '../src/domain/time';
import { IntakeCalendars, openIncident } from '../src/intake/incidents';
import { BenchPlatform, Topology, cpuDelta, machineLines, startBenchPlatform } from './platform';
import { Cleanup, intEnv, percentile, printTable, runBench } from './support';

const N = intEnv('BENCH_N', 10_000, 1);
const BUDGET_S = intEnv('BENCH_BUDGET_S', 240, 10);
const OPEN_C = intEnv('BENCH_OPEN_C', 16, 1);
const TOPOLOGY: Topology = process.env.BENCH_TOPOLOGY === 'postgres' ? 'postgres' : 'dev';
const CACHES = (process.env.BENCH_CACHES ?? `${N},${Math.max(100, Math.ceil(N / 10))}`).split(',').map((s) => {
  const n = Number(s.trim());
  if (!Number.isInteger(n) || n < 2) throw new Error('BENCH_CACHES must list cache sizes >= 2');
  return n;
});
const PRIORITIES: Priority[] = ['P1', 'P2', 'P3', 'P4'];
const FACTOR: Record<Priority, number> = { P1: 0.7, P2: 0.85, P3: 1, P4: 1.15 };
const WARNINGS = [0.5, 0.9];

/** Every minute working time, so the repair clock (working time) runs whatever day and hour the bench runs. */
function alwaysWorking(now: number): CalendarSpec {
  const today = Math.floor(now / DAY_MS);
  const weekends: string[] = [];
  for (let d = today - 3; d <= today + 10; d++) if (isoWeekday(d) >= 6) weekends.push(formatDayNumber(d));
  const year = new Date(now).getUTCFullYear();
  return { timeZone: 'Asia/Shanghai', utcOffsetMinutes: 480, workingHours: [{ start: '00:00', end: '24:00' }], holidays: [], workdays: weekends, coveredYears: [year - 1, year, year + 1] };
}

function benchPolicy(): SlaPolicy {
  const days = (seconds: number) => seconds / 86_400;
  return {
    ...CONTRACT_POLICY,
    version: 2,
    incident: {
      workingTime: { respondMinutes: 600, onSiteMinutes: 600 },
      offHours: { respondMinutes: 600, onSiteMinutes: 600 },
      repairWorkingDays: days(BUDGET_S * FACTOR.P4),
      dataRepairWorkingDays: days(BUDGET_S * FACTOR.P4),
    },
    overrides: PRIORITIES.map((priority) => ({ priority, repairWorkingDays: days(BUDGET_S * FACTOR[priority]) })),
    warningFractions: WARNINGS,
    escalation: { ...CONTRACT_POLICY.escalation!, repairShare: { P1: 2, P2: 2, P3: 2, P4: 2 } },
  } as SlaPolicy;
}

interface Result {
  cache: number;
  fired: number;
  missing: number;
  repeated: number;
  lateness: number[];
  nodeLateness: number[];
  rss: { start: number; peak: number; afterOpen: number; end: number };
  cpu: ReturnType<typeof cpuDelta>;
  openSeconds: number;
}

const mib = (b: number) => (b / 1024 / 1024).toFixed(0);

async function runOnce(cache: number, cleanups: Cleanup[]): Promise<Result> {
  const own: Cleanup[] = [];
  cleanups.push({ name: `tear down the run with cache ${cache}`, run: () => runAll(own) });
  const p: BenchPlatform = await startBenchPlatform({ tag: 'timers', topology: TOPOLOGY, cleanups: own, api: false, workerEnv: { WARDLINE_WORKFLOW_CACHE: String(cache) } });
  try {
    console.log('');
    console.log(`[cache ${cache}] settings:`);
    for (const d of p.describe) console.log(`  ${d}`);
    console.log(`  worker: maxCachedWorkflows ${cache}; task queue ${p.taskQueue}`);

    const workerPid = p.worker.pid;
    const rss = { start: p.rssBytes(workerPid) ?? 0, peak: 0, afterOpen: 0, end: 0 };
    rss.peak = rss.start;
    const sampler = setInterval(() => {
      const r = p.rssBytes(workerPid);
      if (r !== null) rss.peak = Math.max(rss.peak, r);
    }, 1000);
    own.push({ name: 'stop the RSS sampler', run: async () => clearInterval(sampler) });

    const policy = benchPolicy();
    const calendars: IntakeCalendars = {
      current: async () => {
        const spec = alwaysWorking(Date.now());
        return { spec, calendar: new WorkingCalendar(spec) };
      },
      specFor: async (at: number) => alwaysWorking(at),
      policy: async () => policy,
    };
    // Opened through the intake, as the API and the alert intake open them; the worker's dispatcher starts them.
    const t0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: OPEN_C }, async () => {
        for (let i = next++; i < N; i = next++) {
          await openIncident(
            { dataSource: p.ds, calendars },
            {
              system: `SYS-${String((i % 37) + 1).padStart(2, '0')}`,
              title: `计时基准 #${i}`,
              description: 'bench:timers',
              reporter: { name: '基准', department: '信息科', phone: null },
              priority: PRIORITIES[i % 4],
              channel: 'api',
              openedBy: { id: 'bench', name: '基准' },
            },
          );
        }
      }),
    );
    const openSeconds = (Date.now() - t0) / 1000;

    // Due times, from the rows the intake wrote (the same numbers the workflows compute).
    const rows: { id: string; reported_at: Date; repair_due: Date }[] = await p.ds.query(`SELECT id, reported_at, repair_due FROM incidents`);
    const dues: number[] = [];
    for (const r of rows) {
      const start = r.reported_at.getTime();
      const budget = r.repair_due.getTime() - start;
      for (const f of WARNINGS) dues.push(start + Math.floor(budget * f));
      dues.push(r.repair_due.getTime());
    }
    // The baseline: plain Node timers in this process for the same instants.
    const nodeLateness: number[] = [];
    const nodeTimers = dues.map((due) => setTimeout(() => nodeLateness.push(Date.now() - due), Math.max(0, due - Date.now())));
    own.push({ name: 'clear the baseline timers', run: async () => nodeTimers.forEach(clearTimeout) });

    // Wait for every workflow to have started, then for every firing (or a deadline well past the last due time).
    const lastDue = Math.max(...dues);
    const firstDue = Math.min(...dues);
    const [{ pending: pendingAfterOpen }] = await p.ds.query(`SELECT count(*)::int AS pending FROM workflow_outbox WHERE state = 'pending'`);
    console.log(`  opened ${N} incidents in ${openSeconds.toFixed(1)} s; ${pendingAfterOpen} not started yet; timers due from +${((firstDue - t0) / 1000).toFixed(0)} s to +${((lastDue - t0) / 1000).toFixed(0)} s`);
    while (((await p.ds.query(`SELECT count(*)::int AS n FROM workflow_outbox WHERE state = 'pending'`))[0].n as number) > 0) await sleep(500);
    rss.afterOpen = p.rssBytes(workerPid) ?? 0;
    console.log(`  every workflow started at +${((Date.now() - t0) / 1000).toFixed(0)} s; worker RSS ${mib(rss.afterOpen)} MiB`);
    const cpu0 = p.cpu();
    const expected = N * (WARNINGS.length + 1);
    const giveUp = lastDue + 180_000 + N * 20;
    let fired = 0;
    for (;;) {
      fired = (await p.ds.query(`SELECT count(*)::int AS n FROM incident_events WHERE type IN ('sla_warning', 'sla_breached')`))[0].n;
      if (fired >= expected || Date.now() > giveUp) break;
      await sleep(1000);
    }
    await sleep(2000); // a repeat would come right after its first
    const cpu = cpuDelta(cpu0, p.cpu());
    clearInterval(sampler);
    rss.end = p.rssBytes(workerPid) ?? 0;

    const events: { incident_id: string; type: string; clock: string; fraction: string | null; late: number }[] = await p.ds.query(
      `SELECT e.incident_id, e.type, e.data->>'clock' AS clock, e.data->>'fraction' AS fraction,
              EXTRACT(EPOCH FROM e.recorded_at - CASE WHEN e.type = 'sla_breached' THEN i.repair_due
                ELSE i.reported_at + (i.repair_due - i.reported_at) * (e.data->>'fraction')::float8 END) * 1000 AS late
         FROM incident_events e JOIN incidents i ON i.id = e.incident_id
        WHERE e.type IN ('sla_warning', 'sla_breached')`,
    );
    const seen = new Map<string, number>();
    for (const e of events) {
      const key = `${e.incident_id}|${e.clock}|${e.type}|${e.fraction ?? ''}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const repeated = [...seen.values()].filter((n) => n > 1).length;
    const wrongClock = events.filter((e) => e.clock !== 'repair').length;
    return {
      cache,
      fired: events.length,
      missing: expected - seen.size + wrongClock,
      repeated,
      lateness: events.map((e) => Number(e.late)).sort((a, b) => a - b),
      nodeLateness: nodeLateness.sort((a, b) => a - b),
      rss,
      cpu,
      openSeconds,
    };
  } finally {
    await runAll(own);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runAll(cleanups: Cleanup[]): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      await c.run();
    } catch (err) {
      console.error(`cleanup "${c.name}" failed: ${String(err)}`);
    }
  }
}

async function benchmark(cleanups: Cleanup[]): Promise<boolean> {
  console.log(`SLA timers (issue 10): ${N} open incidents, ${N * 3} timer firings (repair warnings at 50 % and 90 %, breach), P3 repair budget ${BUDGET_S} s; topology ${TOPOLOGY}; workflow caches ${CACHES.join(', ')}`);
  for (const line of machineLines()) console.log(`  ${line}`);
  console.log('  Figures on a machine shared with other work are skewed: publish the ones taken on a quiet machine.');
  const results: Result[] = [];
  for (const cache of CACHES) results.push(await runOnce(cache, cleanups));

  console.log('');
  const q = (xs: number[], p: number) => (xs.length ? percentile(xs, p).toFixed(0) : 'n/a');
  const per = (s: number | null, n: number) => (s === null || n === 0 ? 'n/a' : ((s / n) * 1000).toFixed(1));
  printTable([
    ['cache', 'fired', 'missing', 'repeated', 'late p50 ms', 'p99 ms', 'max ms', 'Node timers p99 ms', 'worker RSS MiB start/peak/end', 'CPU ms/firing: worker', 'Temporal', 'PostgreSQL'],
    ...results.map((r) => [
      String(r.cache),
      String(r.fired),
      String(r.missing),
      String(r.repeated),
      q(r.lateness, 50),
      q(r.lateness, 99),
      r.lateness.length ? r.lateness[r.lateness.length - 1].toFixed(0) : 'n/a',
      q(r.nodeLateness, 99),
      `${mib(r.rss.start)}/${mib(r.rss.peak)}/${mib(r.rss.end)}`,
      per(r.cpu.worker, r.fired),
      per(r.cpu.temporal, r.fired),
      per(r.cpu.postgres, r.fired),
    ]),
  ]);
  for (const r of results) {
    const cached = Math.min(N, r.cache);
    console.log(`cache ${r.cache}: worker RSS grew ${mib(r.rss.afterOpen - r.rss.start)} MiB with ${N} workflows started (${cached} cacheable): ${((r.rss.afterOpen - r.rss.start) / 1024 / 1024 / cached).toFixed(3)} MiB per cached workflow`);
  }
  if (results.length >= 2) {
    // Between two cache sizes everything but the cache is the same: the slope is the memory of one cached workflow.
    const [a, b] = [...results].sort((x, y) => Math.min(N, y.cache) - Math.min(N, x.cache));
    const cachedDelta = Math.min(N, a.cache) - Math.min(N, b.cache);
    if (cachedDelta > 0) {
      const slope = (a.rss.afterOpen - a.rss.start - (b.rss.afterOpen - b.rss.start)) / 1024 / 1024 / cachedDelta;
      console.log(`marginal memory: ${slope.toFixed(3)} MiB per cached workflow (RSS growth of cache ${a.cache} minus cache ${b.cache}, over ${cachedDelta} workflows)`);
    }
  }
  const bad = results.filter((r) => r.missing !== 0 || r.repeated !== 0);
  for (const r of bad) console.error(`FAILED (cache ${r.cache}): ${r.missing} firings missing, ${r.repeated} repeated`);
  return bad.length === 0;
}

void runBench(benchmark);
