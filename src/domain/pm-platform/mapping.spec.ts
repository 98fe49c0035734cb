import { describe, expect, it } from '@jest/globals';
import { PmCatalog, REDMINE_DEFAULT_MAPPING, catalogProblems, inboundCommand, outboundStatus, parseMapping, priorityOf, recordKindOf } from './mapping';

const RM = { zh: 'Redmine 项目 his ', en: 'Redmine project his' };
const REDMINE: PmCatalog = {
  trackers: ['Bug', 'Feature', 'Support'],
  statuses: ['New', 'In Progress', 'Resolved', 'Feedback', 'Closed', 'Rejected'],
  priorities: ['Low', 'Normal', 'High', 'Urgent', 'Immediate'],
  fields: ['Wardline No.', '系统'],
};

describe('PM-platform mapping (S15): data per integration, checked before use', () => {
  it('accepts the Redmine default mapping as it is', () => {
    const parsed = parseMapping(JSON.parse(JSON.stringify(REDMINE_DEFAULT_MAPPING)));
    expect(parsed.problems).toEqual([]);
    expect(parsed.mapping).toEqual(REDMINE_DEFAULT_MAPPING);
    expect(catalogProblems(REDMINE_DEFAULT_MAPPING, REDMINE, RM)).toEqual([]);
  });

  it('refuses unknown keys before anything else', () => {
    const { mapping, problems } = parseMapping({ ...REDMINE_DEFAULT_MAPPING, colour: 'red' });
    expect(mapping).toBeNull();
    expect(problems.map((p) => p.field)).toEqual(['mapping.colour']);
  });

  it('names every wrong field of a malformed mapping at once, bilingually', () => {
    const { mapping, problems } = parseMapping({
      ...REDMINE_DEFAULT_MAPPING,
      trackers: { fault: [], requirement: ['Feature'] },
      priorities: { map: { Urgent: 'P0' }, default: 'P3' },
      outbound: { incident: { fixed: 'Resolved' }, modification: {} },
      inbound: { incident: { Rejected: 'delete' }, modification: {} },
    });
    expect(mapping).toBeNull();
    expect(problems.map((p) => p.field)).toEqual([
      'mapping.trackers.fault',
      'mapping.priorities.map.Urgent',
      'mapping.outbound.incident.fixed',
      'mapping.inbound.incident.Rejected',
    ]);
    for (const p of problems) {
      expect(p.zh).toMatch(/\p{Script=Han}/u);
      expect(p.en).not.toMatch(/\p{Script=Han}/u);
    }
    expect(problems[1].en).toContain('P1, P2, P3, P4');
  });

  it('refuses a tracker that is both a fault report and a requirement', () => {
    const { problems } = parseMapping({ ...REDMINE_DEFAULT_MAPPING, trackers: { fault: ['Bug'], requirement: ['Bug'] } });
    expect(problems).toHaveLength(1);
    expect(problems[0].field).toBe('mapping.trackers.requirement');
  });

  it('checks every name against the platform and says what it has instead', () => {
    const mapping = {
      ...REDMINE_DEFAULT_MAPPING,
      trackers: { fault: ['Defect'], requirement: ['Feature'] },
      system: { field: 'System', default: 'SYS-11' },
      numberField: 'Wardline No.',
      inbound: { incident: { Withdrawn: 'cancel' as const }, modification: {} },
    };
    const problems = catalogProblems(mapping, REDMINE, RM);
    expect(problems.map((p) => p.field)).toEqual(['mapping.trackers.fault[0]', 'mapping.inbound.incident.Withdrawn', 'mapping.system.field']);
    expect(problems[0]).toEqual({
      field: 'mapping.trackers.fault[0]',
      zh: 'Redmine 项目 his 中没有跟踪标签“Defect”（现有：Bug, Feature, Support）',
      en: 'Redmine project his has no tracker "Defect" (it has: Bug, Feature, Support)',
    });
    // A pushing platform reports no catalogue: nothing to check against.
    expect(catalogProblems(mapping, { trackers: null, statuses: null, priorities: null, fields: null }, { zh: '推送平台', en: 'the platform' })).toEqual([]);
  });

  it('classifies items and translates priorities and statuses both ways', () => {
    const m = REDMINE_DEFAULT_MAPPING;
    expect(recordKindOf(m, 'Bug')).toBe('incident');
    expect(recordKindOf(m, 'Feature')).toBe('modification');
    expect(recordKindOf(m, 'Support')).toBeNull();
    expect(priorityOf(m, 'Immediate')).toBe('P1');
    expect(priorityOf(m, 'Low')).toBe('P4');
    expect(priorityOf(m, 'Whenever')).toBe('P3');
    expect(priorityOf(m, null)).toBe('P3');
    expect(outboundStatus(m, 'incident', 'resolved')).toBe('Resolved');
    expect(outboundStatus(m, 'modification', 'acceptance_requested')).toBe('Feedback');
    expect(outboundStatus({ ...m, outbound: { incident: {}, modification: {} } }, 'incident', 'resolved')).toBeNull();
    expect(inboundCommand(m, 'incident', 'Rejected')).toBe('cancel');
    expect(inboundCommand(m, 'modification', 'Closed')).toBe('accept');
    expect(inboundCommand(m, 'incident', 'Feedback')).toBeNull();
  });
});
