/**
 * The port of the database collectors (P4, S16): a read-only session on the inspected database, one query at a
 * time, each bounded by its own timeout. Failures are typed by kind so an inspection can turn them into findings
 * (unreachable, wrong password, a query that errors) instead of failing the run.
 */
export const COLLECTOR_ERROR_KINDS = ['unreachable', 'auth', 'timeout', 'host_key', 'error'] as const;
export type CollectorErrorKind = (typeof COLLECTOR_ERROR_KINDS)[number];

export class CollectorError extends Error {
  constructor(
    readonly kind: CollectorErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'CollectorError';
  }
}

export interface DbTarget {
  host: string;
  port: number;
  database?: string;
  user: string;
  password: string;
}

export interface SqlSessionOptions {
  connectTimeoutMs: number;
  /** Each query's limit, enforced by the server and by the client. */
  queryTimeoutMs: number;
}

export interface SqlSession {
  /** The server's own version string, for the evidence. */
  readonly serverVersion: string;
  /** Runs one statement inside a read-only transaction that is rolled back; rows as plain objects. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}
