import { bundleWorkflowCode } from '@temporalio/worker';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config';
import { RunningPostgres, startEmbeddedPostgres } from '../infra/embedded-postgres';
import { RunningTemporal, startTemporalDevServer } from '../infra/temporal-dev-server';
import { TEMPORAL_SERVER_VERSION, startTemporalPgServer } from '../infra/temporal-pg-server';
import { openDatabase } from '../persistence/data-source';
import { bootstrapAdmin, bootstrapAdminPassword } from '../persistence/users-store';
import { Supervisor } from './supervisor';

/**
 * `npm start`: the whole platform on one machine. PostgreSQL (DATABASE_URL or embedded), Temporal
 * (TEMPORAL_ADDRESS, else the CLI dev server with its UI, or with WARDLINE_TEMPORAL=postgres — `npm run start:server` —
 * the Temporal server on that PostgreSQL), then the worker and the API as two supervised
 * processes: one that crashes is restarted with a back-off, and only Ctrl-C (or SIGTERM) stops the platform.
 * Data stays under .data/ between starts.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const dataDir = resolve(config.dataDir);
  const stops: (() => Promise<void>)[] = [];
  let supervisor: Supervisor | null = null;
  let stopping = false;

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping wardline…');
    await supervisor?.stop();
    for (const stop of stops.reverse()) await stop().catch((err) => console.error(err));
    process.exit(code);
  };
  // embedded-postgres's exit hook may end this process before shutdown() finishes: children still get SIGTERM.
  process.on('exit', () => supervisor?.killAll());
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const port = Number(process.env.WARDLINE_PG_PORT ?? 54329);
    console.log(`starting embedded PostgreSQL on 127.0.0.1:${port} (data in ${join(dataDir, 'postgres')})`);
    const pg: RunningPostgres = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), port, database: 'wardline' });
    stops.push(pg.stop);
    databaseUrl = pg.url;
  }
  let temporalAddress = config.temporalAddress;
  let temporalUi: string | null = process.env.WARDLINE_TEMPORAL_UI_URL ?? null;
  const topology = process.env.WARDLINE_TEMPORAL ?? 'dev';
  if (!['dev', 'postgres'].includes(topology)) throw new Error(`WARDLINE_TEMPORAL must be dev or postgres (got ${topology})`);
  if (!temporalAddress && topology === 'postgres') {
    // `npm run start:server`: Temporal v1.29.1 on the same PostgreSQL (its own two databases), the production topology.
    const port = Number(process.env.WARDLINE_TEMPORAL_PORT ?? 7233);
    const dir = join(dataDir, 'temporal-pg');
    mkdirSync(dir, { recursive: true });
    const log = createWriteStream(join(dir, 'server.log'), { flags: 'a' });
    console.log(`starting Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL on 127.0.0.1:${port} (databases temporal, temporal_visibility; log in ${join(dir, 'server.log')})`);
    const t = await startTemporalPgServer({ postgresUrl: databaseUrl, port, dataDir: dir, log: (line) => log.write(line) });
    stops.push(t.stop);
    temporalAddress = t.address;
  }
  if (!temporalAddress) {
    const port = Number(process.env.WARDLINE_TEMPORAL_PORT ?? 7233);
    const uiPort = Number(process.env.WARDLINE_TEMPORAL_UI_PORT ?? 8233);
    console.log(`starting the Temporal dev server on 127.0.0.1:${port} (state in ${join(dataDir, 'temporal.db')})`);
    const t: RunningTemporal = await startTemporalDevServer({ port, uiPort, dbFile: join(dataDir, 'temporal.db') });
    stops.push(t.stop);
    temporalAddress = t.address;
    temporalUi = t.uiUrl;
  }

  const ds = await openDatabase(databaseUrl, { migrate: true });
  const adminToken = await bootstrapAdmin(ds, config.adminToken);
  const adminPassword = await bootstrapAdminPassword(ds, process.env.WARDLINE_ADMIN_PASSWORD || undefined);
  await ds.destroy();

  // Bundled once here: a restarted worker loads the file instead of spending seconds bundling again.
  const bundlePath = await bundleWorkflows(dataDir);

  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    PORT: String(config.port),
    WARDLINE_WORKFLOW_BUNDLE: bundlePath,
  };
  supervisor = new Supervisor({ env });
  supervisor.start('worker', join(__dirname, '..', 'worker.js'));
  supervisor.start('api', join(__dirname, '..', 'api', 'main.js'));

  const api = `http://localhost:${config.port}`;
  await waitForApi(`${api}/health/live`);
  console.log('');
  console.log('Wardline is up.');
  console.log(`  Console:     ${api}/   (网页控制台 / the web console)`);
  console.log(`  API:         ${api}`);
  console.log(`  API docs:    ${api}/docs   (OpenAPI JSON: ${api}/docs-json)`);
  const noUi = topology === 'postgres' && !config.temporalAddress ? `(none in this topology: temporal workflow list --address ${temporalAddress})` : '(external Temporal: see its own UI)';
  console.log(`  Temporal UI: ${temporalUi ?? noUi}`);
  if (adminToken) console.log(`  Admin token: ${adminToken}   (first start: shown once, keep it safe)`);
  if (adminPassword) console.log(`  Console sign-in: admin / ${adminPassword}   (first start: shown once; change it under 我的账号 / My account)`);
  console.log('Press Ctrl-C to stop.');
}

async function bundleWorkflows(dataDir: string): Promise<string> {
  const started = Date.now();
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: { info: () => undefined, warn: () => undefined, error: console.error, debug: () => undefined, trace: () => undefined, log: () => undefined },
  });
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'workflow-bundle.js');
  writeFileSync(path, bundle.code);
  console.log(`workflow code bundled in ${((Date.now() - started) / 1000).toFixed(1)} s (${path})`);
  return path;
}

async function waitForApi(url: string): Promise<void> {
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the API did not answer at ${url}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
