import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { NormalizedAlert, groupKeyOf } from '../src/domain/alerts/alert';
import { lookupsFor } from '../src/domain/alerts/mapping';
import { DEFAULT_PRIORITY_MAP } from '../src/domain/alerts/priority';
import { MINUTE_MS } from '../src/domain/time';
import { AlertIncidentGateway, AlertIncidentReport, IntakeContext, coveringChanges, recordAlertGroup } from '../src/persistence/alerts/alert-intake';
import { attachedAlerts } from '../src/persistence/alerts/alert-queries';
import { listMappingRules, resolveMapping } from '../src/persistence/alerts/mapping-store';
import { loadPriorityMap } from '../src/persistence/alerts/priority-store';
import type { AlertGroupChange } from '../src/shared/alert-messages';
import { TestDatabase, createTestDatabase } from './support/database';

/**
 * The alert store on real PostgreSQL (P3): mapping through the seeded rules and the CMDB, one group one incident,
 * repeats and replays absorbed, resolutions and refires signalled, maintenance windows of approved changes (S4).
 * The incident intake stands behind a gateway; here a recording one writes the row an opened incident has.
 */
describe('alert store', () => {
  let db: TestDatabase;
  const opened: AlertIncidentReport[] = [];
  const signals: { workflowId: string; change: AlertGroupChange }[] = [];
  const gateway: AlertIncidentGateway = {
    async open(tx: EntityManager, report) {
      opened.push(report);
      const id = randomUUID();
      const number = `INC-T-${String(opened.length).padStart(4, '0')}`;
      const [system] = await tx.query(`SELECT id FROM business_systems WHERE id::text = $1 OR code = $1`, [report.system]);
      await tx.query(
        `INSERT INTO incidents (id, number, workflow_id, system_id, title, description, reporter_name, reporter_department, priority, channel, state, tier,
                                reported_at, opened_by_id, opened_by_name, clocks, policy_version, projected_seq)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'reported', 'working_time', now(), $11, $12, '{}', 1, 1)`,
        [id, number, `incident-${number}`, system.id, report.title, report.description, report.reporter.name, report.reporter.department, report.priority, report.channel, report.openedBy.id, report.openedBy.name],
      );
      return { incidentId: id, number };
    },
    async signal(_tx, workflowId, change) {
      signals.push({ workflowId, change });
    },
  };
  let now = Date.parse('2026-11-30T10:00:00+08:00');
  const ctx = (): IntakeContext => ({ now, flapWindowMs: 30 * MINUTE_MS, priorities: DEFAULT_PRIORITY_MAP, openedBy: { id: 'u-int', name: 'Alertmanager 集成' }, gateway });

  const alert = (over: Partial<NormalizedAlert> & { labels: Record<string, string> }): NormalizedAlert => ({
    source: 'alertmanager',
    fingerprint: 'f1',
    sourceGroupKey: null,
    alertname: 'FilesystemAlmostFull',
    status: 'firing',
    severity: 'high',
    rawSeverity: 'high',
    annotations: {},
    summary: '磁盘空间不足 / filesystem almost full',
    startsAt: now,
    endsAt: null,
    ...over,
  });

  /** Maps and groups like the intake does, then records each group's batch. */
  async function receive(alerts: NormalizedAlert[]) {
    const rules = await listMappingRules(db.dataSource);
    const batches = new Map<string, { key: string; mapped: Awaited<ReturnType<typeof resolveMapping>>; alerts: NormalizedAlert[] }>();
    for (const a of alerts) {
      const mapped = await resolveMapping(db.dataSource, lookupsFor(a, rules));
      const key = groupKeyOf(a, mapped?.systems[0] ? { systemId: mapped.systems[0].systemId } : null);
      if (!batches.has(key)) batches.set(key, { key, mapped, alerts: [] });
      batches.get(key)!.alerts.push(a);
    }
    const out = [];
    for (const b of batches.values()) out.push(await recordAlertGroup(db.dataSource, b, ctx()));
    return out;
  }

  let serverId: string;
  let pacsSystemId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const ds = db.dataSource;
    [{ id: serverId }] = await ds.query(
      `INSERT INTO cmdb_items (type, name, display_name, criticality, attributes) VALUES ('server', 'pacs-app-01', 'PACS 应用服务器', 'high', '{"os":"Linux","ip":"10.20.1.12"}') RETURNING id`,
    );
    const [pacs] = await ds.query(`SELECT id, business_system_id FROM cmdb_items WHERE type = 'business_system' AND name = 'SYS-11'`);
    pacsSystemId = pacs.business_system_id;
    await ds.query(`UPDATE cmdb_items SET criticality = 'critical' WHERE id = $1`, [pacs.id]);
    await ds.query(`INSERT INTO cmdb_relations (type, source_id, target_id) VALUES ('runs_on', $1, $2)`, [pacs.id, serverId]);
  });
  afterAll(() => db?.drop());

  it('maps by the seeded rules: the instance IP finds the server, the CMDB impact the system, criticality × severity the priority', async () => {
    const [g] = await receive([alert({ labels: { alertname: 'FilesystemAlmostFull', instance: '10.20.1.12:9100', mountpoint: '/data' }, sourceGroupKey: '{}:{alertname="FilesystemAlmostFull"}' })]);
    expect(g.incident).toMatchObject({ action: 'opened', number: 'INC-T-0001' });
    expect(g.outcomes).toEqual([{ fingerprint: 'f1', outcome: 'opened' }]);
    expect(opened[0]).toMatchObject({ system: pacsSystemId, priority: 'P1', channel: 'alert', reporter: { name: 'Prometheus Alertmanager' }, openedBy: { id: 'u-int' } });
    expect(opened[0].description).toContain('server:pacs-app-01');
    expect(opened[0].description).toContain('SYS-11');
    expect(opened[0].intakeKey).toBe(`alert-group:${g.groupId}:0`);
    const [group] = await db.dataSource.query(`SELECT item_id, system_id, firing, incident_id FROM alert_groups WHERE id = $1`, [g.groupId]);
    expect(group).toEqual({ item_id: serverId, system_id: pacsSystemId, firing: 1, incident_id: g.incident!.id });
  });

  it('repeats and replays of the group open nothing and only count; a new alert of the group joins its incident', async () => {
    const key = '{}:{alertname="FilesystemAlmostFull"}';
    now += MINUTE_MS;
    const first = alert({ labels: { alertname: 'FilesystemAlmostFull', instance: '10.20.1.12:9100', mountpoint: '/data' }, sourceGroupKey: key, startsAt: now - MINUTE_MS });
    for (let i = 0; i < 3; i++) expect((await receive([first]))[0].outcomes).toEqual([{ fingerprint: 'f1', outcome: 'repeat' }]);
    // The same message twice at once: the group row makes them take turns.
    const together = await Promise.all([receive([first]), receive([first])]);
    expect(together.flatMap((r) => r[0].outcomes.map((o) => o.outcome))).toEqual(['repeat', 'repeat']);
    expect(opened).toHaveLength(1);
    expect(signals).toHaveLength(0);
    const second = alert({ fingerprint: 'f2', labels: { alertname: 'FilesystemAlmostFull', instance: '10.20.1.12:9100', mountpoint: '/var' }, sourceGroupKey: key });
    const [g] = await receive([first, second]);
    expect(g.outcomes).toEqual([{ fingerprint: 'f1', outcome: 'repeat' }, { fingerprint: 'f2', outcome: 'attached' }]);
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ workflowId: 'incident-INC-T-0001', change: { fired: [{ fingerprint: 'f2' }], resolved: [], allResolved: false } });
    const list = await attachedAlerts(db.dataSource, { incidentId: g.incident!.id });
    expect(list.map((a: any) => [a.fingerprint, a.attached.receipts, a.status])).toEqual([
      ['f1', 7, 'firing'],
      ['f2', 1, 'firing'],
    ]);
    expect(list[0].receipts).toBe(7);
  });

  it('resolutions are signalled with whether the whole group is quiet; a stale firing retry after them is ignored', async () => {
    const key = '{}:{alertname="FilesystemAlmostFull"}';
    const startsAt = now - MINUTE_MS;
    now += MINUTE_MS;
    const labels = { alertname: 'FilesystemAlmostFull', instance: '10.20.1.12:9100', mountpoint: '/data' };
    signals.length = 0;
    const [one] = await receive([alert({ labels, sourceGroupKey: key, status: 'resolved', startsAt: startsAt - MINUTE_MS, endsAt: now })]);
    // f1 started two minutes ago: the message above names an older start, so it is another occurrence it never saw.
    expect(one.outcomes).toEqual([{ fingerprint: 'f1', outcome: 'stale' }]);
    const stored = (await db.dataSource.query(`SELECT fingerprint, starts_at FROM alerts WHERE fingerprint IN ('f1', 'f2') ORDER BY fingerprint`)) as { starts_at: Date }[];
    const [both] = await receive([
      alert({ labels, sourceGroupKey: key, status: 'resolved', startsAt: stored[0].starts_at.getTime(), endsAt: now }),
      alert({ fingerprint: 'f2', labels: { ...labels, mountpoint: '/var' }, sourceGroupKey: key, status: 'resolved', startsAt: stored[1].starts_at.getTime(), endsAt: now }),
    ]);
    expect(both.outcomes.map((o) => o.outcome)).toEqual(['resolved', 'resolved']);
    expect(signals).toHaveLength(1);
    expect(signals[0].change).toMatchObject({ allResolved: true, fired: [], resolved: [{ fingerprint: 'f1' }, { fingerprint: 'f2' }] });
    const [stale] = await receive([alert({ labels, sourceGroupKey: key, startsAt: stored[0].starts_at.getTime() })]);
    expect(stale.outcomes).toEqual([{ fingerprint: 'f1', outcome: 'stale' }]);
    expect(signals).toHaveLength(1);
    const [group] = await db.dataSource.query(`SELECT firing, all_resolved_at FROM alert_groups WHERE id = $1`, [both.groupId]);
    expect(group.firing).toBe(0);
    expect(group.all_resolved_at.getTime()).toBe(now);
  });

  it('flapping: firing again soon after is signalled to the same incident; after it was closed, a new one opens', async () => {
    const key = '{}:{alertname="FilesystemAlmostFull"}';
    const labels = { alertname: 'FilesystemAlmostFull', instance: '10.20.1.12:9100', mountpoint: '/data' };
    now += 5 * MINUTE_MS;
    signals.length = 0;
    const [again] = await receive([alert({ labels, sourceGroupKey: key, startsAt: now })]);
    expect(again.outcomes).toEqual([{ fingerprint: 'f1', outcome: 'refired' }]);
    expect(signals[0].change).toMatchObject({ fired: [{ fingerprint: 'f1', startsAt: now }], allResolved: false });
    expect(opened).toHaveLength(1);
    await db.dataSource.query(`UPDATE incidents SET state = 'closed' WHERE id = $1`, [again.incident!.id]);
    now += MINUTE_MS;
    const [anew] = await receive([alert({ labels, sourceGroupKey: key, startsAt: now - MINUTE_MS })]);
    expect(anew.incident).toMatchObject({ action: 'opened', number: 'INC-T-0002' });
    expect(opened[1].intakeKey).toBe(`alert-group:${anew.groupId}:1`);
    const [group] = await db.dataSource.query(`SELECT incident_id, previous_incident_ids FROM alert_groups WHERE id = $1`, [anew.groupId]);
    expect(group).toEqual({ incident_id: anew.incident!.id, previous_incident_ids: [again.incident!.id] });
  });

  it('an alert that maps to nothing opens a triage incident on SYS-00; other sources group by system and alert name', async () => {
    const [unmapped] = await receive([alert({ source: 'zabbix', fingerprint: '9001', alertname: 'Ping loss', severity: 'critical', labels: { host: 'unknown-host', host_ip: '10.99.9.9' } })]);
    expect(unmapped.groupKey).toBe('unmapped:Ping loss:unknown-host');
    expect(opened[2]).toMatchObject({ system: 'SYS-00', priority: 'P2', title: '【待分派】磁盘空间不足 / filesystem almost full' });
    expect(opened[2].description).toContain('mapped to no configuration item');
    const [a, b] = [
      alert({ source: 'zabbix', fingerprint: '9002', alertname: 'High CPU', severity: 'warning', labels: { host: 'pacs-app-01' } }),
      alert({ source: 'zabbix', fingerprint: '9003', alertname: 'High CPU', severity: 'warning', labels: { host_ip: '10.20.1.12' } }),
    ];
    const groups = await receive([a, b]);
    expect(groups).toHaveLength(1);
    expect(groups[0].groupKey).toBe(`system:${pacsSystemId}:High CPU`);
    expect(groups[0].outcomes.map((o) => o.outcome)).toEqual(['opened', 'opened']);
    expect(opened[3]).toMatchObject({ priority: 'P2' });
  });

  it('maintenance: an open window of an approved change on every system the item serves keeps the alert from opening an incident, and the change lists it', async () => {
    const ds = db.dataSource;
    const [user] = await ds.query(`INSERT INTO users (username, display_name, roles) VALUES ('chg', '变更人', '{engineer}') RETURNING id`);
    const change = async (state: string, approved: number | null, from: number, to: number) => {
      const id = randomUUID();
      await ds.query(
        `INSERT INTO changes (id, number, workflow_id, system_id, kind, title, state, risk, schema_change, destructive, current_revision, approved_revision,
                              window_start, window_end, submitted_by, view)
         VALUES ($1, $2, $3, $4, 'normal', '扩容', $5, 'low', false, false, 1, $6, $7, $8, $9, '{}')`,
        [id, `CHG-T-${id.slice(0, 4)}`, `change-${id}`, pacsSystemId, state, approved, new Date(from), new Date(to), user.id],
      );
      return id;
    };
    // Neither a change still in review nor an approved one whose window has passed covers anything.
    await change('in_review', null, now - MINUTE_MS, now + 60 * MINUTE_MS);
    await change('approved', 1, now - 60 * MINUTE_MS, now - MINUTE_MS);
    const [impacted] = await ds.query(`SELECT s.id AS "systemId", s.code, s.display_name AS "displayName", 'critical' AS criticality, 1 AS depth FROM business_systems s WHERE s.id = $1`, [pacsSystemId]);
    expect(await coveringChanges(ds, [impacted], now)).toEqual([]);
    const open = await change('approved', 1, now - MINUTE_MS, now + 60 * MINUTE_MS);
    expect(await coveringChanges(ds, [impacted], now)).toEqual([open]);
    // A server that also serves a system outside every window is not covered.
    const [lis] = await ds.query(`SELECT id, code, display_name AS "displayName" FROM business_systems WHERE code = 'SYS-12'`);
    expect(await coveringChanges(ds, [impacted, { systemId: lis.id, code: lis.code, displayName: lis.displayName, criticality: 'low', depth: 1 }], now)).toEqual([]);

    const before = opened.length;
    const labels = { alertname: 'MemoryLow', instance: '10.20.1.12:9100' };
    const m1Start = now;
    const [held] = await receive([alert({ fingerprint: 'm1', alertname: 'MemoryLow', labels, sourceGroupKey: 'mem', startsAt: m1Start })]);
    expect(held).toMatchObject({ incident: null, suppressedBy: [open] });
    expect(held.outcomes).toEqual([{ fingerprint: 'm1', outcome: 'suppressed' }]);
    expect(opened).toHaveLength(before);
    const listed = await attachedAlerts(ds, { changeId: open });
    expect(listed.map((a: any) => [a.alertname, a.attached.lastStatus])).toEqual([['MemoryLow', 'firing']]);

    // The window closes while it still fires: its next message opens the incident.
    await ds.query(`UPDATE changes SET window_end = $2 WHERE id = $1`, [open, new Date(now)]);
    now += MINUTE_MS;
    const [after] = await receive([alert({ fingerprint: 'm1', alertname: 'MemoryLow', labels, sourceGroupKey: 'mem', startsAt: m1Start })]);
    expect(after.incident).toMatchObject({ action: 'opened' });
    expect(after.outcomes).toEqual([{ fingerprint: 'm1', outcome: 'opened' }]);
    expect(opened).toHaveLength(before + 1);
  });

  it('maintenance: a job or patch run under a change still going on the item holds its alerts on that change; read-only runs and finished ones do not', async () => {
    const ds = db.dataSource;
    const [user] = await ds.query(`SELECT id FROM users WHERE username = 'chg'`);
    // An approved change whose window has closed: only the run still going makes it the item's maintenance.
    const changeId = randomUUID();
    await ds.query(
      `INSERT INTO changes (id, number, workflow_id, system_id, kind, title, state, risk, schema_change, destructive, current_revision, approved_revision,
                            window_start, window_end, submitted_by, view)
       VALUES ($1, $2, $3, $4, 'normal', '补丁', 'approved', 'low', false, false, 1, 1, $5, $6, $7, '{}')`,
      [changeId, `CHG-T-${changeId.slice(0, 4)}`, `change-${changeId}`, pacsSystemId, new Date(now - 120 * MINUTE_MS), new Date(now - 60 * MINUTE_MS), user.id],
    );
    const run = async (kind: 'job' | 'patch', readOnly: boolean, change: string | null) => {
      const id = randomUUID();
      await ds.query(
        `INSERT INTO job_runs (id, number, workflow_id, kind, read_only, production, change_id, requested_by_name, options, state)
         VALUES ($1, $2, $3, $4, $5, true, $6, '驻场李工', '{}', 'running')`,
        [id, `RUN-T-${id.slice(0, 4)}`, `run-${id}`, kind, readOnly, change],
      );
      await ds.query(`INSERT INTO job_run_hosts (run_id, seq, batch, item_id, name, address, port, os_family) VALUES ($1, 1, 1, $2, 'pacs-app-01', '10.20.1.12', 22, 'debian')`, [id, serverId]);
      return id;
    };
    const labels = { alertname: 'ServiceDown', instance: '10.20.1.12:9100' };
    const down = (startsAt: number) => alert({ fingerprint: 'r1', alertname: 'ServiceDown', labels, sourceGroupKey: 'svc', startsAt });
    // A read-only job and a job under no change hold nothing; neither does the closed window alone.
    await run('job', true, changeId);
    await run('job', false, null);
    const [free] = await receive([down(now)]);
    expect(free.incident).toMatchObject({ action: 'opened' });
    const before = opened.length;

    // A patch run in progress on the server: a new alert there is recorded on the run's change, no incident.
    const patch = await run('patch', false, changeId);
    now += MINUTE_MS;
    const [held] = await receive([alert({ fingerprint: 'r2', alertname: 'PatchReboot', labels: { ...labels, alertname: 'PatchReboot' }, sourceGroupKey: 'reboot', startsAt: now })]);
    expect(held).toMatchObject({ incident: null, suppressedBy: [changeId] });
    expect(held.outcomes).toEqual([{ fingerprint: 'r2', outcome: 'suppressed' }]);
    expect(opened).toHaveLength(before);
    expect((await attachedAlerts(ds, { changeId })).map((a: any) => a.alertname)).toEqual(['PatchReboot']);

    // The run ends while the alert still fires: its next message opens the incident.
    await ds.query(`UPDATE job_runs SET state = 'succeeded', finished_at = now() WHERE id = $1`, [patch]);
    now += MINUTE_MS;
    const [after] = await receive([alert({ fingerprint: 'r2', alertname: 'PatchReboot', labels: { ...labels, alertname: 'PatchReboot' }, sourceGroupKey: 'reboot', startsAt: now - MINUTE_MS })]);
    expect(after.incident).toMatchObject({ action: 'opened' });
    expect(opened).toHaveLength(before + 1);
  });

  it('a rising severity asks the incident to raise its priority, once, even when the alert itself only repeats', async () => {
    now += MINUTE_MS;
    const labels = { alertname: 'DiskLatency', instance: '10.20.1.12:9100' };
    const lat = (fingerprint: string, severity: NormalizedAlert['severity']) =>
      alert({ fingerprint, alertname: 'DiskLatency', labels, sourceGroupKey: 'latency', severity, rawSeverity: severity, startsAt: Date.parse('2026-11-30T10:30:00+08:00') });
    const [g] = await receive([lat('l1', 'warning')]);
    expect(g.incident).toMatchObject({ action: 'opened' });
    // warning × a critical system = P2 by the seeded table.
    expect(opened[opened.length - 1].priority).toBe('P2');
    const before = signals.length;
    // The same alert, now critical (a source that updates an event's severity in place): a repeat, yet P1 is asked for.
    now += MINUTE_MS;
    const [up] = await receive([lat('l1', 'critical')]);
    expect(up.outcomes).toEqual([{ fingerprint: 'l1', outcome: 'repeat' }]);
    expect(signals.slice(before)).toEqual([
      { workflowId: expect.any(String), change: expect.objectContaining({ fired: [], resolved: [], raisePriority: { to: 'P1', severity: 'critical' } }) },
    ]);
    const [row] = await db.dataSource.query(`SELECT priority FROM alert_groups WHERE id = $1`, [g.groupId]);
    expect(row.priority).toBe('P1');
    // Asked once: the next critical repeat, and a new warning alert of the group, ask nothing more.
    now += MINUTE_MS;
    await receive([lat('l1', 'critical')]);
    expect(signals).toHaveLength(before + 1);
    await receive([lat('l2', 'warning')]);
    expect(signals).toHaveLength(before + 2);
    expect(signals[before + 1].change.raisePriority).toBeUndefined();
  });

  it('reads the seeded priority table whole', async () => {
    expect(await loadPriorityMap(db.dataSource)).toEqual(DEFAULT_PRIORITY_MAP);
  });
});
