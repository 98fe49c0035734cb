import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startEmbeddedPostgres } from '../../src/infra/embedded-postgres';
import { freePort } from '../../src/infra/net';
import { startTemporalDevServer } from '../../src/infra/temporal-dev-server';

const ROOT = resolve(__dirname, '..', '..');

/**
 * Real components for the whole run: PostgreSQL (DATABASE_URL, else embedded) and Temporal
 * (TEMPORAL_ADDRESS, else the CLI dev server, in memory). The workflow code is bundled once here.
 * Each test file then makes its own database and task queue, so files never share state.
 */
export default async function globalSetup(): Promise<void> {
  const dir = join(ROOT, '.data', 'test');
  mkdirSync(dir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];

  if (process.env.DATABASE_URL) {
    process.env.WARDLINE_TEST_DATABASE_URL = process.env.DATABASE_URL;
  } else {
    const pg = await startEmbeddedPostgres({
      dataDir: join(dir, `pg-${process.pid}`),
      port: await freePort(),
      database: 'wardline_test',
      persistent: false,
    });
    stops.push(pg.stop);
    process.env.WARDLINE_TEST_DATABASE_URL = pg.url;
  }

  if (process.env.TEMPORAL_ADDRESS) {
    process.env.WARDLINE_TEST_TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS;
  } else {
    const temporal = await startTemporalDevServer({ port: await freePort() });
    stops.push(temporal.stop);
    process.env.WARDLINE_TEST_TEMPORAL_ADDRESS = temporal.address;
  }

  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    logger: { info: () => undefined, warn: () => undefined, error: console.error, debug: () => undefined, trace: () => undefined, log: () => undefined },
  });
  const bundlePath = join(dir, `workflow-bundle-${process.pid}.js`);
  writeFileSync(bundlePath, bundle.code);
  process.env.WARDLINE_TEST_WORKFLOW_BUNDLE = bundlePath;

  (globalThis as { __wardlineStops?: typeof stops }).__wardlineStops = stops;
}
