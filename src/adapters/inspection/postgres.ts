import { Client, ClientConfig } from 'pg';
import { CollectorError, DbTarget, SqlSession, SqlSessionOptions } from './sql-session';

/**
 * PostgreSQL collector (P4, S16) over npm `pg`: the session itself is read-only (default_transaction_read_only),
 * every statement runs in a READ ONLY transaction that is rolled back, with statement_timeout on the server and
 * query_timeout in the client. A hospital gives it a monitoring account (pg_monitor), never a superuser.
 */
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EADDRNOTAVAIL']);
const AUTH = new Set(['28P01', '28000']);

export function classifyPgError(err: unknown, where: string): CollectorError {
  const e = err as { code?: string; message?: string };
  const msg = e.message ?? String(err);
  if (e.code && AUTH.has(e.code)) return new CollectorError('auth', `${where}: authentication failed (${e.code}): ${msg}`);
  if (e.code && UNREACHABLE.has(e.code)) return new CollectorError('unreachable', `${where} unreachable (${e.code})`);
  if (e.code === '57014' || /query read timeout|timeout exceeded/i.test(msg)) return new CollectorError('timeout', `${where}: ${msg}`);
  if (/connection terminated|timeout expired|connect/i.test(msg) && !e.code) return new CollectorError('unreachable', `${where}: ${msg}`);
  return new CollectorError('error', `${where}: ${e.code ? `${e.code} ` : ''}${msg}`);
}

export async function openPostgres(target: DbTarget, options: SqlSessionOptions): Promise<SqlSession> {
  const where = `postgresql://${target.host}:${target.port}/${target.database ?? 'postgres'}`;
  const config: ClientConfig = {
    host: target.host,
    port: target.port,
    database: target.database ?? 'postgres',
    user: target.user,
    password: target.password,
    connectionTimeoutMillis: options.connectTimeoutMs,
    query_timeout: options.queryTimeoutMs + 1000,
    application_name: 'wardline-inspection',
    options: `-c default_transaction_read_only=on -c statement_timeout=${options.queryTimeoutMs} -c lock_timeout=2000`,
  };
  const client = new Client(config);
  // A dropped connection emits 'error' outside any query; without a listener it would crash the worker.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw classifyPgError(err, where);
  }
  let serverVersion = '';
  try {
    serverVersion = (await client.query<{ v: string }>('SELECT version() AS v')).rows[0].v;
  } catch (err) {
    await client.end().catch(() => undefined);
    throw classifyPgError(err, where);
  }
  return {
    serverVersion,
    async query(sql: string) {
      try {
        await client.query('BEGIN READ ONLY');
        const res = await client.query(sql);
        return res.rows as Record<string, unknown>[];
      } catch (err) {
        throw classifyPgError(err, where);
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
      }
    },
    close: () => client.end().catch(() => undefined),
  };
}
