import { Connection, createConnection } from 'mysql2/promise';
import { CollectorError, DbTarget, SqlSession, SqlSessionOptions } from './sql-session';

/**
 * MySQL / MariaDB collector (P4, S16) over npm `mysql2`: a READ ONLY session, every statement inside a READ ONLY
 * transaction that is rolled back, bounded by the server (MariaDB max_statement_time, MySQL max_execution_time)
 * and by the client's own timeout. Big numbers and dates come back as text and are read by the catalogue.
 */
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EADDRNOTAVAIL', 'PROTOCOL_CONNECTION_LOST']);
const AUTH = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR', 'ER_NOT_SUPPORTED_AUTH_MODE']);

export function classifyMysqlError(err: unknown, where: string, stage: 'connect' | 'query'): CollectorError {
  const e = err as { code?: string; message?: string };
  const msg = e.message ?? String(err);
  if (e.code && AUTH.has(e.code)) return new CollectorError('auth', `${where}: authentication failed (${e.code}): ${msg}`);
  if (e.code === 'PROTOCOL_SEQUENCE_TIMEOUT' || e.code === 'ER_QUERY_TIMEOUT' || /max_statement_time|maximum statement execution time/i.test(msg)) return new CollectorError('timeout', `${where}: ${msg}`);
  if (stage === 'connect' && (!e.code || UNREACHABLE.has(e.code))) return new CollectorError('unreachable', `${where} unreachable${e.code ? ` (${e.code})` : ''}: ${msg}`);
  return new CollectorError('error', `${where}: ${e.code ? `${e.code} ` : ''}${msg}`);
}

export async function openMysql(target: DbTarget, options: SqlSessionOptions): Promise<SqlSession> {
  const where = `mysql://${target.host}:${target.port}${target.database ? `/${target.database}` : ''}`;
  let conn: Connection;
  try {
    conn = await createConnection({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      connectTimeout: options.connectTimeoutMs,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      multipleStatements: false,
    });
  } catch (err) {
    throw classifyMysqlError(err, where, 'connect');
  }
  conn.on('error', () => undefined);
  let serverVersion = '';
  try {
    const [rows] = await conn.query({ sql: 'SELECT VERSION() AS v', timeout: options.queryTimeoutMs });
    serverVersion = String((rows as { v: string }[])[0].v);
    await conn.query('SET SESSION TRANSACTION READ ONLY');
    // One of the two exists: MariaDB bounds statements in seconds, MySQL (SELECTs only) in milliseconds.
    const limit = /mariadb/i.test(serverVersion) ? `SET SESSION max_statement_time = ${Math.max(1, Math.ceil(options.queryTimeoutMs / 1000))}` : `SET SESSION max_execution_time = ${options.queryTimeoutMs}`;
    await conn.query(limit).catch(() => undefined);
  } catch (err) {
    await conn.end().catch(() => undefined);
    throw classifyMysqlError(err, where, 'connect');
  }
  return {
    serverVersion,
    async query(sql: string) {
      try {
        await conn.query('START TRANSACTION READ ONLY');
        const [rows] = await conn.query({ sql, timeout: options.queryTimeoutMs + 1000, rowsAsArray: false });
        return (Array.isArray(rows) ? rows : []) as Record<string, unknown>[];
      } catch (err) {
        throw classifyMysqlError(err, where, 'query');
      } finally {
        await conn.query('ROLLBACK').catch(() => undefined);
      }
    },
    close: async () => {
      await conn.end().catch(() => conn.destroy());
    },
  };
}
