import { ApplicationFailure } from '@temporalio/activity';

/**
 * PostgreSQL errors that retrying can never fix (issue 9: a NUL in a description made the incident's projection
 * retry forever): data exceptions (class 22: invalid byte sequence, value too long, out of range), not-null and
 * check violations, and errors of the statement itself (class 42). Anything else (a lost connection, a lock
 * timeout, a foreign key whose row is not there yet) is retried.
 */
const PERMANENT = (code: string) => code.startsWith('22') || code === '23502' || code === '23514' || code.startsWith('42');

interface PgFields {
  code?: string;
  table?: string;
  column?: string;
  constraint?: string;
}

/**
 * The failure a projection activity throws instead of the database's own error. Its message names the SQLSTATE,
 * table, column and constraint only: never the statement's parameters or PostgreSQL's detail line, which may hold
 * the reporter's name or phone, so retries log no personal data.
 */
export function projectionFailure(activity: string, err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const pg = ((err as { driverError?: PgFields })?.driverError ?? err) as PgFields;
  const code = typeof pg?.code === 'string' ? pg.code : null;
  const where = [pg?.table && `table ${pg.table}`, pg?.column && `column ${pg.column}`, pg?.constraint && `constraint ${pg.constraint}`].filter(Boolean).join(', ');
  const what = code ? `PostgreSQL error ${code}${where ? ` (${where})` : ''}` : `${(err as Error)?.name ?? 'error'} without a database code`;
  const message = `${activity} failed: ${what}`;
  if (code && PERMANENT(code)) return ApplicationFailure.nonRetryable(message, 'PROJECTION_REJECTED');
  return ApplicationFailure.retryable(message, 'PROJECTION_FAILED');
}

/** Runs a projection write; its database error leaves as a sanitized failure, non-retryable when it can never succeed. */
export async function projecting<T>(activity: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    throw projectionFailure(activity, err);
  }
}
