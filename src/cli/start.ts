import { ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config';
import { RunningPostgres, startEmbeddedPostgres } from '../infra/embedded-postgres';
import { RunningTemporal, startTemporalDevServer } from '../infra/temporal-dev-server';
import { openDatabase } from '../persistence/data-source';
import { bootstrapAdmin } from '../persistence/users-store';

/**
 * `npm start`: the whole platform on one machine. PostgreSQL (DATABASE_URL or embedded), Temporal
 * (TEMPORAL_ADDRESS or the CLI dev server with its UI), then the worker and the API as two processes.
 * Data stays under .data/ between starts; Ctrl-C stops everything.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const dataDir = resolve(config.dataDir);
  const stops: (() => Promise<void>)[] = [];
  const children: ChildProcess[] = [];
  let stopping = false;

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping wardline…');
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((done) => {
            if (c.exitCode !== null || c.signalCode !== null) return done();
            c.once('exit', () => done());
            c.kill('SIGTERM');
            setTimeout(() => c.kill('SIGKILL'), 15_000).unref();
          }),
      ),
    );
    for (const stop of stops.reverse()) await stop().catch((err) => console.error(err));
    process.exit(code);
  };
  // embedded-postgres's exit hook may end this process before shutdown() finishes: children still get SIGTERM.
  process.on('exit', () => children.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill('SIGTERM')));
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
  await ds.destroy();

  const env = { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, PORT: String(config.port) };
  const run = (name: string, script: string) => {
    const child = spawn(process.execPath, [join(__dirname, '..', script)], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`${name} exited (${signal ?? code}); stopping the platform`);
        void shutdown(1);
      }
    });
    children.push(child);
  };
  run('worker', 'worker.js');
  run('api', join('api', 'main.js'));

  const api = `http://localhost:${config.port}`;
  await waitForApi(`${api}/health/live`);
  console.log('');
  console.log('Wardline is up.');
  console.log(`  API:         ${api}`);
  console.log(`  API docs:    ${api}/docs   (OpenAPI JSON: ${api}/docs-json)`);
  console.log(`  Temporal UI: ${temporalUi ?? '(external Temporal: see its own UI)'}`);
  if (adminToken) console.log(`  Admin token: ${adminToken}   (first start: shown once, keep it safe)`);
  console.log('Press Ctrl-C to stop.');
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
