import { describe, expect, it } from '@jest/globals';
import { buildCalendarSpec } from '../infra/china-calendar';
import { WorkingCalendar } from './calendar';
import { DomainErrorCode } from './errors';
import {
  CONTRACT_POLICY,
  SlaPolicy,
  acceptanceEligibleAt,
  incidentBudgets,
  incidentTargets,
  modificationTargets,
  requirePolicy,
  validatePolicy,
} from './sla-policy';
import { DAY_MS, HOUR_MS, MINUTE_MS, formatInZone } from './time';
import { domainError } from './testing/domain-error';

const calendar = new WorkingCalendar(buildCalendarSpec());
const at = (iso: string): number => Date.parse(iso);
const show = (ms: number): string => formatInZone(ms, 8 * 60);

function targets(iso: string, extra: Partial<Parameters<typeof incidentTargets>[2]> = {}, policy: SlaPolicy = CONTRACT_POLICY) {
  const t = incidentTargets(policy, calendar, { reportedAt: at(iso), ...extra });
  return {
    tier: t.tier,
    respond: show(t.respond.deadline),
    onSite: show(t.onSite.deadline),
    repair: show(t.repair.deadline),
    covered: t.calendarCovered,
  };
}

describe('CONTRACT_POLICY', () => {
  it('states S10, S2, S3 and S17 as data and passes its own validation', () => {
    expect(CONTRACT_POLICY.incident).toEqual({
      workingTime: { respondMinutes: 30, onSiteMinutes: 60 },
      offHours: { respondMinutes: 60, onSiteMinutes: 120 },
      repairWorkingDays: 2,
      dataRepairWorkingDays: 2,
    });
    expect(CONTRACT_POLICY.modification.deliveryCalendarDays).toBe(7);
    expect(CONTRACT_POLICY.modification.acceptanceAfterWorkingDays).toBe(7);
    expect(validatePolicy(CONTRACT_POLICY)).toBe(CONTRACT_POLICY);
  });
});

describe('incidentTargets', () => {
  it.each([
    // S10: the tier is fixed by the report time; respond/on-site then run on the wall clock, even past 18:00.
    ['2026-03-06T17:59:00+08:00', 'working_time', '2026-03-06T18:29:00+08:00', '2026-03-06T18:59:00+08:00', '2026-03-10T17:59:00+08:00', 'Friday 17:59'],
    ['2026-03-06T18:00:00+08:00', 'off_hours', '2026-03-06T19:00:00+08:00', '2026-03-06T20:00:00+08:00', '2026-03-10T18:00:00+08:00', 'Friday 18:00'],
    ['2026-03-09T07:59:00+08:00', 'off_hours', '2026-03-09T08:59:00+08:00', '2026-03-09T09:59:00+08:00', '2026-03-10T18:00:00+08:00', 'Monday 07:59 keeps the off-hours tier after 08:00'],
    ['2026-03-09T08:00:00+08:00', 'working_time', '2026-03-09T08:30:00+08:00', '2026-03-09T09:00:00+08:00', '2026-03-10T18:00:00+08:00', 'Monday 08:00'],
    ['2026-03-07T10:00:00+08:00', 'off_hours', '2026-03-07T11:00:00+08:00', '2026-03-07T12:00:00+08:00', '2026-03-10T18:00:00+08:00', 'ordinary Saturday'],
    ['2026-01-04T10:00:00+08:00', 'working_time', '2026-01-04T10:30:00+08:00', '2026-01-04T11:00:00+08:00', '2026-01-06T10:00:00+08:00', 'adjusted working Sunday'],
    ['2026-02-16T10:00:00+08:00', 'off_hours', '2026-02-16T11:00:00+08:00', '2026-02-16T12:00:00+08:00', '2026-02-25T18:00:00+08:00', 'Spring Festival Monday'],
    // S2 across a holiday: Wed 9 h, Thu Oct 8 10 h, Fri 1 h.
    ['2026-09-30T09:00:00+08:00', 'working_time', '2026-09-30T09:30:00+08:00', '2026-09-30T10:00:00+08:00', '2026-10-09T09:00:00+08:00', 'before National Day'],
    ['2026-10-03T23:30:00+08:00', 'off_hours', '2026-10-04T00:30:00+08:00', '2026-10-04T01:30:00+08:00', '2026-10-09T18:00:00+08:00', 'late night in National Day'],
  ])('%s → %s, respond %s, on site %s, repair %s (%s)', (reported, tier, respond, onSite, repair) => {
    expect(targets(reported)).toEqual({ tier, respond, onSite, repair, covered: true });
  });

  it('records budgets, bases and the policy version on every clock', () => {
    const t = incidentTargets(CONTRACT_POLICY, calendar, { reportedAt: at('2026-03-06T17:59:00+08:00'), priority: 'P2' });
    expect(t.policyVersion).toBe(1);
    expect(t.respond).toMatchObject({ kind: 'respond', basis: 'wall', budgetMs: 30 * MINUTE_MS });
    expect(t.onSite).toMatchObject({ kind: 'on_site', basis: 'wall', budgetMs: 60 * MINUTE_MS });
    expect(t.repair).toMatchObject({ kind: 'repair', basis: 'working', budgetMs: 20 * HOUR_MS });
  });

  it('S2: a data repair is its own clock of 2 working days', () => {
    const t = incidentTargets(CONTRACT_POLICY, calendar, { reportedAt: at('2026-02-13T17:00:00+08:00'), dataRepair: true });
    expect(t.repair.kind).toBe('data_repair');
    expect(t.repair.budgetMs).toBe(20 * HOUR_MS);
    expect(show(t.repair.deadline)).toBe('2026-02-24T17:00:00+08:00');
  });

  it('S2: a data repair follows dataRepairWorkingDays, not repairWorkingDays', () => {
    const policy: SlaPolicy = { ...CONTRACT_POLICY, version: 3, incident: { ...CONTRACT_POLICY.incident, dataRepairWorkingDays: 1 } };
    expect(targets('2026-03-06T17:00:00+08:00', { dataRepair: true }, policy).repair).toBe('2026-03-09T17:00:00+08:00');
    expect(targets('2026-03-06T17:00:00+08:00', { dataRepair: false }, policy).repair).toBe('2026-03-10T17:00:00+08:00');
  });

  it('flags a repair deadline in a year whose holidays are not loaded', () => {
    expect(targets('2026-12-31T17:00:00+08:00')).toMatchObject({ repair: '2027-01-04T17:00:00+08:00', covered: false });
  });

  describe('overrides only tighten', () => {
    const policy = validatePolicy({
      ...CONTRACT_POLICY,
      version: 2,
      overrides: [
        { priority: 'P1', respondMinutes: 15, onSiteMinutes: 45, repairWorkingDays: 1 },
        // Looser than the working-time tier, tighter than off-hours: it can only shorten off-hours.
        { systemId: 'pacs', respondMinutes: 45 },
        { systemId: 'lis', priority: 'P2', onSiteMinutes: 20 },
      ],
    });
    const budgets = (iso: string, input: { systemId?: string; priority?: 'P1' | 'P2' | 'P3' | 'P4' }) => {
      const b = incidentBudgets(policy, calendar, { reportedAt: at(iso), ...input });
      return [b.tier, b.respondMs / MINUTE_MS, b.onSiteMs / MINUTE_MS, b.repairMs / HOUR_MS];
    };
    const WORK = '2026-03-04T10:00:00+08:00';
    const NIGHT = '2026-03-04T22:00:00+08:00';

    it.each([
      [WORK, {}, ['working_time', 30, 60, 20]],
      [NIGHT, {}, ['off_hours', 60, 120, 20]],
      [WORK, { priority: 'P1' as const }, ['working_time', 15, 45, 10]],
      [NIGHT, { priority: 'P1' as const }, ['off_hours', 15, 45, 10]],
      [WORK, { systemId: 'pacs' }, ['working_time', 30, 60, 20]],
      [NIGHT, { systemId: 'pacs' }, ['off_hours', 45, 120, 20]],
      [NIGHT, { systemId: 'pacs', priority: 'P1' as const }, ['off_hours', 15, 45, 10]],
      [WORK, { systemId: 'lis', priority: 'P2' as const }, ['working_time', 30, 20, 20]],
      [WORK, { systemId: 'lis', priority: 'P3' as const }, ['working_time', 30, 60, 20]],
      [WORK, { priority: 'P2' as const }, ['working_time', 30, 60, 20]],
    ])('%s %j → [tier, respond min, on-site min, repair h] %j', (iso, input, expected) => {
      expect(budgets(iso, input)).toEqual(expected);
    });

    it('a tighter repair override moves the repair deadline', () => {
      const t = incidentTargets(policy, calendar, { reportedAt: at('2026-03-06T17:00:00+08:00'), priority: 'P1' });
      expect(show(t.repair.deadline)).toBe('2026-03-09T17:00:00+08:00');
      expect(t.policyVersion).toBe(2);
    });

    it.each<[string, SlaPolicy['overrides'][number]]>([
      ['respond above every tier (S10)', { priority: 'P4', respondMinutes: 61 }],
      ['on site above every tier (S10)', { systemId: 'pacs', onSiteMinutes: 121 }],
      ['repair above 2 working days (S2)', { priority: 'P3', repairWorkingDays: 2.5 }],
      ['a zero target', { priority: 'P3', respondMinutes: 0 }],
      ['a negative target', { priority: 'P3', onSiteMinutes: -5 }],
      ['an override naming nothing', { respondMinutes: 10 }],
    ])('validatePolicy refuses %s', (_why, override) => {
      const err = domainError(() => validatePolicy({ ...CONTRACT_POLICY, version: 2, overrides: [override] }));
      expect(err.code).toBe(DomainErrorCode.InvalidInput);
      expect(String(err.details.field)).toMatch(/^overrides\[0]/);
    });
  });

  it.each<[string, (p: SlaPolicy) => SlaPolicy]>([
    ['version 0', (p) => ({ ...p, version: 0 })],
    ['a warning fraction of 1', (p) => ({ ...p, warningFractions: [0.5, 1] })],
    ['a zero repair budget', (p) => ({ ...p, incident: { ...p.incident, repairWorkingDays: 0 } })],
    ['a missing tier', (p) => ({ ...p, incident: { ...p.incident, offHours: undefined as never } })],
  ])('validatePolicy refuses %s', (_why, change) => {
    expect(domainError(() => validatePolicy(change(CONTRACT_POLICY))).code).toBe(DomainErrorCode.InvalidInput);
  });

  it('requirePolicy picks the named version, or the newest when none is named', () => {
    const v2: SlaPolicy = { ...CONTRACT_POLICY, version: 2 };
    expect(requirePolicy([CONTRACT_POLICY, v2], 1)).toBe(CONTRACT_POLICY);
    expect(requirePolicy([CONTRACT_POLICY, v2], undefined)).toBe(v2);
    const err = domainError(() => requirePolicy([CONTRACT_POLICY, v2], 7));
    expect(err.code).toBe(DomainErrorCode.UnknownPolicy);
    expect(err.message).toContain('7');
  });
});

describe('modificationTargets (S3/S11: delivered within 7 calendar days)', () => {
  it.each([
    ['2026-03-04T10:00:00+08:00', '2026-03-11T10:00:00+08:00'],
    ['2026-09-30T10:00:00+08:00', '2026-10-07T10:00:00+08:00'], // calendar days: National Day does not stop it
    ['2026-02-14T22:15:00+08:00', '2026-02-21T22:15:00+08:00'],
  ])('submitted %s → delivery due %s', (submitted, due) => {
    const t = modificationTargets(CONTRACT_POLICY, at(submitted));
    expect(t.delivery).toEqual({ kind: 'delivery', basis: 'wall', budgetMs: 7 * DAY_MS, deadline: at(due) });
    expect(t.policyVersion).toBe(1);
  });
});

describe('acceptanceEligibleAt (S17: 7 working days after go-live)', () => {
  it.each([
    ['2026-03-02T08:00:00+08:00', '2026-03-10T18:00:00+08:00', 'Monday 08:00: five days, then Monday and Tuesday'],
    ['2026-03-06T17:00:00+08:00', '2026-03-17T17:00:00+08:00', 'Friday 17:00'],
    ['2026-09-28T10:00:00+08:00', '2026-10-13T10:00:00+08:00', 'across National Day with adjusted Saturday Oct 10'],
    ['2026-02-13T12:00:00+08:00', '2026-03-02T12:00:00+08:00', 'across Spring Festival with both adjusted Saturdays'],
  ])('live %s → eligible %s (%s)', (live, eligible) => {
    expect(show(acceptanceEligibleAt(CONTRACT_POLICY, calendar, at(live)))).toBe(eligible);
  });
});
