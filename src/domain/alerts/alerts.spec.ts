import { describe, expect, it } from '@jest/globals';
import { MINUTE_MS } from '../time';
import { NormalizedAlert, groupKeyOf, normalizeSeverity } from './alert';
import { GroupSnapshot, decideGroup } from './group';
import { MappingRule, ipOf, lookupsFor, mappingRuleProblems } from './mapping';
import { fingerprintOf, fromAlertmanager, fromGeneric, fromZabbix } from './normalize';
import { DEFAULT_PRIORITY_MAP, morePressing, priorityFor, priorityMapFrom } from './priority';

/** P3: alerts from three kinds of source become one shape, find their configuration item, and group into incidents. */
const T = Date.parse('2026-11-30T10:00:00+08:00');

describe('severity words', () => {
  it('maps the sources’ words, and leaves what it does not know as unknown', () => {
    expect(['critical', 'Disaster', 'page', 'P1'].map(normalizeSeverity)).toEqual(['critical', 'critical', 'critical', 'critical']);
    expect(['High', 'major', 'error'].map(normalizeSeverity)).toEqual(['high', 'high', 'high']);
    expect(['Average', 'warning', 'minor', '警告'].map(normalizeSeverity)).toEqual(['warning', 'warning', 'warning', 'warning']);
    expect(['Information', 'info', 'none'].map(normalizeSeverity)).toEqual(['info', 'info', 'info']);
    expect(['Not classified', 'urgent-ish', '', undefined, null].map(normalizeSeverity)).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'unknown']);
  });
});

describe('payloads', () => {
  it('Alertmanager v4: one alert per entry, with its group key, fingerprint and times', () => {
    const alerts = fromAlertmanager({
      version: '4',
      groupKey: '{}:{alertname="FilesystemAlmostFull", instance="10.20.1.12:9100"}',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'FilesystemAlmostFull', instance: '10.20.1.12:9100', severity: 'high', mountpoint: '/data' },
          annotations: { summary: '磁盘空间不足 / filesystem almost full: 10.20.1.12:9100 /data' },
          startsAt: T,
          endsAt: null,
          generatorURL: 'http://prometheus/graph?g0.expr=x',
          fingerprint: 'a1b2c3d4e5f60718',
        },
        { status: 'resolved', labels: { alertname: 'FilesystemAlmostFull', instance: '10.20.1.13:9100' }, startsAt: T - MINUTE_MS, endsAt: T, fingerprint: 'ffff' },
      ],
    });
    expect(alerts).toHaveLength(2);
    expect(alerts[0]).toMatchObject({
      source: 'alertmanager',
      fingerprint: 'a1b2c3d4e5f60718',
      sourceGroupKey: '{}:{alertname="FilesystemAlmostFull", instance="10.20.1.12:9100"}',
      alertname: 'FilesystemAlmostFull',
      status: 'firing',
      severity: 'high',
      summary: '磁盘空间不足 / filesystem almost full: 10.20.1.12:9100 /data',
      startsAt: T,
      endsAt: null,
    });
    expect(alerts[0].annotations.generatorURL).toBe('http://prometheus/graph?g0.expr=x');
    expect(alerts[1]).toMatchObject({ status: 'resolved', severity: 'unknown', endsAt: T, summary: 'FilesystemAlmostFull 10.20.1.13:9100' });
  });

  it('Zabbix: problem and recovery share the problem’s event id; tags become labels but never override the host', () => {
    const problem = fromZabbix({
      eventId: '3417',
      status: 'PROBLEM',
      severity: 'Disaster',
      trigger: { id: '20013', name: 'HIS 数据库不可用 / HIS database down' },
      host: { name: 'his-db-01', ip: '10.20.2.11' },
      eventTime: T,
      tags: [{ tag: 'wardline_ci', value: 'database:his-oracle' }, { tag: 'host', value: 'spoofed' }],
    });
    expect(problem).toMatchObject({
      source: 'zabbix',
      fingerprint: '3417',
      sourceGroupKey: null,
      status: 'firing',
      severity: 'critical',
      rawSeverity: 'Disaster',
      labels: { wardline_ci: 'database:his-oracle', host: 'his-db-01', host_ip: '10.20.2.11', trigger_id: '20013' },
      summary: 'his-db-01: HIS 数据库不可用 / HIS database down',
      endsAt: null,
    });
    const recovery = fromZabbix({ eventId: '3417', recoveryEventId: '3420', status: 'RESOLVED', severity: 'Disaster', trigger: { id: '20013', name: 'x' }, host: { name: 'his-db-01' }, eventTime: T, recoveryTime: T + 5 * MINUTE_MS });
    expect(recovery).toMatchObject({ fingerprint: '3417', status: 'resolved', endsAt: T + 5 * MINUTE_MS, annotations: { recoveryEventId: '3420' } });
  });

  it('generic: the sender’s id, or a stable fingerprint of name and labels', () => {
    const a = fromGeneric({ alertname: 'QueueBacklog', status: 'firing', severity: 'warning', labels: { queue: 'hl7-in', wardline_ci: 'SYS-11' }, startsAt: T });
    const b = fromGeneric({ alertname: 'QueueBacklog', status: 'resolved', labels: { wardline_ci: 'SYS-11', queue: 'hl7-in' }, startsAt: T, endsAt: T + 1 });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).toBe(fingerprintOf({ alertname: 'QueueBacklog', queue: 'hl7-in', wardline_ci: 'SYS-11' }));
    expect(fromGeneric({ alertname: 'QueueBacklog', status: 'firing', labels: { queue: 'hl7-out' }, startsAt: T }).fingerprint).not.toBe(a.fingerprint);
    expect(fromGeneric({ id: 'mq-77', alertname: 'x', status: 'firing', startsAt: T, group: 'mq' })).toMatchObject({ fingerprint: 'mq-77', sourceGroupKey: 'mq', severity: 'unknown' });
    expect(b).toMatchObject({ status: 'resolved', endsAt: T + 1 });
  });

  it('groups by the source’s key, else system plus alert name, else alert name plus host', () => {
    const [am] = fromAlertmanager({ version: '4', groupKey: 'k1', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'A' }, startsAt: T, endsAt: null, fingerprint: 'f' }] });
    expect(groupKeyOf(am, { systemId: 's1' })).toBe('alertmanager:k1');
    const z = fromZabbix({ eventId: '1', status: 'PROBLEM', severity: 'High', trigger: { id: '9', name: 'Ping loss' }, host: { name: 'pacs-01' }, eventTime: T });
    expect(groupKeyOf(z, { systemId: 's1' })).toBe('system:s1:Ping loss');
    expect(groupKeyOf(z, null)).toBe('unmapped:Ping loss:pacs-01');
  });
});

describe('mapping rules', () => {
  const rule = (r: Partial<MappingRule> & Pick<MappingRule, 'id' | 'position' | 'kind'>): MappingRule => ({ enabled: true, sources: [], match: {}, label: null, itemType: null, itemRef: null, ...r });
  const rules = [
    rule({ id: 'ref', position: 10, kind: 'label_ref', label: 'wardline_ci' }),
    rule({ id: 'ip', position: 20, kind: 'label_ip', label: 'instance' }),
    rule({ id: 'zip', position: 30, kind: 'label_ip', label: 'host_ip', sources: ['zabbix'] }),
    rule({ id: 'zhost', position: 40, kind: 'label_name', label: 'host', sources: ['zabbix'], itemType: 'server' }),
    rule({ id: 'lis', position: 5, kind: 'item', itemRef: 'SYS-12', match: { job: 'lis-.*' } }),
    rule({ id: 'off', position: 1, kind: 'item', itemRef: 'SYS-01', enabled: false }),
  ];
  const alert = (labels: Record<string, string>, source: NormalizedAlert['source'] = 'alertmanager'): NormalizedAlert => ({
    source,
    fingerprint: 'f',
    sourceGroupKey: null,
    alertname: 'A',
    status: 'firing',
    severity: 'high',
    rawSeverity: null,
    labels,
    annotations: {},
    summary: 'A',
    startsAt: T,
    endsAt: null,
  });

  it('tries the rules in order, each a question for the CMDB', () => {
    expect(lookupsFor(alert({ wardline_ci: 'server:his-app-01', instance: '10.20.1.11:9100' }), rules)).toEqual([
      { ruleId: 'ref', by: 'ref', ref: 'server:his-app-01' },
      { ruleId: 'ip', by: 'ip', ip: '10.20.1.11' },
    ]);
    expect(lookupsFor(alert({ job: 'lis-mq', instance: 'lis.local:8080' }), rules)).toEqual([{ ruleId: 'lis', by: 'ref', ref: 'SYS-12' }]);
    expect(lookupsFor(alert({ job: 'xlis-mq' }), rules)).toEqual([]);
    expect(lookupsFor(alert({ host: 'pacs-01', host_ip: '10.20.3.4' }, 'zabbix'), rules)).toEqual([
      { ruleId: 'zip', by: 'ip', ip: '10.20.3.4' },
      { ruleId: 'zhost', by: 'name', name: 'pacs-01', itemType: 'server' },
    ]);
    // A Zabbix-only rule does not read Prometheus labels of the same name.
    expect(lookupsFor(alert({ host: 'pacs-01' }), rules)).toEqual([]);
  });

  it('reads IPv4 hosts out of instance forms, and nothing else', () => {
    expect(['10.1.2.3:9100', '10.1.2.3', 'http://10.1.2.3:8080/metrics', ' 10.1.2.3 '].map(ipOf)).toEqual(['10.1.2.3', '10.1.2.3', '10.1.2.3', '10.1.2.3']);
    expect(['his-app-01:9100', '10.1.2.300', '', '::1'].map(ipOf)).toEqual([null, null, null, null]);
  });

  it('refuses rules it could misread, naming the field', () => {
    expect(mappingRuleProblems({ kind: 'label_ref', label: 'wardline_ci' })).toEqual([]);
    expect(mappingRuleProblems({ kind: 'guess' }).map((p) => p.field)).toEqual(['kind']);
    expect(mappingRuleProblems({ kind: 'label_ip' }).map((p) => p.field)).toEqual(['label']);
    expect(mappingRuleProblems({ kind: 'item' }).map((p) => p.field)).toEqual(['itemRef']);
    expect(mappingRuleProblems({ kind: 'label_ref', label: 'a-b', match: { 'x-y': '(' } }).map((p) => p.field)).toEqual(['match.x-y', 'match.x-y', 'label']);
    expect(mappingRuleProblems({ kind: 'label_ref', label: 'x', itemType: 'server', sources: ['nagios'] }).map((p) => p.field)).toEqual(['sources', 'itemType']);
    expect(mappingRuleProblems({ kind: 'label_name', label: 'host', itemType: 'toaster' }).map((p) => p.field)).toEqual(['itemType']);
  });
});

describe('priority from severity and criticality, as data', () => {
  it('reads the table, with unknown rows and columns', () => {
    expect(priorityFor(DEFAULT_PRIORITY_MAP, 'critical', 'critical')).toBe('P1');
    expect(priorityFor(DEFAULT_PRIORITY_MAP, 'warning', 'low')).toBe('P4');
    expect(priorityFor(DEFAULT_PRIORITY_MAP, 'unknown', null)).toBe('P2');
    expect(morePressing('P3', 'P1')).toBe('P1');
    expect(morePressing('P2', 'P4')).toBe('P2');
  });

  it('accepts a whole table and refuses a partial or wrong one, naming the cell', () => {
    const rows = Object.entries(DEFAULT_PRIORITY_MAP).flatMap(([severity, row]) => Object.entries(row).map(([criticality, priority]) => ({ severity, criticality, priority })));
    expect(rows).toHaveLength(25);
    expect(priorityMapFrom(rows)).toEqual({ map: DEFAULT_PRIORITY_MAP });
    const broken = priorityMapFrom([...rows.slice(1), { severity: 'high', criticality: 'high', priority: 'P0' }]);
    expect('problems' in broken && broken.problems.map((p) => p.field)).toEqual(['cells.24.priority', 'cells.24', 'cells']);
  });
});

describe('grouping: one group, one incident', () => {
  const now = T + 10 * MINUTE_MS;
  const ctx = { now, flapWindowMs: 30 * MINUTE_MS };
  const empty: GroupSnapshot = { incident: null, allResolvedAt: null, alerts: [] };
  const firing = (fingerprint: string, startsAt = T) => ({ fingerprint, status: 'firing' as const, startsAt });
  const resolved = (fingerprint: string, startsAt = T) => ({ fingerprint, status: 'resolved' as const, startsAt });

  it('the first firing alert opens; a resolution Wardline never saw firing opens nothing', () => {
    expect(decideGroup(empty, [firing('a'), firing('b')], ctx)).toMatchObject({ incident: 'open', fired: ['a', 'b'], allResolved: false, refired: false });
    expect(decideGroup(empty, [resolved('a')], ctx)).toMatchObject({ incident: 'none', changes: [{ fingerprint: 'a', change: 'resolved_unseen' }], allResolved: true });
  });

  it('repeats, retries and replays change nothing; a new alert of the group is signalled to its incident', () => {
    const open: GroupSnapshot = { incident: { id: 'i1', state: 'acknowledged' }, allResolvedAt: null, alerts: [{ fingerprint: 'a', status: 'firing', startsAt: T }] };
    expect(decideGroup(open, [firing('a')], ctx)).toMatchObject({ incident: 'none', changes: [{ change: 'repeat' }], fired: [] });
    expect(decideGroup({ ...open, incident: { id: 'i1', state: 'opening' } }, [firing('a')], ctx).incident).toBe('none');
    expect(decideGroup(open, [firing('a'), firing('b')], ctx)).toMatchObject({ incident: 'signal', fired: ['b'] });
  });

  it('resolutions are signalled, with whether the whole group is now quiet', () => {
    const two: GroupSnapshot = { incident: { id: 'i1', state: 'reported' }, allResolvedAt: null, alerts: [{ fingerprint: 'a', status: 'firing', startsAt: T }, { fingerprint: 'b', status: 'firing', startsAt: T }] };
    expect(decideGroup(two, [resolved('a')], ctx)).toMatchObject({ incident: 'signal', resolved: ['a'], allResolved: false });
    expect(decideGroup(two, [resolved('a'), resolved('b')], ctx)).toMatchObject({ incident: 'signal', resolved: ['a', 'b'], allResolved: true });
  });

  it('a group still firing with no live incident opens one on its next message (after a maintenance window, or a closed incident)', () => {
    const suppressed: GroupSnapshot = { incident: null, allResolvedAt: null, alerts: [{ fingerprint: 'a', status: 'firing', startsAt: T }] };
    expect(decideGroup(suppressed, [firing('a')], ctx)).toMatchObject({ incident: 'open', changes: [{ change: 'repeat' }], previousIncidentId: null });
    expect(decideGroup({ ...suppressed, incident: { id: 'i1', state: 'closed' } }, [firing('a')], ctx)).toMatchObject({ incident: 'open', previousIncidentId: 'i1' });
    expect(decideGroup({ ...suppressed, incident: { id: 'i1', state: 'resolved' } }, [firing('a')], ctx)).toMatchObject({ incident: 'none' });
  });

  it('a firing message older than a stored resolution of the same occurrence is stale, not a new fire', () => {
    const quiet: GroupSnapshot = { incident: { id: 'i1', state: 'recovered' }, allResolvedAt: now - MINUTE_MS, alerts: [{ fingerprint: 'a', status: 'resolved', startsAt: T }] };
    expect(decideGroup(quiet, [firing('a')], ctx)).toMatchObject({ incident: 'none', changes: [{ change: 'stale' }] });
    expect(decideGroup(quiet, [firing('a', T - MINUTE_MS)], ctx)).toMatchObject({ incident: 'none', changes: [{ change: 'stale' }] });
    expect(decideGroup(quiet, [resolved('a')], ctx)).toMatchObject({ incident: 'none', changes: [{ change: 'repeat' }] });
  });

  it('flapping: a fire after recovery signals the same incident; after a repair, only within the window', () => {
    const base = { allResolvedAt: now - 5 * MINUTE_MS, alerts: [{ fingerprint: 'a', status: 'resolved' as const, startsAt: T }] };
    const again = [firing('a', T + 6 * MINUTE_MS)];
    expect(decideGroup({ ...base, incident: { id: 'i1', state: 'recovered' } }, again, ctx)).toMatchObject({ incident: 'signal', refired: true, fired: ['a'] });
    expect(decideGroup({ ...base, incident: { id: 'i1', state: 'resolved' } }, again, ctx)).toMatchObject({ incident: 'signal', refired: true });
    const late = { ...ctx, now: now + 60 * MINUTE_MS };
    expect(decideGroup({ ...base, incident: { id: 'i1', state: 'confirmed' } }, again, late)).toMatchObject({ incident: 'open', previousIncidentId: 'i1' });
    expect(decideGroup({ ...base, incident: { id: 'i1', state: 'recovered' } }, again, late)).toMatchObject({ incident: 'signal' });
    expect(decideGroup({ ...base, incident: { id: 'i1', state: 'closed' } }, again, ctx)).toMatchObject({ incident: 'open', previousIncidentId: 'i1' });
  });
});
