import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestPlatform, TestUser, startPlatform } from './support/platform';

/**
 * GET /health: PostgreSQL, Temporal, the worker polling the task queue, and whether the working calendar (S10)
 * covers the next 60 days, which decides every repair deadline. The API's clock is set per test.
 */
const at = (iso: string) => Date.parse(iso);

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('health with a worker', () => {
  let p: TestPlatform;
  let engineer: TestUser;
  let now = at('2026-06-01T10:00:00+08:00');

  // The details (addresses, task queue) are for admins (issue 9); others see the status alone.
  const health = () => p.call('GET', '/health', p.adminToken);
  const coverageNotes = () =>
    p.ds.query(`SELECT event, recipient_role, recipient_id, incident_id, title, body FROM notifications WHERE event = 'calendar_not_covered'`);

  beforeAll(async () => {
    p = await startPlatform({ clock: { now: () => now } });
    engineer = await p.user(['engineer'], '李工');
  });
  afterAll(() => p?.stop());

  it('GET /health/live answers without a token', async () => {
    const res = await p.call('GET', '/health/live');
    expect(res).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('GET /health needs a token', async () => {
    expect((await p.call('GET', '/health')).status).toBe(401);
    expect((await p.call('GET', '/health', 'wl_not-a-token')).status).toBe(401);
  });

  it('shows a non-admin the status alone, never the Temporal address or the task queue', async () => {
    await eventually(health, (r) => r.body.worker?.ok === true);
    const res = await p.call('GET', '/health', engineer.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(JSON.stringify(res.body)).not.toContain(p.config.temporalAddress!);
  });

  it('reports PostgreSQL, Temporal and the polling worker as ok; June 2026 is covered for 60 days', async () => {
    now = at('2026-06-01T10:00:00+08:00');
    // The worker starts polling right after start-up; give the server a moment to list it.
    const res = await eventually(health, (r) => r.body.worker?.ok === true);
    expect(res.status).toBe(200);
    expect(res.body.postgres).toMatchObject({ ok: true, latencyMs: expect.any(Number) });
    expect(res.body.temporal).toMatchObject({ ok: true, address: p.config.temporalAddress, namespace: p.config.temporalNamespace });
    expect(res.body.worker).toMatchObject({ ok: true, taskQueue: p.config.taskQueue });
    expect(res.body.worker.pollers).toBeGreaterThanOrEqual(1);
    expect(res.body.calendar).toMatchObject({ ok: true, firstUncoveredDate: null, horizonDays: 60 });
    expect(res.body.status).toBe('ok');
    expect(await coverageNotes()).toEqual([]);
  });

  it('on 2026-11-27 the 60 days reach the unloaded 2027: degraded, and the admins are told once', async () => {
    now = at('2026-11-27T12:00:00+08:00');
    const first = await eventually(health, (r) => r.body.worker?.ok === true);
    expect(first.status).toBe(200);
    expect(first.body.calendar).toMatchObject({ ok: false, firstUncoveredDate: '2027-01-01', horizonDays: 60 });
    expect(first.body.calendar.coveredYears).not.toContain(2027);
    expect(first.body.status).toBe('degraded');
    const second = await health();
    expect(second.body.status).toBe('degraded');

    const notes = await coverageNotes();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ event: 'calendar_not_covered', recipient_role: 'admin', recipient_id: null, incident_id: null });
    // People read Simplified Chinese first: the note names the year and how to load it.
    expect(notes[0].title).toContain('2027');
    expect(notes[0].body).toContain('PUT /calendar/years/2027');
  });

  it('is ok again once an admin loads 2027', async () => {
    now = at('2026-11-27T12:00:00+08:00');
    const load = await p.call('PUT', '/calendar/years/2027', p.adminToken, { holidays: ['2027-01-01'], workdays: [] });
    expect(load.status).toBe(200);
    const res = await eventually(health, (r) => r.body.worker?.ok === true);
    expect(res.body.calendar).toMatchObject({ ok: true, firstUncoveredDate: null });
    expect(res.body.status).toBe('ok');
    expect(await coverageNotes()).toHaveLength(1);
  });
});

describe('health without a worker', () => {
  let p: TestPlatform;

  beforeAll(async () => {
    p = await startPlatform({ worker: false, clock: { now: () => at('2026-06-01T10:00:00+08:00') } });
  });
  afterAll(() => p?.stop());

  it('says the worker is not ok and the platform is down, while PostgreSQL and Temporal are fine', async () => {
    const dispatcher = await p.user(['dispatcher']);
    expect((await p.call('GET', '/health', dispatcher.token)).body).toEqual({ status: 'down' });
    const res = await p.call('GET', '/health', p.adminToken);
    expect(res.status).toBe(200);
    expect(res.body.postgres.ok).toBe(true);
    expect(res.body.temporal.ok).toBe(true);
    expect(res.body.worker).toMatchObject({ ok: false });
    expect(res.body.worker.error).toContain(p.config.taskQueue);
    expect(res.body.calendar.ok).toBe(true);
    expect(res.body.status).toBe('down');
    // Liveness says nothing about the worker.
    expect((await p.call('GET', '/health/live')).status).toBe(200);
  });
});
