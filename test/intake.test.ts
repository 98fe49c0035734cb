import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { IncidentCommand, IncidentView } from '../src/domain/incident-process';
import { OutboxDispatcher } from '../src/intake/dispatcher';
import { IncidentReport, openIncident } from '../src/intake/incidents';
import { enqueue } from '../src/intake/outbox';
import { CalendarStore } from '../src/persistence/calendar-store';
import { vendorEventSignal } from '../src/shared/escalation-messages';
import { INCIDENT_WORKFLOW_TYPE, incidentCommandUpdate, incidentViewQuery } from '../src/shared/incident-messages';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { waitUntil } from './support/workflow-input';

/**
 * Issue 10's intake: the incident and its outbox entry commit together and the API answers at once; the dispatcher
 * starts, signals and updates workflows from the outbox in order, each once; an action on an incident whose workflow
 * has not started yet starts it (Update-with-Start). The worker of this platform runs no dispatcher, so each test
 * decides when one runs.
 */
describe('intake and the workflow outbox', () => {
  let p: TestPlatform;
  let dispatcher: TestUser;
  let engineer: TestUser;
  let calendars: CalendarStore;
  const dispatchers: OutboxDispatcher[] = [];

  const report = (overrides: Partial<IncidentReport> = {}): IncidentReport => ({
    system: 'SYS-11',
    title: 'PACS 影像无法调阅',
    description: '放射科所有工作站打不开影像',
    reporter: { name: '李护士长', department: '放射科', phone: '8021' },
    priority: 'P2',
    channel: 'api',
    openedBy: { id: 'intake-test', name: '接口' },
    ...overrides,
  });
  const deps = () => ({ dataSource: p.ds, calendars, taskQueue: p.config.taskQueue });
  const newDispatcher = (overrides: Partial<ConstructorParameters<typeof OutboxDispatcher>[0]> = {}) => {
    const d = new OutboxDispatcher({ dataSource: p.ds, databaseUrl: p.db.url, temporal: p.temporal, taskQueue: p.config.taskQueue, sweepMs: 200, ...overrides });
    dispatchers.push(d);
    return d;
  };
  const outbox = (workflowId: string) =>
    p.ds.query(`SELECT id, operation, state, attempts, outcome, last_error FROM workflow_outbox WHERE workflow_id = $1 ORDER BY id`, [workflowId]);
  const runs = async (workflowId: string) => {
    const found: string[] = [];
    for await (const w of p.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) found.push(w.runId);
    return found;
  };

  beforeAll(async () => {
    p = await startPlatform({ config: { dispatcher: false } });
    calendars = new CalendarStore(p.ds, p.config.timeZone);
    dispatcher = await p.user(['dispatcher'], '王调度');
    engineer = await p.user(['engineer'], '李工');
  });
  // A test that fails half-way must not leave its dispatcher holding the lock for the next one.
  afterEach(async () => {
    for (const d of dispatchers.splice(0)) await d.stop();
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('commits the incident, its opening and its outbox entry together, with the domain deadlines and gapless numbers', async () => {
    const reportedAt = Date.parse('2026-11-20T09:00:00+08:00');
    const opened = await Promise.all(Array.from({ length: 12 }, (_, i) => openIncident(deps(), report({ reportedAt, title: `并发 ${i}` }))));
    const numbers = opened.map((o) => o.number).sort();
    const day = numbers[0].slice(0, 13);
    const first = Number(numbers[0].slice(13));
    expect(numbers).toEqual(Array.from({ length: 12 }, (_, i) => `${day}${String(first + i).padStart(4, '0')}`));
    const o = opened[0];
    expect(o.created).toBe(true);
    expect(o.workflowId).toBe(`incident-${o.number}-${o.incidentId.slice(0, 8)}`);
    // S10 working time (Friday 09:00): 30 min to respond, 60 min on site; S2: two working days to repair (P2).
    const [row] = await p.ds.query(`SELECT number, state, respond_due, on_site_due, repair_due, projected_seq FROM incidents WHERE id = $1`, [o.incidentId]);
    expect(row).toEqual({
      number: o.number,
      state: 'reported',
      respond_due: new Date('2026-11-20T09:30:00+08:00'),
      on_site_due: new Date('2026-11-20T10:00:00+08:00'),
      repair_due: new Date('2026-11-24T09:00:00+08:00'),
      projected_seq: 1,
    });
    const events = await p.ds.query(`SELECT seq, type, actor_name FROM incident_events WHERE incident_id = $1`, [o.incidentId]);
    expect(events).toEqual([{ seq: 1, type: 'opened', actor_name: '接口' }]);
    const [entry] = await p.ds.query(`SELECT operation, state, workflow_type, start_args FROM workflow_outbox WHERE workflow_id = $1`, [o.workflowId]);
    expect(entry).toMatchObject({ operation: 'start', state: 'pending', workflow_type: INCIDENT_WORKFLOW_TYPE });
    expect(entry.start_args[0]).toMatchObject({ number: o.number, incidentId: o.incidentId, openedOnRecord: true, reportedAt });
  });

  it('opens one incident per intake key, also for concurrent first calls', async () => {
    const key = `pm:redmine:${Date.now()}`;
    const results = await Promise.all(Array.from({ length: 6 }, () => openIncident(deps(), report({ intakeKey: key }))));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.number)).size).toBe(1);
    const [{ count }] = await p.ds.query(`SELECT count(*)::int AS count FROM incidents WHERE intake_key = $1`, [key]);
    expect(count).toBe(1);
    const entries = await outbox(results[0].workflowId);
    expect(entries).toHaveLength(1);
  });

  it('refuses unknown systems and assignees and reports from the future or too far back, writing nothing', async () => {
    const [{ before }] = await p.ds.query(`SELECT count(*)::int AS before FROM workflow_outbox`);
    await expect(openIncident(deps(), report({ system: 'SYS-999' }))).rejects.toMatchObject({ reason: 'UNKNOWN_SYSTEM', field: 'systemId' });
    await expect(openIncident(deps(), report({ assigneeId: dispatcher.id }))).rejects.toMatchObject({ reason: 'UNKNOWN_ASSIGNEE', field: 'assigneeId' });
    await expect(openIncident(deps(), report({ reportedAt: Date.now() + 3_600_000 }))).rejects.toMatchObject({ reason: 'REPORTED_IN_FUTURE', field: 'reportedAt' });
    // A typo of 1970 must not become a breach on record (issue 9): too old for the default year's limit.
    await expect(openIncident(deps(), report({ reportedAt: Date.parse('1970-01-02T00:00:00Z') }))).rejects.toMatchObject({ reason: 'REPORTED_TOO_OLD', field: 'reportedAt' });
    const [{ after }] = await p.ds.query(`SELECT count(*)::int AS after FROM workflow_outbox`);
    expect(after).toBe(before);
  });

  it('dispatches in order per workflow, marks entries done, and counts an existing workflow as started', async () => {
    const o = await openIncident(deps(), report({ assigneeId: engineer.id }));
    const actor = { id: engineer.id, name: '李工', roles: ['engineer'] };
    const hospital = { id: dispatcher.id, name: '王调度', roles: ['dispatcher'] };
    // Out of order these would be refused (confirm needs resolved, resolve needs acknowledged).
    const commands: IncidentCommand[] = [
      { action: 'acknowledge', actor },
      { action: 'resolve', actor, cause: 'c', fix: 'f', category: 'other' },
      { action: 'confirm', actor: hospital },
    ];
    for (const c of commands) await enqueue(p.ds, { operation: 'update', workflowId: o.workflowId, name: incidentCommandUpdate.name, args: [c] });
    // A second start of the same workflow (say, enqueued by a retry that had no intake key) starts nothing.
    const [start] = await p.ds.query(`SELECT start_args FROM workflow_outbox WHERE workflow_id = $1 AND operation = 'start'`, [o.workflowId]);
    await enqueue(p.ds, { operation: 'start', workflowId: o.workflowId, start: { workflowType: INCIDENT_WORKFLOW_TYPE, args: start.start_args } });

    const d = newDispatcher();
    await d.start();
    const entries = await waitUntil('the outbox settled', async () => {
      const rows = await outbox(o.workflowId);
      return rows.every((r: { state: string }) => r.state !== 'pending') ? rows : null;
    });
    expect(entries.map((e: { operation: string; state: string; outcome: string }) => [e.operation, e.state, e.outcome])).toEqual([
      ['start', 'done', 'started'],
      ['update', 'done', 'updated'],
      ['update', 'done', 'updated'],
      ['update', 'done', 'updated'],
      ['start', 'done', 'already started'],
    ]);
    const view = await waitUntil('the confirmation', async () => {
      const v: IncidentView = await p.temporal.workflow.getHandle(o.workflowId).query(incidentViewQuery);
      return v.state === 'confirmed' ? v : null;
    });
    expect(view.milestones.acknowledgedAt).toBeDefined();
    expect(await runs(o.workflowId)).toHaveLength(1);
    // The intake wrote the opening; the workflow did not write it again (one `opened`, seq 1).
    const opened = await p.ds.query(`SELECT seq FROM incident_events WHERE incident_id = $1 AND type = 'opened'`, [o.incidentId]);
    expect(opened).toEqual([{ seq: 1 }]);
    await d.stop();
  });

  it('signals once even when an entry is dispatched twice, and ends what can never succeed as failed', async () => {
    const o = await openIncident(deps(), report());
    const d = newDispatcher();
    await d.start();
    await waitUntil('started', async () => (await outbox(o.workflowId))[0].state === 'done');
    const vendorEvent = { type: 'vendor_remote_session', at: Date.now(), actor: null, note: '远程会话', data: {} };
    const signal = await enqueue(p.ds, { operation: 'signal', workflowId: o.workflowId, name: vendorEventSignal.name, args: [vendorEvent], dedupeKey: `sig-${o.workflowId}` });
    // The same key again (a caller's retry) adds nothing.
    expect((await enqueue(p.ds, { operation: 'signal', workflowId: o.workflowId, name: vendorEventSignal.name, args: [vendorEvent], dedupeKey: `sig-${o.workflowId}` })).created).toBe(false);
    await waitUntil('signalled', async () => (await p.ds.query(`SELECT state FROM workflow_outbox WHERE id = $1`, [signal.id]))[0].state === 'done');
    // A dispatcher that died after Temporal took the signal but before marking it done sends it again: Temporal drops
    // the repeat by its request id.
    await p.ds.query(`UPDATE workflow_outbox SET state = 'pending', done_at = NULL WHERE id = $1`, [signal.id]);
    d['poke']();
    await waitUntil('signalled again', async () => (await p.ds.query(`SELECT state FROM workflow_outbox WHERE id = $1`, [signal.id]))[0].state === 'done');
    const timeline = await waitUntil('the vendor event projected', async () => {
      const rows = await p.ds.query(`SELECT type FROM incident_events WHERE incident_id = $1 AND type = 'vendor_remote_session'`, [o.incidentId]);
      return rows.length ? rows : null;
    });
    // One more signal after the repeat proves the repeat had its chance to arrive before we count.
    const marker = { ...vendorEvent, type: 'vendor_arrived', note: 'marker' };
    await enqueue(p.ds, { operation: 'signal', workflowId: o.workflowId, name: vendorEventSignal.name, args: [marker] });
    await waitUntil('the marker projected', async () =>
      (await p.ds.query(`SELECT 1 FROM incident_events WHERE incident_id = $1 AND type = 'vendor_arrived'`, [o.incidentId])).length > 0,
    );
    expect(timeline).toHaveLength(1);
    expect(await p.ds.query(`SELECT type FROM incident_events WHERE incident_id = $1 AND type = 'vendor_remote_session'`, [o.incidentId])).toHaveLength(1);

    // An update the workflow refuses, and a signal to a workflow that does not exist: failed, not retried forever.
    const refused = await enqueue(p.ds, { operation: 'update', workflowId: o.workflowId, name: incidentCommandUpdate.name, args: [{ action: 'close', actor: { id: dispatcher.id, name: '王调度', roles: ['dispatcher'] } }] });
    const missing = await enqueue(p.ds, { operation: 'signal', workflowId: `incident-none-${Date.now()}`, name: vendorEventSignal.name, args: [vendorEvent] });
    const settled = await waitUntil('the failures recorded', async () => {
      const rows = await p.ds.query(`SELECT id, state, last_error FROM workflow_outbox WHERE id = ANY($1::bigint[]) AND state <> 'pending' ORDER BY id`, [[refused.id, missing.id]]);
      return rows.length === 2 ? rows : null;
    });
    expect(settled.map((r: { state: string }) => r.state)).toEqual(['failed', 'failed']);
    expect(settled[0].last_error).toContain('update refused');
    expect(settled[1].last_error).toContain('not found');
    await d.stop();
  });

  it('starts again, on taking the lock, a workflow Temporal lost after it was recorded as started', async () => {
    const o = await openIncident(deps(), report());
    const first = newDispatcher();
    await first.start();
    await waitUntil('started', async () => (await outbox(o.workflowId))[0].state === 'done');
    await first.stop();
    // What a PostgreSQL crash under Temporal's synchronous_commit=off can do: the workflow is gone, the outbox says done.
    const [run] = await runs(o.workflowId);
    await p.temporal.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: o.workflowId, runId: run } });
    await waitUntil('Temporal forgot it', async () => p.temporal.workflow.getHandle(o.workflowId).describe().then(() => false, () => true));
    const next = newDispatcher();
    await next.start();
    const entry = await waitUntil('started again', async () => {
      const [e] = await outbox(o.workflowId);
      return e.state === 'done' && e.outcome === 'started' && e.attempts >= 2 ? e : null;
    });
    expect(entry.last_error).toBeNull();
    await waitUntil('running again', async () => (await p.temporal.workflow.getHandle(o.workflowId).describe()).status.name === 'RUNNING');
  });

  it('lets one dispatcher of several dispatch; another takes over when it stops', async () => {
    const a = newDispatcher();
    const b = newDispatcher();
    await a.start();
    await b.start();
    await waitUntil('a leader', async () => a.isLeader || b.isLeader);
    await new Promise((r) => setTimeout(r, 500));
    expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1);
    const [leader, standby] = a.isLeader ? [a, b] : [b, a];
    await leader.stop();
    const o = await openIncident(deps(), report());
    await waitUntil('the standby took over and started it', async () => (await outbox(o.workflowId))[0].state === 'done', 30_000);
    expect(standby.isLeader).toBe(true);
    await standby.stop();
  });

  it('answers GET at once after the 201, and an action before the workflow started starts it (Update-with-Start)', async () => {
    const opened = await p.call('POST', '/incidents', dispatcher.token, {
      systemId: 'SYS-11',
      title: '检验系统无法出报告',
      description: '检验科',
      reporter: { name: '张老师', department: '检验科' },
      priority: 'P1',
      channel: 'phone',
      assigneeId: engineer.id,
    });
    expect(opened.status).toBe(201);
    const n = opened.body.number;
    const detail = await p.call('GET', `/incidents/${n}`, dispatcher.token);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ number: n, state: 'reported', deadlines: opened.body.deadlines, assignee: { id: engineer.id } });
    expect(detail.body.timeline.map((e: { type: string }) => e.type)).toEqual(['opened']);
    const [row] = await p.ds.query(`SELECT workflow_id FROM incidents WHERE number = $1`, [n]);
    expect((await outbox(row.workflow_id))[0].state).toBe('pending');
    expect(await runs(row.workflow_id)).toEqual([]);

    // Illegal before the start: the same 409 as on a running workflow (and the workflow now runs).
    const refused = await p.call('POST', `/incidents/${n}/confirm`, dispatcher.token, {});
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', state: 'reported' });
    const ack = await p.call('POST', `/incidents/${n}/acknowledge`, engineer.token, {});
    expect(ack.status).toBe(200);
    expect(ack.body.state).toBe('acknowledged');

    // The dispatcher comes later: the workflow exists, so its start is done without a second run.
    const d = newDispatcher();
    await d.start();
    await waitUntil('the start entry settled', async () => (await outbox(row.workflow_id))[0].state === 'done');
    expect((await outbox(row.workflow_id))[0].outcome).toBe('already started');
    expect(await runs(row.workflow_id)).toHaveLength(1);
    const after = await p.call('GET', `/incidents/${n}`, dispatcher.token);
    expect(after.body.timeline.filter((e: { type: string }) => e.type === 'opened')).toHaveLength(1);
    await d.stop();
  });

  it('an action that starts the workflow with it comes after the opening: its event and the row are projected', async () => {
    const colleague = await p.user(['engineer'], '赵工');
    const opened = await p.call('POST', '/incidents', dispatcher.token, {
      systemId: 'SYS-11',
      title: '检验系统接口中断',
      description: '检验科',
      reporter: { name: '张老师', department: '检验科' },
      priority: 'P2',
      channel: 'phone',
      assigneeId: colleague.id,
    });
    const n = opened.body.number;
    // No dispatcher runs here: the acknowledgement is delivered with the start, in the workflow's first task.
    const ack = await p.call('POST', `/incidents/${n}/acknowledge`, engineer.token, {});
    expect(ack.status).toBe(200);
    expect(ack.body.assignee).toEqual({ id: engineer.id, name: '李工' });
    const detail = await p.call('GET', `/incidents/${n}`, dispatcher.token);
    expect(detail.body).toMatchObject({ state: 'acknowledged', assignee: { id: engineer.id, name: '李工' } });
    expect(detail.body.timeline.map((e: { seq: number; type: string }) => [e.seq, e.type])).toEqual([
      [1, 'opened'],
      [2, 'acknowledge'],
    ]);
    // The opening was announced to the engineer it was assigned to when it opened.
    const told = await waitUntil('the opening notice', async () => {
      const rows: { recipient_id: string }[] = await p.ds.query(
        `SELECT d.recipient_id FROM notification_deliveries d JOIN incidents i ON i.id = d.incident_id WHERE i.number = $1 AND d.event = 'incident_opened'`,
        [n],
      );
      return rows.length > 0 ? rows : null;
    });
    expect(told.map((r) => r.recipient_id)).toEqual([colleague.id]);
  });
});
