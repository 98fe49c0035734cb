import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { Client as PgClient } from 'pg';
import { freePort, waitFor } from './net';
import type { RunningTemporal } from './temporal-dev-server';

const run = promisify(execFile);

/** The version `scripts/ensure-temporal-server.sh` builds (the same server the CLI v1.5.1 dev server embeds). */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

/** The folder with `server`, `sql` and `schema/`, built once by scripts/ensure-temporal-server.sh. */
export function temporalServerDir(): string {
  const script = [join(__dirname, '..', '..', 'scripts'), join(__dirname, '..', '..', '..', 'scripts')]
    .map((dir) => join(dir, 'ensure-temporal-server.sh'))
    .find((path) => existsSync(path));
  if (!script) throw new Error('scripts/ensure-temporal-server.sh not found');
  return execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

export interface TemporalPgOptions {
  /** A PostgreSQL URL whose user may create databases (the embedded server's, or DATABASE_URL's). */
  postgresUrl: string;
  /** The frontend's gRPC port. */
  port: number;
  /** Config and logs go here. */
  dataDir: string;
  /** Database names: `<prefix>temporal` and `<prefix>temporal_visibility` (default: no prefix). */
  databasePrefix?: string;
  /** History shards: fixed for the life of the databases (default 4: one node, a few shards to spread its work). */
  historyShards?: number;
  namespace?: string;
  log?: (line: string) => void;
}

export interface RunningTemporalPg extends RunningTemporal {
  databases: { temporal: string; visibility: string };
  settings: string[];
}

/**
 * Membership ports are stored in a smallint column (cluster_membership.rpc_port): a free port from the kernel's
 * ephemeral range (above 32767) makes the server die at start. So these are picked below it.
 */
async function membershipPort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await isFree(port)) return port;
  }
  throw new Error('no free port below 32768 for Temporal membership');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort(true)));
  });
}

interface PgTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

function target(url: string): PgTarget {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

/**
 * Creates (once) and migrates Temporal's two databases with the module's own `sql` tool and schema folders, then
 * turns `synchronous_commit` off on them. Why off: Temporal commits several small transactions per workflow step
 * and each would wait for its WAL flush; off, a commit returns once it is in the WAL buffer and the WAL writer
 * flushes within `wal_writer_delay` (200 ms). PostgreSQL stays consistent after a crash (nothing is torn), but its
 * last fraction of a second of Temporal commits may be gone, as if Temporal had crashed that much earlier.
 * Wardline's own database keeps synchronous commits, and its outbox dispatcher re-checks the starts it recorded in
 * the seconds before it (re)took its lock, so a start Temporal lost that way is made again (src/intake/dispatcher.ts).
 */
export async function prepareTemporalDatabases(postgresUrl: string, prefix = '', dir = temporalServerDir()): Promise<{ temporal: string; visibility: string }> {
  const t = target(postgresUrl);
  const databases = { temporal: `${prefix}temporal`, visibility: `${prefix}temporal_visibility` };
  const admin = new PgClient({ connectionString: postgresUrl });
  await admin.connect();
  try {
    for (const name of Object.values(databases)) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${name}`);
      await admin.query(`ALTER DATABASE ${name} SET synchronous_commit = off`);
    }
  } finally {
    await admin.end();
  }
  const sql = join(dir, 'sql');
  const base = ['--plugin', 'postgres12', '--ep', t.host, '-p', String(t.port), '-u', t.user, '--pw', t.password];
  for (const [db, folder] of [
    [databases.temporal, 'temporal'],
    [databases.visibility, 'visibility'],
  ] as const) {
    const versioned = await hasSchemaVersion(postgresUrl, db);
    if (!versioned) await run(sql, [...base, '--db', db, 'setup-schema', '-v', '0.0']);
    await run(sql, [...base, '--db', db, 'update-schema', '-d', join(dir, 'schema', folder, 'versioned')]);
  }
  return databases;
}

async function hasSchemaVersion(postgresUrl: string, db: string): Promise<boolean> {
  const u = new URL(postgresUrl);
  u.pathname = `/${db}`;
  const c = new PgClient({ connectionString: u.toString() });
  await c.connect();
  try {
    const r = await c.query(`SELECT to_regclass('public.schema_version') IS NOT NULL AS present`);
    return Boolean(r.rows[0]?.present);
  } finally {
    await c.end();
  }
}

/**
 * The single-node server config: every service in one process on loopback, `historyShards` shards, one task-queue
 * partition (more only pay off with several matching hosts; with one they split each queue's pollers and backlog).
 */
function renderConfig(o: {
  t: PgTarget;
  databases: { temporal: string; visibility: string };
  shards: number;
  ports: Record<'frontend' | 'frontendMembership' | 'frontendHttp' | 'history' | 'historyMembership' | 'matching' | 'matchingMembership' | 'worker' | 'workerMembership', number>;
  dynamicConfig: string;
}): string {
  const store = (db: string, conns: number) => `
      sql:
        pluginName: "postgres12"
        databaseName: "${db}"
        connectAddr: "${o.t.host}:${o.t.port}"
        connectProtocol: "tcp"
        user: ${JSON.stringify(o.t.user)}
        password: ${JSON.stringify(o.t.password)}
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: "1h"`;
  const service = (grpc: number, membership: number, http?: number) => `
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${http ? `\n      httpPort: ${http}` : ''}`;
  const p = o.ports;
  return `log:
  stdout: true
  level: warn

persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: ${o.shards}
  datastores:
    default:${store(o.databases.temporal, 20)}
    visibility:${store(o.databases.visibility, 4)}

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"

services:
  frontend:${service(p.frontend, p.frontendMembership, p.frontendHttp)}
  history:${service(p.history, p.historyMembership)}
  matching:${service(p.matching, p.matchingMembership)}
  worker:${service(p.worker, p.workerMembership)}

clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${p.frontend}"

dcRedirectionPolicy:
  policy: "noop"

dynamicConfigClient:
  filepath: ${JSON.stringify(o.dynamicConfig)}
  pollInterval: "60s"
`;
}

/** Settings beyond the static config; the same ones are printed by the benches. */
const DYNAMIC_CONFIG = `# Wardline's single-node Temporal on PostgreSQL (src/infra/temporal-pg-server.ts)
matching.numTaskqueueReadPartitions:
  - value: 1
matching.numTaskqueueWritePartitions:
  - value: 1
limit.maxIDLength:
  - value: 255
frontend.enableUpdateWorkflowExecution:
  - value: true
frontend.enableExecuteMultiOperation:
  - value: true
`;

/**
 * Temporal server v1.29.1 on PostgreSQL, as one process: databases prepared (see prepareTemporalDatabases), a
 * single-node config written under `dataDir`, the server started, and the namespace registered. The production
 * topology of docker-compose.yml, without Docker.
 */
export async function startTemporalPgServer(options: TemporalPgOptions): Promise<RunningTemporalPg> {
  const dir = temporalServerDir();
  const log = options.log ?? (() => undefined);
  const namespace = options.namespace ?? 'default';
  const shards = options.historyShards ?? 4;
  const databases = await prepareTemporalDatabases(options.postgresUrl, options.databasePrefix ?? '', dir);
  const root = resolve(options.dataDir);
  mkdirSync(join(root, 'config'), { recursive: true });
  const dynamicConfig = join(root, 'dynamicconfig.yaml');
  writeFileSync(dynamicConfig, DYNAMIC_CONFIG);
  const ports = {
    frontend: options.port,
    frontendMembership: await membershipPort(),
    frontendHttp: await freePort(),
    history: await freePort(),
    historyMembership: await membershipPort(),
    matching: await freePort(),
    matchingMembership: await membershipPort(),
    worker: await freePort(),
    workerMembership: await membershipPort(),
  };
  writeFileSync(join(root, 'config', 'development.yaml'), renderConfig({ t: target(options.postgresUrl), databases, shards, ports, dynamicConfig }));

  const child: ChildProcess = spawn(join(dir, 'server'), ['--root', root, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => log(String(d)));
  child.stderr?.on('data', (d) => log(String(d)));
  let exited = false;
  child.on('exit', () => (exited = true));
  process.on('exit', () => {
    if (!exited) child.kill('SIGTERM');
  });
  const address = `127.0.0.1:${options.port}`;
  const died = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`temporal server exited early (code ${code}); see its log`))));
  died.catch(() => undefined);
  const up = waitFor(
    'Temporal server (PostgreSQL)',
    async () => {
      if (exited) return;
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await conn.workflowService.getSystemInfo({});
        try {
          await conn.workflowService.describeNamespace({ namespace });
        } catch {
          await conn.workflowService
            .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') })
            .catch((err: { code?: number }) => {
              if (err.code !== 6) throw err; // ALREADY_EXISTS: registered by an earlier attempt
            });
          throw new Error(`namespace ${namespace} registered; waiting for it to be served`);
        }
      } finally {
        await conn.close();
      }
    },
    120_000,
  );
  await Promise.race([up, died]);
  const stopWith = (signal: NodeJS.Signals) => () =>
    new Promise<void>((done) => {
      if (exited) return done();
      child.once('exit', () => done());
      child.kill(signal);
      if (signal !== 'SIGKILL') setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    });
  return {
    address,
    uiUrl: null,
    pid: child.pid,
    databases,
    settings: [
      `Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL (${dir})`,
      `databases ${databases.temporal}, ${databases.visibility} with synchronous_commit=off`,
      `${shards} history shards, 1 task-queue partition (read and write), all services in one process`,
    ],
    stop: stopWith('SIGTERM'),
    kill: stopWith('SIGKILL'),
  };
}
