import { describe, expect, it } from '@jest/globals';
import { AlertGroupNews, AlertNote } from './alerts/news';
import { CalendarSpec } from './calendar';
import { allowedActions } from './incident';
import { IncidentProcess } from './incident-process';
import { CONTRACT_POLICY } from './sla-policy';
import { MINUTE_MS } from './time';
import { domainError } from './testing/domain-error';

/** P3: what an incident opened by alerts does when its alert group changes: recovery, flapping, timeline entries. */
const ALWAYS: CalendarSpec = {
  timeZone: 'Asia/Shanghai',
  utcOffsetMinutes: 480,
  workingHours: [{ start: '00:00', end: '24:00' }],
  holidays: [],
  workdays: [],
  coveredYears: [2026],
};
const T = Date.parse('2026-03-06T09:00:00+08:00');
const min = (m: number) => T + m * MINUTE_MS;
const engineer = { id: 'u1', name: '李工' };
const dispatcher = { id: 'u2', name: '王调度' };

function incident(): IncidentProcess {
  return new IncidentProcess({
    incidentId: '11111111-2222-4333-8444-555555555555',
    number: 'INC-20260306-0001',
    systemId: 's',
    systemName: 'PACS',
    title: '磁盘空间不足 / filesystem almost full',
    description: 'd',
    reporter: { name: 'Prometheus Alertmanager', department: '监控告警 / monitoring', phone: null },
    priority: 'P2',
    channel: 'alert',
    reportedAt: T,
    openedBy: { id: 'int', name: 'Alertmanager' },
    assignee: null,
    policy: CONTRACT_POLICY,
    calendar: ALWAYS,
  });
}

const note = (fingerprint: string, at = T): AlertNote => ({ alertId: `a-${fingerprint}`, fingerprint, alertname: 'FilesystemAlmostFull', summary: `disk ${fingerprint}`, severity: 'high', startsAt: at, endsAt: null });
const news = (over: Partial<AlertGroupNews>): AlertGroupNews => ({ groupId: 'g1', at: T, fired: [], resolved: [], allResolved: false, ...over });

describe('an incident’s alert group (P3)', () => {
  it('new alerts and partial resolutions are timeline entries that change no state', () => {
    const p = incident();
    p.opened();
    const fired = p.alertNews(news({ fired: [note('b')] }), min(1));
    expect(fired.map((e) => [e.type, e.fromState, e.toState])).toEqual([['alerts_fired', 'reported', 'reported']]);
    expect(fired[0].data).toMatchObject({ groupId: 'g1', alerts: [{ alertname: 'FilesystemAlmostFull', summary: 'disk b' }] });
    const partly = p.alertNews(news({ resolved: [note('a')], allResolved: false }), min(2));
    expect(partly.map((e) => e.type)).toEqual(['alerts_resolved']);
    expect(partly[0].data.allResolved).toBe(false);
    expect(p.state).toBe('reported');
    expect(p.seq).toBe(3);
  });

  it('all alerts clearing before anyone acknowledged: recovered, clocks paused (not stopped), a dispatcher confirms', () => {
    const p = incident();
    p.opened();
    const [e] = p.alertNews(news({ resolved: [note('a')], allResolved: true }), min(10));
    expect(e).toMatchObject({ type: 'auto_recovered', fromState: 'reported', toState: 'recovered' });
    expect(p.state).toBe('recovered');
    const v = p.view(min(100));
    // The SLA record stays: ten minutes used of each clock, nothing breached however long it waits.
    expect(v.clocks.respond).toMatchObject({ state: 'paused', elapsedMs: 10 * MINUTE_MS, breached: false });
    expect(v.clocks.repair.state).toBe('paused');
    expect(p.nextWakeAt()).toBeNull();
    expect(p.escalationDue(min(10_000))).toBeNull();
    expect(allowedActions('recovered')).toEqual(['cancel', 'assign', 'confirm_recovery']);
    expect(domainError(() => p.check({ action: 'acknowledge', actor: engineer })).details).toMatchObject({ state: 'recovered' });
    const closed = p.apply({ action: 'confirm_recovery', actor: dispatcher }, min(120));
    expect(closed).toMatchObject({ type: 'confirm_recovery', fromState: 'recovered', toState: 'closed' });
    expect(p.view(min(130)).clocks.respond).toMatchObject({ state: 'stopped', elapsedMs: 10 * MINUTE_MS });
    expect(p.snapshot().milestones.closedAt).toBe(min(120));
  });

  it('after an acknowledgement, all clear is only an entry: people are on it', () => {
    const p = incident();
    p.opened();
    p.apply({ action: 'acknowledge', actor: engineer }, min(5));
    const [e] = p.alertNews(news({ resolved: [note('a')], allResolved: true }), min(10));
    expect(e).toMatchObject({ type: 'alerts_resolved', toState: 'acknowledged', data: { allResolved: true } });
  });

  it('flapping: firing again after recovering by itself reports it again, with the clocks running on from where they paused', () => {
    const p = incident();
    p.opened();
    p.alertNews(news({ resolved: [note('a')], allResolved: true }), min(10));
    const [e] = p.alertNews(news({ fired: [note('a', min(40))] }), min(40));
    expect(e).toMatchObject({ type: 'alert_refired', fromState: 'recovered', toState: 'reported' });
    const v = p.view(min(45));
    expect(v.clocks.respond).toMatchObject({ state: 'running', elapsedMs: 15 * MINUTE_MS });
    // The 30-minute response deadline moved by the 30 minutes it was paused.
    expect(v.clocks.respond.deadline).toBe(min(60));
    expect(p.nextWakeAt()).not.toBeNull();
  });

  it('flapping after a repair reopens the incident (the intake decided it is within the window), and notes the alerts', () => {
    const p = incident();
    p.opened();
    p.apply({ action: 'acknowledge', actor: engineer }, min(5));
    p.apply({ action: 'resolve', actor: engineer, cause: '日志写满', fix: '清理', category: 'system_error_fix' }, min(30));
    const events = p.alertNews(news({ fired: [note('a', min(35))] }), min(35));
    expect(events.map((e) => [e.type, e.fromState, e.toState])).toEqual([
      ['reopen', 'resolved', 'reopened'],
      ['alerts_fired', 'reopened', 'reopened'],
    ]);
    expect(events[0].actor).toEqual({ id: 'system', name: 'Wardline' });
    expect(events[0].note).toContain('flapping');
    expect(p.view(min(36)).clocks.repair.state).toBe('running');
  });

  it('a rising severity raises the priority (the policy’s per-priority budgets follow); never lowers it, and not in a state that takes no change', () => {
    const p = incident();
    p.opened();
    const events = p.alertNews(news({ fired: [{ ...note('c'), severity: 'critical' }], raisePriority: { to: 'P1', severity: 'critical' } }), min(2));
    expect(events.map((e) => e.type)).toEqual(['alerts_fired', 'change_priority']);
    expect(events[1]).toMatchObject({ actor: { id: 'system', name: 'Wardline' }, data: { from: 'P2', to: 'P1' } });
    expect(events[1].note).toContain('紧急');
    expect(events[1].note).toContain('P2 → P1');
    expect(p.snapshot().priority).toBe('P1');
    // Already there, or asked for less: nothing.
    expect(p.alertNews(news({ raisePriority: { to: 'P1', severity: 'critical' } }), min(4))).toEqual([]);
    expect(p.alertNews(news({ raisePriority: { to: 'P3', severity: 'warning' } }), min(5))).toEqual([]);
    expect(p.snapshot().priority).toBe('P1');
    // Recovered by itself, the incident takes no priority change; fired again, it is reported again and raised.
    const q = incident();
    q.opened();
    q.alertNews(news({ resolved: [note('a')], allResolved: true }), min(10));
    expect(q.alertNews(news({ raisePriority: { to: 'P1', severity: 'critical' } }), min(11))).toEqual([]);
    const again = q.alertNews(news({ fired: [{ ...note('a', min(12)), severity: 'critical' }], raisePriority: { to: 'P1', severity: 'critical' } }), min(12));
    expect(again.map((e) => [e.type, e.toState])).toEqual([
      ['alert_refired', 'reported'],
      ['change_priority', 'reported'],
    ]);
  });

  it('a closed or cancelled incident takes no news (its group opens a new one)', () => {
    const p = incident();
    p.opened();
    p.apply({ action: 'cancel', actor: dispatcher, reason: '误报' }, min(1));
    expect(p.alertNews(news({ fired: [note('a')] }), min(2))).toEqual([]);
  });
});
