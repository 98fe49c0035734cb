/**
 * SLA deadline throughput: incidentTargets with the contract policy and the real calendar over 100,000 seeded
 * random reports in 2025–2026, beside the minute-stepping oracle on a 2,000-case sample of the same reports.
 * The two must agree on the sample; any mismatch exits 1. Run: npm run bench:sla
 */
import { buildCalendarSpec } from '../src/infra/china-calendar';
import { WorkingCalendar } from '../src/domain/calendar';
import { CONTRACT_POLICY, PRIORITIES, Priority, incidentTargets } from '../src/domain/sla-policy';
import { createMinuteOracle, oracleIncidentTargets } from '../src/domain/testing/minute-oracle';
import { MINUTE_MS, formatInZone } from '../src/domain/time';
import { printTable } from './support';

const SEED = 20260213;
const CASES = 100_000;
const ORACLE_SAMPLE = 2_000;
const FROM = Date.parse('2025-01-01T00:00:00+08:00');
const TO = Date.parse('2027-01-01T00:00:00+08:00');

/** mulberry32: a small seeded PRNG, so every run benchmarks the same cases. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  reportedAt: number;
  priority: Priority;
}

function generate(n: number): Case[] {
  const random = mulberry32(SEED);
  const minutes = (TO - FROM) / MINUTE_MS;
  return Array.from({ length: n }, () => ({
    // Minute-aligned so the oracle, which steps whole minutes, can take the same cases.
    reportedAt: FROM + Math.floor(random() * minutes) * MINUTE_MS,
    priority: PRIORITIES[Math.floor(random() * PRIORITIES.length)],
  }));
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function main(): void {
  const spec = buildCalendarSpec();
  const calendar = new WorkingCalendar(spec);
  const oracle = createMinuteOracle(spec);
  const cases = generate(CASES);
  const sample = cases.slice(0, ORACLE_SAMPLE);

  // Warm up the JIT on a slice so the timed loop measures steady state.
  for (const c of cases.slice(0, 5_000)) incidentTargets(CONTRACT_POLICY, calendar, c);

  let checksum = 0;
  let offHours = 0;
  let uncovered = 0;
  const engineStart = process.hrtime.bigint();
  for (const c of cases) {
    const t = incidentTargets(CONTRACT_POLICY, calendar, c);
    checksum = (checksum + t.respond.deadline / MINUTE_MS + t.onSite.deadline / MINUTE_MS + t.repair.deadline / MINUTE_MS) % 1e9;
    if (t.tier === 'off_hours') offHours++;
    if (!t.calendarCovered) uncovered++;
  }
  const engineSeconds = seconds(engineStart);

  const oracleStart = process.hrtime.bigint();
  const expected = sample.map((c) => oracleIncidentTargets(oracle, CONTRACT_POLICY, c));
  const oracleSeconds = seconds(oracleStart);

  const mismatches: string[] = [];
  sample.forEach((c, i) => {
    const t = incidentTargets(CONTRACT_POLICY, calendar, c);
    const got = {
      tier: t.tier,
      respondDeadline: t.respond.deadline,
      onSiteDeadline: t.onSite.deadline,
      repairDeadline: t.repair.deadline,
      calendarCovered: t.calendarCovered,
    };
    if (JSON.stringify(got) !== JSON.stringify(expected[i])) {
      mismatches.push(`${formatInZone(c.reportedAt, spec.utcOffsetMinutes)} ${c.priority}: engine ${JSON.stringify(got)} oracle ${JSON.stringify(expected[i])}`);
    }
  });

  const DEADLINES_PER_CASE = 3; // respond, on site, repair
  const engineRate = CASES / engineSeconds;
  const oracleRate = ORACLE_SAMPLE / oracleSeconds;
  const rows: [string, string, string, string, string][] = [
    ['', 'cases', 'seconds', 'cases/s', 'deadlines/s'],
    ['engine (WorkingCalendar)', String(CASES), engineSeconds.toFixed(3), engineRate.toFixed(0), (engineRate * DEADLINES_PER_CASE).toFixed(0)],
    ['oracle (minute stepping)', String(ORACLE_SAMPLE), oracleSeconds.toFixed(3), oracleRate.toFixed(0), (oracleRate * DEADLINES_PER_CASE).toFixed(0)],
  ];

  console.log(`SLA deadlines: contract policy v${CONTRACT_POLICY.version}, ${spec.timeZone}, seed ${SEED}, reports 2025-01-01..2026-12-31`);
  printTable(rows);
  console.log(`speed ratio engine/oracle: ${(engineRate / oracleRate).toFixed(0)}x`);
  console.log(`off-hours tier: ${offHours}/${CASES}; repair deadline in an uncovered year: ${uncovered}/${CASES}; checksum ${checksum.toFixed(0)}`);
  console.log(`engine vs oracle on ${ORACLE_SAMPLE} cases: ${mismatches.length} mismatches`);
  for (const m of mismatches.slice(0, 10)) console.log(`  ${m}`);
  if (mismatches.length > 0) process.exitCode = 1;
}

main();
