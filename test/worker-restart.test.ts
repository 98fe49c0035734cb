import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IncidentCommand } from '../src/domain/incident-process';
import { INCIDENT_WORKFLOW_TYPE, incidentCommandUpdate, incidentOpenedUpdate, incidentWorkflowId } from '../src/shared/incident-messages';
import { TestDatabase, createTestDatabase } from './support/database';
import { testConfig } from './support/platform';
import { incidentInput, shrunkPolicy, waitUntil } from './support/workflow-input';

const WORKER = join(__dirname, '..', 'dist', 'src', 'worker.js');

/** Killing the worker process mid-incident loses nothing: the timer fires while it is down and is handled after. */
describe('worker restart', () => {
  let db: TestDatabase;
  let connection: Connection;
  let client: Client;
  const config = testConfig();
  const running: ChildProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: npm test builds it first (npm run build)`);
    db = await createTestDatabase();
    connection = await Connection.connect({ address: config.temporalAddress! });
    client = new Client({ connection });
  });
  afterAll(async () => {
    for (const c of running) if (c.exitCode === null) c.kill('SIGKILL');
    await connection?.close();
    await db?.drop();
  });

  /** The compiled worker as its own OS process, the way `npm start` and docker-compose run it. */
  function spawnWorker(): ChildProcess {
    const child = spawn(process.execPath, [WORKER], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        TEMPORAL_ADDRESS: config.temporalAddress,
        WARDLINE_TASK_QUEUE: config.taskQueue,
        WARDLINE_WORKFLOW_BUNDLE: process.env.WARDLINE_TEST_WORKFLOW_BUNDLE,
      },
      stdio: 'ignore',
    });
    running.push(child);
    return child;
  }

  const breaches = (incidentId: string) =>
    db.dataSource.query(`SELECT at, data FROM incident_events WHERE incident_id = $1 AND type = 'sla_breached'`, [incidentId]);

  it('fires the breach that fell due while no worker ran, once, at the contract deadline', async () => {
    const first = spawnWorker();
    const input = await incidentInput(db.dataSource, shrunkPolicy({ respond: 3, onSite: 600, repair: 600 }, []));
    const handle = await client.workflow.start(INCIDENT_WORKFLOW_TYPE, {
      workflowId: incidentWorkflowId(input.number),
      taskQueue: config.taskQueue,
      args: [input],
    });
    await handle.executeUpdate(incidentOpenedUpdate);

    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    await new Promise((r) => setTimeout(r, 4500));
    expect(await breaches(input.incidentId)).toEqual([]);

    spawnWorker();
    const [breach] = await waitUntil('the breach after restart', async () => {
      const rows = await breaches(input.incidentId);
      return rows.length ? rows : null;
    }, 60_000);
    expect(breach.data.clock).toBe('respond');
    expect(new Date(breach.at).getTime()).toBe(input.reportedAt + 3000);

    const actor = { id: 'eng', name: '李工' };
    const view = await handle.executeUpdate(incidentCommandUpdate, { args: [{ action: 'acknowledge', actor } as IncidentCommand] });
    expect(view.state).toBe('acknowledged');
    expect(view.clocks.respond).toMatchObject({ state: 'stopped', breached: true, breachedAt: input.reportedAt + 3000 });
    expect(await breaches(input.incidentId)).toHaveLength(1);
    const [row] = await db.dataSource.query(`SELECT state, breached, projected_seq FROM incidents WHERE id = $1`, [input.incidentId]);
    expect(row).toEqual({ state: 'acknowledged', breached: true, projected_seq: 3 });
    await handle.executeUpdate(incidentCommandUpdate, { args: [{ action: 'cancel', actor, reason: 'test done' } as IncidentCommand] });
    await handle.result();
  });
});
