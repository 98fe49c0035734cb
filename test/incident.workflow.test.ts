import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import { IncidentCommand, IncidentCommandBody } from '../src/domain/incident-process';
import { INCIDENT_WORKFLOW_TYPE, incidentCommandUpdate, incidentOpenedUpdate, incidentViewQuery, incidentWorkflowId } from '../src/shared/incident-messages';
import { TestDatabase, createTestDatabase } from './support/database';
import { startWorker, testConfig } from './support/platform';
import { incidentInput, shrunkPolicy, waitUntil } from './support/workflow-input';

/** The incident workflow on a real Temporal dev server with its SLA timers shrunk to seconds (S10, S2). */
describe('incident workflow timers', () => {
  let db: TestDatabase;
  let client: Client;
  let connection: Connection;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  const config = testConfig();
  // The test drives the workflow as an administrator; who may take which action is covered by the domain specs.
  const actor = { id: 'eng', name: '李工', roles: ['admin'] };

  beforeAll(async () => {
    db = await createTestDatabase();
    worker = await startWorker({ ...config, databaseUrl: db.url }, db.dataSource);
    connection = await Connection.connect({ address: config.temporalAddress! });
    client = new Client({ connection });
  });
  afterAll(async () => {
    await worker?.stop();
    await connection?.close();
    await db?.drop();
  });

  const events = (incidentId: string) =>
    db.dataSource.query(`SELECT seq, type, at, data FROM incident_events WHERE incident_id = $1 ORDER BY seq`, [incidentId]);

  async function open(seconds: { respond: number; onSite: number; repair: number }) {
    const input = await incidentInput(db.dataSource, shrunkPolicy(seconds));
    const handle = await client.workflow.start(INCIDENT_WORKFLOW_TYPE, {
      workflowId: incidentWorkflowId(input.number, input.incidentId),
      taskQueue: config.taskQueue,
      args: [input],
    });
    await handle.executeUpdate(incidentOpenedUpdate);
    const act = (command: IncidentCommandBody) =>
      handle.executeUpdate(incidentCommandUpdate, { args: [{ ...command, actor } as IncidentCommand] });
    return { input, handle, act };
  }

  it('warns, then records the breach at the deadline, and announces it; a stopped clock never breaches', async () => {
    // Seconds, not fractions of one: the opening's own notices must be done before the first warning falls due,
    // or on a loaded machine the warning and the breach fall due together and only the breach is announced.
    const { input, act } = await open({ respond: 4, onSite: 120, repair: 12 });
    const breach = await waitUntil('the respond breach', async () =>
      (await events(input.incidentId)).find((e: any) => e.type === 'sla_breached' && e.data.clock === 'respond'),
    );
    expect(new Date(breach.at).getTime()).toBe(input.reportedAt + 4000);
    await act({ action: 'arrive' });
    await waitUntil('the repair breach', async () =>
      (await events(input.incidentId)).find((e: any) => e.type === 'sla_breached' && e.data.clock === 'repair'),
    );
    const view = await act({ action: 'resolve', cause: '磁盘满', fix: '扩容', category: 'system_error_fix' });
    expect(view.state).toBe('resolved');
    expect(view.clocks.on_site.breached).toBe(false);

    const timeline = (await events(input.incidentId)).map((e: any) => (e.type.startsWith('sla_') ? `${e.type}:${e.data.clock}` : e.type));
    // The arrival races the repair warning (at 6 s), so its place is checked on its own.
    // Unacknowledged past the response deadline, the vendor escalation starts too (its own tests cover it).
    expect(timeline).toContain('escalated');
    expect(timeline.filter((t: string) => t !== 'arrive' && !t.startsWith('escalat'))).toEqual([
      'opened',
      'sla_warning:respond',
      'sla_breached:respond',
      'sla_warning:repair',
      'sla_breached:repair',
      'resolve',
    ]);
    expect(timeline.indexOf('arrive')).toBeGreaterThan(timeline.indexOf('sla_breached:respond'));
    expect(timeline.indexOf('arrive')).toBeLessThan(timeline.indexOf('sla_breached:repair'));
    const [row] = await db.dataSource.query(`SELECT breached, breached_clocks, state FROM incidents WHERE id = $1`, [input.incidentId]);
    expect(row).toEqual({ breached: true, breached_clocks: ['respond', 'repair'], state: 'resolved' });
    const notices = await db.dataSource.query(
      `SELECT recipient_role, title, body FROM notifications WHERE incident_id = $1 AND event = 'sla_breached' ORDER BY recipient_role`,
      [input.incidentId],
    );
    // S10/S12: the breach reaches the vendor's project manager and the hospital's dispatchers, in Chinese.
    expect(notices.filter((n: any) => n.title.includes('响应时限')).map((n: any) => n.recipient_role)).toEqual(['dispatcher', 'project_manager']);
    expect(notices[0].body).toContain('履约证据');
  });

  it('a paused repair clock excludes the pause: resuming moves the deadline by the pause', async () => {
    const { input, handle, act } = await open({ respond: 60, onSite: 120, repair: 3 });
    await act({ action: 'acknowledge' });
    await new Promise((r) => setTimeout(r, 500));
    const paused = await act({ action: 'pause_repair_clock', reason: '等待院方停机窗口' });
    expect(paused.clocks.repair.state).toBe('paused');
    expect(paused.clocks.repair.deadline).toBeNull();
    // Time passes while paused (the test is about that); the workflow's own state says nothing breached.
    await new Promise((r) => setTimeout(r, 3500));
    const whilePaused = await handle.query(incidentViewQuery);
    expect(whilePaused.clocks.repair).toMatchObject({ state: 'paused', breached: false, deadline: null });
    expect(whilePaused.breached).toBe(false);
    const resumed = await act({ action: 'resume_repair_clock' });
    const pause = resumed.clocks.repair.pauses[0];
    const pauseMs = pause.to! - pause.from;
    expect(pauseMs).toBeGreaterThanOrEqual(3500);
    expect(resumed.clocks.repair.deadline).toBe(input.reportedAt + 3000 + pauseMs);
    const breach = await waitUntil('the repair breach', async () =>
      (await events(input.incidentId)).find((e: any) => e.type === 'sla_breached' && e.data.clock === 'repair'),
    );
    expect(new Date(breach.at).getTime()).toBe(input.reportedAt + 3000 + pauseMs);
  });

  it('refuses an illegal command in the validator, before it reaches history', async () => {
    const { handle, act } = await open({ respond: 60, onSite: 120, repair: 60 });
    await expect(act({ action: 'close' })).rejects.toMatchObject({ cause: { type: 'ILLEGAL_TRANSITION' } });
    await expect(act({ action: 'resume_repair_clock' })).rejects.toMatchObject({ cause: { type: 'ILLEGAL_TRANSITION' } });
    const history = await handle.fetchHistory();
    const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    // Only the opening Update was accepted; the refused ones left no trace in the history.
    expect(accepted).toHaveLength(1);
    await act({ action: 'cancel', reason: 'test done' });
    await handle.result();
  });
});
