import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { forecastSettingsOf } from '../src/infra/forecast-schedule';
import { freePort, waitFor } from '../src/infra/net';
import { TestDatabase, createTestDatabase } from './support/database';
import { RunningMonitoring, startMonitoring } from './support/monitoring';
import { testConfig } from './support/platform';

const WORKER = join(__dirname, '..', 'dist', 'src', 'worker.js');

/**
 * The compiled worker with WARDLINE_WORKER_METRICS_ADDRESS serves Temporal's SDK metrics (workflow and activity task
 * latency) for the `wardline-worker` job of monitoring/prometheus.yml, which the real Prometheus scrapes here.
 */
describe('worker metrics', () => {
  let db: TestDatabase;
  let connection: Connection;
  let client: Client;
  let worker: ChildProcess;
  let monitoring: RunningMonitoring;
  let address: string;
  const config = testConfig();

  beforeAll(async () => {
    if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: npm test builds it first (npm run build)`);
    db = await createTestDatabase();
    connection = await Connection.connect({ address: config.temporalAddress! });
    client = new Client({ connection });
    address = `127.0.0.1:${await freePort()}`;
    worker = spawn(process.execPath, [WORKER], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        TEMPORAL_ADDRESS: config.temporalAddress,
        WARDLINE_TASK_QUEUE: config.taskQueue,
        WARDLINE_WORKFLOW_BUNDLE: process.env.WARDLINE_TEST_WORKFLOW_BUNDLE,
        WARDLINE_WORKER_METRICS_ADDRESS: address,
        WARDLINE_PROMETHEUS_URL: '',
      },
      stdio: 'ignore',
    });
    monitoring = await startMonitoring({ jobs: { 'wardline-worker': [{ targets: [address] }] } });
  }, 120_000);

  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      const gone = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGTERM');
      await gone;
    }
    await monitoring?.stop();
    await connection?.close();
    await db?.drop();
  });

  it('runs the forecast workflow (refused without a Prometheus, not retried) and reports workflow task latency', async () => {
    const handle = await client.workflow.start('forecastWorkflow', {
      workflowId: `forecast-metrics-${randomUUID()}`,
      taskQueue: config.taskQueue,
      args: [{ settings: forecastSettingsOf(config) }],
    });
    const failure = await handle.result().then(
      () => null,
      (err) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause?.cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('MONITORING_NOT_CONFIGURED');

    const text = await waitFor('worker metrics', async () => {
      const t = await (await fetch(`http://${address}/metrics`)).text();
      if (!/temporal_workflow_task_execution_latency_seconds_bucket/.test(t)) throw new Error('no workflow task metrics yet');
      return t;
    });
    expect(text).toMatch(/^temporal_workflow_task_schedule_to_start_latency_seconds_bucket\{/m);
    expect(text).toMatch(/^temporal_activity_execution_latency_seconds_bucket\{/m);
    await waitFor(
      'Prometheus scraping the worker',
      async () => {
        const rows = await monitoring.query('sum(temporal_workflow_task_schedule_to_start_latency_seconds_count{job="wardline-worker"})');
        if (!(Number(rows[0]?.value[1]) >= 1)) throw new Error(JSON.stringify(rows));
      },
      30_000,
    );
  });
});
