import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import { AlertGroupNews, AlertNote } from '../src/domain/alerts/news';
import { IncidentCommand, IncidentCommandBody } from '../src/domain/incident-process';
import { alertGroupSignal } from '../src/shared/alert-messages';
import { INCIDENT_WORKFLOW_TYPE, incidentCommandUpdate, incidentOpenedUpdate, incidentViewQuery, incidentWorkflowId } from '../src/shared/incident-messages';
import { TestDatabase, createTestDatabase } from './support/database';
import { startWorker, testConfig } from './support/platform';
import { incidentInput, shrunkPolicy, waitUntil } from './support/workflow-input';

/**
 * The incident workflow hears its alert group (P3) on the real Temporal server: all clear before anyone acknowledged
 * → recovered (clocks paused, dispatchers told), firing again → reported again; after a repair, firing again reopens.
 */
describe('incident workflow and its alert group', () => {
  let db: TestDatabase;
  let client: Client;
  let connection: Connection;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  const config = testConfig();
  let engineerId: string;
  const engineer = () => ({ id: engineerId, name: '李工', roles: ['engineer'] });

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(`INSERT INTO users (username, display_name, roles) VALUES ('disp-alerts', '王调度', '{dispatcher}')`);
    [{ id: engineerId }] = await db.dataSource.query(`INSERT INTO users (username, display_name, roles) VALUES ('eng-alerts', '李工', '{engineer}') RETURNING id`);
    worker = await startWorker({ ...config, databaseUrl: db.url }, db.dataSource);
    connection = await Connection.connect({ address: config.temporalAddress! });
    client = new Client({ connection });
  });
  afterAll(async () => {
    await worker?.stop();
    await connection?.close();
    await db?.drop();
  });

  const note = (fingerprint: string): AlertNote => ({ alertId: `a-${fingerprint}`, fingerprint, alertname: 'FilesystemAlmostFull', summary: `磁盘空间不足 ${fingerprint}`, severity: 'high', startsAt: Date.now(), endsAt: null });
  const news = (over: Partial<AlertGroupNews>): AlertGroupNews => ({ groupId: 'g', at: Date.now(), fired: [], resolved: [], allResolved: false, ...over });
  const timeline = async (incidentId: string) =>
    (await db.dataSource.query(`SELECT type, from_state, to_state FROM incident_events WHERE incident_id = $1 ORDER BY seq`, [incidentId])).map((e: any) => e.type);

  async function open(over: { priority?: 'P1' | 'P2' | 'P3' | 'P4' } = {}) {
    const input = await incidentInput(db.dataSource, shrunkPolicy({ respond: 600, onSite: 1200, repair: 3600 }), { channel: 'alert', ...over });
    const handle = await client.workflow.start(INCIDENT_WORKFLOW_TYPE, { workflowId: incidentWorkflowId(input.number, input.incidentId), taskQueue: config.taskQueue, args: [input] });
    await handle.executeUpdate(incidentOpenedUpdate);
    const act = (command: IncidentCommandBody, actor: { id: string; name: string; roles: string[] } = { id: 'disp', name: '王调度', roles: ['dispatcher'] }) => handle.executeUpdate(incidentCommandUpdate, { args: [{ ...command, actor } as IncidentCommand] });
    const state = async (want: string) => waitUntil(`state ${want}`, async () => ((await handle.query(incidentViewQuery)).state === want ? true : null));
    return { input, handle, act, state };
  }

  it('recovers by itself, tells the dispatchers, runs on when it fires again, and closes on a dispatcher’s confirmation', async () => {
    const { input, handle, act, state } = await open();
    await handle.signal(alertGroupSignal, news({ fired: [note('b')] }));
    await handle.signal(alertGroupSignal, news({ resolved: [note('a'), note('b')], allResolved: true }));
    await state('recovered');
    const paused = await handle.query(incidentViewQuery);
    expect(paused.clocks.respond.state).toBe('paused');
    expect(paused.allowedActions).toEqual(['cancel', 'assign', 'confirm_recovery']);
    // The row the API reads follows (the projection runs right after the state changes).
    await waitUntil('the recovered row', async () => (await db.dataSource.query(`SELECT 1 FROM incidents WHERE id = $1 AND state = 'recovered'`, [input.incidentId])).length > 0);
    const told = await waitUntil('the dispatchers told', async () => {
      const rows = await db.dataSource.query(`SELECT title, recipient_label FROM notification_deliveries WHERE incident_id = $1 AND title LIKE '%告警已自动恢复%'`, [input.incidentId]);
      return rows.length > 0 ? rows : null;
    });
    expect(told.map((r: any) => r.recipient_label)).toContain('王调度');
    expect(told[0].title).toContain(input.number);

    await handle.signal(alertGroupSignal, news({ fired: [note('a')] }));
    await state('reported');
    expect((await handle.query(incidentViewQuery)).clocks.respond.state).toBe('running');
    await handle.signal(alertGroupSignal, news({ resolved: [note('a')], allResolved: true }));
    await state('recovered');
    const closed = await act({ action: 'confirm_recovery' });
    expect(closed.state).toBe('closed');
    await handle.result();
    expect(await timeline(input.incidentId)).toEqual(['opened', 'alerts_fired', 'auto_recovered', 'alert_refired', 'auto_recovered', 'confirm_recovery']);
  });

  it('raises its priority when the intake says the group’s severity rose (patch incident-alert-priority)', async () => {
    const { input, handle, act } = await open({ priority: 'P3' });
    expect((await handle.query(incidentViewQuery)).priority).toBe('P3');
    await handle.signal(alertGroupSignal, news({ fired: [{ ...note('c'), severity: 'critical' }], raisePriority: { to: 'P1', severity: 'critical' } }));
    await waitUntil('priority P1', async () => ((await handle.query(incidentViewQuery)).priority === 'P1' ? true : null));
    await waitUntil('the P1 row', async () => (await db.dataSource.query(`SELECT 1 FROM incidents WHERE id = $1 AND priority = 'P1'`, [input.incidentId])).length > 0);
    await act({ action: 'cancel', reason: '重复工单' });
    await handle.result();
    expect(await timeline(input.incidentId)).toEqual(['opened', 'alerts_fired', 'change_priority', 'cancel']);
  });

  it('after acknowledgement a clear is an entry; after a repair a fire reopens it', async () => {
    const { input, handle, act, state } = await open();
    await act({ action: 'acknowledge' }, engineer());
    await handle.signal(alertGroupSignal, news({ resolved: [note('a')], allResolved: true }));
    await waitUntil('the clear noted', async () => ((await timeline(input.incidentId)).includes('alerts_resolved') ? true : null));
    expect((await handle.query(incidentViewQuery)).state).toBe('acknowledged');
    await act({ action: 'resolve', cause: '日志写满', fix: '清理日志', category: 'system_error_fix' }, engineer());
    await handle.signal(alertGroupSignal, news({ fired: [note('a')] }));
    await state('reopened');
    await waitUntil('the reopening recorded', async () => ((await timeline(input.incidentId)).length === 6 ? true : null));
    expect(await timeline(input.incidentId)).toEqual(['opened', 'acknowledge', 'alerts_resolved', 'resolve', 'reopen', 'alerts_fired']);
    await act({ action: 'arrive' }, engineer());
    await act({ action: 'resolve', cause: 'c', fix: 'f', category: 'other' }, engineer());
    await act({ action: 'confirm' });
    await act({ action: 'close' });
    await handle.result();
  });
});
