import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IncidentCommand } from '../src/domain/incident-process';
import { INCIDENT_WORKFLOW_TYPE, incidentCommandUpdate, incidentOpenedUpdate, incidentWorkflowId } from '../src/shared/incident-messages';
import { TestDatabase, createTestDatabase } from './support/database';
import { testConfig } from './support/platform';
import { startReceiver } from './support/receivers';
import { incidentInput, shrunkPolicy, waitUntil } from './support/workflow-input';

const WORKER = join(__dirname, '..', 'dist', 'src', 'worker.js');

/** Killing the worker process mid-incident loses nothing: the timer fires while it is down and is handled after. */
describe('worker restart', () => {
  let db: TestDatabase;
  let connection: Connection;
  let client: Client;
  const config = testConfig();
  const running: ChildProcess[] = [];
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: npm test builds it first (npm run build)`);
    db = await createTestDatabase();
    connection = await Connection.connect({ address: config.temporalAddress! });
    client = new Client({ connection });
  });
  // Each test's workers go with it, so a later test's worker settings (say, a robot's base URL) are the only ones polling.
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    for (const c of running.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await exited(c);
    }
  });
  afterAll(async () => {
    await connection?.close();
    await db?.drop();
  });

  /** The compiled worker as its own OS process, the way `npm start` and docker-compose run it. */
  function spawnWorker(extraEnv: Record<string, string> = {}): ChildProcess {
    const child = spawn(process.execPath, [WORKER], {
      env: {
        ...process.env,
        ...extraEnv,
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

  const exited = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));

  const breaches = (incidentId: string) =>
    db.dataSource.query(`SELECT at, data FROM incident_events WHERE incident_id = $1 AND type = 'sla_breached'`, [incidentId]);

  it('fires the breach that fell due while no worker ran, once, at the contract deadline', async () => {
    const first = spawnWorker();
    const input = await incidentInput(db.dataSource, shrunkPolicy({ respond: 3, onSite: 600, repair: 600 }, []));
    const handle = await client.workflow.start(INCIDENT_WORKFLOW_TYPE, {
      workflowId: incidentWorkflowId(input.number, input.incidentId),
      taskQueue: config.taskQueue,
      args: [input],
    });
    await handle.executeUpdate(incidentOpenedUpdate);

    first.kill('SIGKILL');
    await exited(first);
    await new Promise((r) => setTimeout(r, 4500));
    expect(await breaches(input.incidentId)).toEqual([]);

    spawnWorker();
    const [breach] = await waitUntil('the breach after restart', async () => {
      const rows = await breaches(input.incidentId);
      return rows.length ? rows : null;
    }, 60_000);
    expect(breach.data.clock).toBe('respond');
    expect(new Date(breach.at).getTime()).toBe(input.reportedAt + 3000);

    const actor = { id: 'eng', name: '李工', roles: ['admin'] };
    const view = await handle.executeUpdate(incidentCommandUpdate, { args: [{ action: 'acknowledge', actor } as IncidentCommand] });
    expect(view.state).toBe('acknowledged');
    expect(view.clocks.respond).toMatchObject({ state: 'stopped', breached: true, breachedAt: input.reportedAt + 3000 });
    expect(await breaches(input.incidentId)).toHaveLength(1);
    const [row] = await db.dataSource.query(
      `SELECT state, breached, projected_seq = (SELECT max(seq) FROM incident_events WHERE incident_id = $1) AS current FROM incidents WHERE id = $1`,
      [input.incidentId],
    );
    expect(row).toEqual({ state: 'acknowledged', breached: true, current: true });
    // Not acknowledged by the response deadline: the original vendor was called in by itself (S7).
    const escalated = await waitUntil('the automatic escalation', async () =>
      (await db.dataSource.query(`SELECT data FROM incident_events WHERE incident_id = $1 AND type = 'escalated'`, [input.incidentId]))[0],
    );
    expect(escalated.data.trigger).toBe('not_acknowledged');
    await handle.executeUpdate(incidentCommandUpdate, { args: [{ action: 'cancel', actor, reason: 'test done' } as IncidentCommand] });
    await handle.result();
  });

  it('a worker killed between sending a robot message and recording it sends no duplicate', async () => {
    const robot = await startReceiver();
    closers.push(() => robot.close());
    const env = { WARDLINE_WECOM_BASE_URL: robot.base, WARDLINE_ROBOT_WINDOW_MS: '60000' };
    const first = spawnWorker(env);
    let killed = false;
    // The robot receives the message, then the worker dies before it hears the answer.
    robot.reply = () => {
      if (!killed) {
        killed = true;
        first.kill('SIGKILL');
      }
      return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
    };
    const [user] = await db.dataSource.query(`INSERT INTO users (username, display_name, roles) VALUES ('kill-test', '值班群', ARRAY['engineer']) RETURNING id`);
    await db.dataSource.query(`INSERT INTO user_channels (user_id, channels, wecom_robot_key) VALUES ($1, ARRAY['wecom'], 'robot-kill-0123456789')`, [user.id]);
    const input = await incidentInput(db.dataSource, shrunkPolicy({ respond: 600, onSite: 600, repair: 600 }, []), {
      assignee: { id: user.id, name: '值班群' },
    });
    const handle = await client.workflow.start(INCIDENT_WORKFLOW_TYPE, {
      workflowId: incidentWorkflowId(input.number, input.incidentId),
      taskQueue: config.taskQueue,
      args: [input],
    });
    await handle.executeUpdate(incidentOpenedUpdate);
    await waitUntil('the robot message', async () => robot.requests.length > 0, 30_000);
    await exited(first);

    spawnWorker(env);
    const row = await waitUntil('the delivery settled', async () => {
      const [d] = await db.dataSource.query(`SELECT status, last_error FROM notification_deliveries WHERE channel = 'wecom' AND recipient_id = $1`, [user.id]);
      return d && d.status !== 'sending' && d.status !== 'queued' ? d : null;
    }, 60_000);
    expect(row.status).toBe('unconfirmed');
    expect(row.last_error).toContain('not resent');
    await new Promise((r) => setTimeout(r, 2000));
    expect(robot.requests).toHaveLength(1);
    await handle.executeUpdate(incidentCommandUpdate, { args: [{ action: 'cancel', actor: { id: 'x', name: 'x', roles: ['admin'] }, reason: 'test done' } as IncidentCommand] });
  });
});
