import { DataSource } from 'typeorm';
import { CollectorError, CollectorErrorKind, DbTarget, SqlSession, SqlSessionOptions } from '../../adapters/inspection/sql-session';
import { openPostgres } from '../../adapters/inspection/postgres';
import { openMysql } from '../../adapters/inspection/mysql';
import { runSsh } from '../../adapters/ssh/ssh-client';
import type { PrometheusPort } from '../../adapters/monitoring/prometheus';
import { CheckDefinition, Measurement, Severity, judge, parseCommandOutput, toMeasuredNumber } from '../../domain/inspection/catalogue';
import { itemSelectors } from '../../domain/monitoring/key-series';
import type { ItemType } from '../../domain/cmdb';
import { resolveTargets } from '../../persistence/jobs/targets';
import { resolveEndpoint } from '../../persistence/ssh-store';
import type { SecretVault } from '../../infra/secrets';

/**
 * Runs an item's checks with the collector each names (P4, S16) and turns every outcome into a result: a measured
 * value judged against the thresholds, a check that does not apply, or an error. Nothing here throws for what the
 * inspected system does: an unreachable host, a refused password or a failing query is a finding of its own, so an
 * inspection always completes.
 */
export interface InspectedItem {
  id: string;
  type: ItemType;
  name: string;
  attributes: Record<string, unknown>;
}

export interface ResultRow {
  checkId: string;
  checkVersion: number;
  subject: string;
  status: 'passed' | 'finding' | 'skipped' | 'error';
  severity: Severity | null;
  value: number | null;
  compared: number | null;
  unit: string;
  threshold: unknown;
  evidence: Record<string, unknown>;
  measuredAt: Date;
}

export interface CollectContext {
  ds: DataSource;
  vault: SecretVault;
  prometheus: PrometheusPort | null;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  /** Values of the previous inspection by `checkId\tsubject`, for delta and growth checks. */
  previous: Map<string, number | null>;
  /** Since when monitoring counts (the previous inspection's start), epoch ms. */
  since: number;
  now: () => number;
  heartbeat: () => void;
}

/** Severity of the findings an inspection makes about itself: a system it could not look at is a risk too. */
export const ACCESS_SEVERITY: Record<CollectorErrorKind, Severity> = { unreachable: 'high', auth: 'high', host_key: 'high', timeout: 'medium', error: 'medium' };
/** A check that errored leaves a gap in the inspection: a finding, but a small one. */
export const CHECK_ERROR_SEVERITY: Severity = 'low';

const OUTPUT_EXCERPT = 2000;
const excerpt = (s: string) => (s.length > OUTPUT_EXCERPT ? `${s.slice(0, OUTPUT_EXCERPT)}…` : s);

/** The pseudo-checks that record the inspection's own problems with an item. */
export const ACCESS_CHECK = (collector: string) => `collector.${collector}`;

function accessResult(collector: string, kind: CollectorErrorKind, message: string, target: string, at: Date): ResultRow {
  return {
    checkId: ACCESS_CHECK(collector),
    checkVersion: 1,
    subject: target,
    status: 'error',
    severity: ACCESS_SEVERITY[kind],
    value: null,
    compared: null,
    unit: '',
    threshold: null,
    evidence: { collector, target, errorKind: kind, message },
    measuredAt: at,
  };
}

function judged(def: CheckDefinition, ms: Measurement[], ctx: CollectContext, evidence: Record<string, unknown>, at: Date): ResultRow[] {
  if (ms.length === 0) {
    return [{ checkId: def.id, checkVersion: def.version, subject: '-', status: 'passed', severity: null, value: null, compared: null, unit: def.unit, threshold: null, evidence: { ...evidence, note: 'nothing to report' }, measuredAt: at }];
  }
  return ms.map((m) => {
    const prev = ctx.previous.get(`${def.id}\t${m.subject}`);
    const j = judge(def, m, prev);
    return {
      checkId: def.id,
      checkVersion: def.version,
      subject: m.subject,
      status: j.severity ? 'finding' : 'passed',
      severity: j.severity,
      value: m.value,
      compared: j.compared,
      unit: def.unit,
      threshold: j.threshold,
      evidence: { ...evidence, ...(m.detail ? { detail: m.detail } : {}), ...(prev !== undefined ? { previous: prev } : {}), basis: def.basis, ...(j.note ? { note: j.note } : {}) },
      measuredAt: at,
    };
  });
}

function checkError(def: CheckDefinition, kind: CollectorErrorKind | 'nonzero_exit' | 'output', message: string, evidence: Record<string, unknown>, at: Date): ResultRow {
  return {
    checkId: def.id,
    checkVersion: def.version,
    subject: '-',
    status: 'error',
    severity: CHECK_ERROR_SEVERITY,
    value: null,
    compared: null,
    unit: def.unit,
    threshold: null,
    evidence: { ...evidence, errorKind: kind, message },
    measuredAt: at,
  };
}

function skipped(def: CheckDefinition, reason: string, evidence: Record<string, unknown>, at: Date): ResultRow {
  return { checkId: def.id, checkVersion: def.version, subject: '-', status: 'skipped', severity: null, value: null, compared: null, unit: def.unit, threshold: null, evidence: { ...evidence, note: reason }, measuredAt: at };
}

async function collectSsh(item: InspectedItem, checks: CheckDefinition[], ctx: CollectContext): Promise<ResultRow[]> {
  let target;
  try {
    [target] = await resolveTargets(ctx.ds, { itemIds: [item.id] });
  } catch (err) {
    return [accessResult('ssh', 'error', `the server cannot be reached over SSH as configured: ${(err as Error).message}`, `server:${item.name}`, new Date(ctx.now()))];
  }
  const where = `${target.address}:${target.port}`;
  let access;
  try {
    const resolved = await resolveEndpoint(ctx.ds, ctx.vault, { address: target.address, port: target.port, credentialId: target.credentialId });
    const jump = target.jump ? (await resolveEndpoint(ctx.ds, ctx.vault, target.jump)).endpoint : undefined;
    access = { endpoint: resolved.endpoint, jump };
  } catch (err) {
    return [accessResult('ssh', 'auth', `cannot open the server's credential: ${(err as Error).message}`, where, new Date(ctx.now()))];
  }
  const out: ResultRow[] = [];
  for (const def of checks) {
    ctx.heartbeat();
    const r = await runSsh(access.endpoint, def.query, { connectTimeoutMs: ctx.connectTimeoutMs, commandTimeoutMs: ctx.queryTimeoutMs, jump: access.jump, headBytes: 16_384, tailBytes: 4096 });
    const at = new Date(ctx.now());
    const stdout = r.stdout.head + (r.stdout.omittedBytes ? '\n…\n' : '') + (r.stdout.tail && r.stdout.totalBytes > r.stdout.head.length ? r.stdout.tail : '');
    const evidence = { collector: 'ssh', target: where, command: def.query, output: excerpt(stdout), stderr: excerpt(r.stderr.head), exitCode: r.exitCode, durationMs: r.durationMs };
    if (r.errorKind === 'unreachable' || r.errorKind === 'auth' || r.errorKind === 'host_key') {
      // The host itself failed: one finding says so, and the other checks are not tried against a wall.
      out.push(accessResult('ssh', r.errorKind, r.errorMessage ?? r.errorKind, where, at));
      return out;
    }
    if (r.errorKind === 'nonzero_exit' && r.exitCode === 3) {
      out.push(skipped(def, `not applicable on this host: ${stdout.trim().slice(0, 300) || 'exit 3'}`, evidence, at));
      continue;
    }
    if (r.errorKind) {
      out.push(checkError(def, r.errorKind === 'nonzero_exit' ? 'nonzero_exit' : r.errorKind === 'timeout' ? 'timeout' : 'error', r.errorMessage ?? r.errorKind, evidence, at));
      continue;
    }
    const parsed = parseCommandOutput(r.stdout.head);
    if (parsed.problems.length) {
      out.push(checkError(def, 'output', `the command's output is not subject<TAB>number lines: ${parsed.problems.slice(0, 3).join('; ')}`, evidence, at));
      continue;
    }
    out.push(...judged(def, parsed.measurements, ctx, evidence, at));
  }
  return out;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFAULT_PORT: Record<string, number> = { postgresql: 5432, mysql: 3306 };

/** Where and as whom a database item is inspected: its `host` (else the server it runs on), `port`, `dbName`, `dbCredential`. */
async function dbTarget(ds: DataSource, vault: SecretVault, item: InspectedItem): Promise<{ target: DbTarget } | { problem: string }> {
  const a = item.attributes;
  let host = typeof a.host === 'string' ? a.host : null;
  if (!host) {
    const [server] = await ds.query(
      `SELECT s.attributes->>'ip' AS ip FROM cmdb_relations r JOIN cmdb_items s ON s.id = r.target_id WHERE r.source_id = $1 AND r.type = 'runs_on' AND s.attributes ? 'ip' ORDER BY s.name LIMIT 1`,
      [item.id],
    );
    host = server?.ip ?? null;
  }
  if (!host) return { problem: 'no host: give the database item a host attribute or a runs_on relation to a server with an ip' };
  const ref = a.dbCredential;
  if (typeof ref !== 'string' || !ref) return { problem: 'no dbCredential attribute: store a database credential (POST /inspections/db-credentials) and name it on the item' };
  const [cred] = await ds.query(UUID.test(ref) ? `SELECT username, secret_id FROM db_credentials WHERE id = $1` : `SELECT username, secret_id FROM db_credentials WHERE name = $1`, [ref]);
  if (!cred) return { problem: `no database credential ${ref}` };
  const port = typeof a.port === 'number' ? a.port : DEFAULT_PORT[String(a.engine)] ?? 0;
  return { target: { host, port, database: typeof a.dbName === 'string' ? a.dbName : undefined, user: cred.username, password: await vault.read(cred.secret_id) } };
}

function rowsToMeasurements(def: CheckDefinition, rows: Record<string, unknown>[]): { measurements: Measurement[]; problems: string[] } {
  const col = { subject: def.columns?.subject ?? 'subject', value: def.columns?.value ?? 'value', detail: def.columns?.detail ?? 'detail' };
  const measurements: Measurement[] = [];
  const problems: string[] = [];
  for (const row of rows.slice(0, 200)) {
    if (!(col.value in row)) {
      problems.push(`no column ${col.value} in the result (columns: ${Object.keys(row).join(', ')})`);
      break;
    }
    const v = toMeasuredNumber(row[col.value]);
    if (v === 'invalid') {
      problems.push(`${col.value} is not a number: ${String(row[col.value]).slice(0, 100)}`);
      continue;
    }
    const subject = row[col.subject] === undefined || row[col.subject] === null ? def.id : String(row[col.subject]);
    const detail = row[col.detail];
    measurements.push({ subject: subject.slice(0, 300) || def.id, value: v, ...(detail !== undefined && detail !== null && String(detail) !== '' ? { detail: String(detail).slice(0, 1000) } : {}) });
  }
  return { measurements, problems };
}

async function collectSql(engine: 'postgresql' | 'mysql', item: InspectedItem, checks: CheckDefinition[], ctx: CollectContext): Promise<ResultRow[]> {
  const found = await dbTarget(ctx.ds, ctx.vault, item);
  if ('problem' in found) return [accessResult(engine, 'error', found.problem, `database:${item.name}`, new Date(ctx.now()))];
  const t = found.target;
  const where = `${t.host}:${t.port}${t.database ? `/${t.database}` : ''}`;
  const options: SqlSessionOptions = { connectTimeoutMs: ctx.connectTimeoutMs, queryTimeoutMs: ctx.queryTimeoutMs };
  const open = () => (engine === 'postgresql' ? openPostgres(t, options) : openMysql(t, options));
  let session: SqlSession | null;
  try {
    session = await open();
  } catch (err) {
    const e = err instanceof CollectorError ? err : new CollectorError('error', String(err));
    return [accessResult(engine, e.kind, e.message, where, new Date(ctx.now()))];
  }
  const out: ResultRow[] = [];
  try {
    for (const def of checks) {
      ctx.heartbeat();
      if (!session) {
        try {
          session = await open();
        } catch (err) {
          const e = err instanceof CollectorError ? err : new CollectorError('error', String(err));
          out.push(accessResult(engine, e.kind, e.message, where, new Date(ctx.now())));
          return out;
        }
      }
      const evidence: Record<string, unknown> = { collector: engine, target: where, query: def.query, serverVersion: session.serverVersion.slice(0, 120) };
      const started = ctx.now();
      try {
        if (def.precondition) {
          const pre = await session.query(def.precondition);
          if (pre.length === 0) {
            out.push(skipped(def, `not applicable: the precondition found nothing (${def.precondition.slice(0, 200)})`, evidence, new Date(ctx.now())));
            continue;
          }
        }
        const rows = await session.query(def.query);
        const at = new Date(ctx.now());
        const withRows = { ...evidence, rows: rows.length, durationMs: ctx.now() - started };
        const parsed = rowsToMeasurements(def, rows);
        if (parsed.problems.length && parsed.measurements.length === 0) out.push(checkError(def, 'output', parsed.problems.join('; '), withRows, at));
        else out.push(...judged(def, parsed.measurements, ctx, withRows, at));
      } catch (err) {
        const e = err instanceof CollectorError ? err : new CollectorError('error', String(err));
        out.push(checkError(def, e.kind, e.message, evidence, new Date(ctx.now())));
        // A timeout may leave the connection busy or closed: the next check opens a fresh one.
        if (e.kind === 'timeout' || e.kind === 'unreachable') {
          await session.close();
          session = null;
        }
      }
    }
  } finally {
    await session?.close();
  }
  return out;
}

async function collectPrometheus(item: InspectedItem, checks: CheckDefinition[], ctx: CollectContext): Promise<ResultRow[]> {
  const prometheus = ctx.prometheus;
  if (!prometheus || !checks.length) return [];
  const selector = itemSelectors({ type: item.type, name: item.name, ip: typeof item.attributes.ip === 'string' ? item.attributes.ip : null })[0];
  const rangeSeconds = Math.max(60, Math.round((ctx.now() - ctx.since) / 1000));
  const out: ResultRow[] = [];
  for (const def of checks) {
    ctx.heartbeat();
    const promql = def.query.split('$selector').join(selector).split('$range').join(`${rangeSeconds}s`);
    const evidence = { collector: 'prometheus', target: prometheus.url, query: promql };
    try {
      const series = await prometheus.query(promql, ctx.now());
      const at = new Date(ctx.now());
      const label = def.columns?.subject;
      const ms: Measurement[] = series.map((s) => {
        const value = s.points.length ? s.points[s.points.length - 1][1] : null;
        const subject = label && s.metric[label] ? s.metric[label] : label ?? (Object.entries(s.metric).map(([k, v]) => `${k}=${v}`).join(',') || def.id);
        return { subject, value: value === null || !Number.isFinite(value) ? null : value };
      });
      out.push(...judged(def, ms, ctx, evidence, at));
    } catch (err) {
      const kind = (err as { kind?: string }).kind === 'unavailable' ? 'unreachable' : 'error';
      out.push(checkError(def, kind, (err as Error).message, evidence, new Date(ctx.now())));
    }
  }
  return out;
}

function collectCmdb(item: InspectedItem, checks: CheckDefinition[], ctx: CollectContext): ResultRow[] {
  return checks.map((def) => {
    const attr = /^ageHours\(([A-Za-z][A-Za-z0-9]*)\)$/.exec(def.query)?.[1] ?? '';
    const raw = item.attributes[attr];
    const at = ctx.now();
    const t = typeof raw === 'string' ? Date.parse(raw) : NaN;
    const value = Number.isFinite(t) ? Math.round(((at - t) / 3_600_000) * 10) / 10 : null;
    return judged(def, [{ subject: `${item.type}:${item.name}`, value, detail: raw === undefined ? `${attr} not recorded` : `${attr}=${String(raw)}` }], ctx, { collector: 'cmdb', query: def.query }, new Date(at))[0];
  });
}

/** Every applicable check of one item, grouped by collector; a database of an engine without a collector says so. */
export async function collectItem(item: InspectedItem, checks: CheckDefinition[], ctx: CollectContext): Promise<ResultRow[]> {
  const of = (c: CheckDefinition['collector']) => checks.filter((d) => d.collector === c);
  const out: ResultRow[] = [];
  if (of('ssh').length) out.push(...(await collectSsh(item, of('ssh'), ctx)));
  if (of('postgresql').length) out.push(...(await collectSql('postgresql', item, of('postgresql'), ctx)));
  if (of('mysql').length) out.push(...(await collectSql('mysql', item, of('mysql'), ctx)));
  if (of('cmdb').length) out.push(...collectCmdb(item, of('cmdb'), ctx));
  out.push(...(await collectPrometheus(item, of('prometheus'), ctx)));
  if (item.type === 'database' && !of('postgresql').length && !of('mysql').length) {
    out.push({
      checkId: 'collector.coverage',
      checkVersion: 1,
      subject: String(item.attributes.engine ?? 'unknown'),
      status: 'skipped',
      severity: null,
      value: null,
      compared: null,
      unit: '',
      threshold: null,
      evidence: { note: `no database collector for engine ${String(item.attributes.engine ?? 'unknown')} (PostgreSQL and MySQL/MariaDB are inspected over their protocol)` },
      measuredAt: new Date(ctx.now()),
    });
  }
  return out;
}
