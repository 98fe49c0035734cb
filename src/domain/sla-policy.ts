import { WorkingCalendar } from './calendar';
import { DomainError, DomainErrorCode, invalidInput } from './errors';
import { DEFAULT_ESCALATION_POLICY, EscalationPolicy, validateEscalationPolicy } from './escalation';
import { DAY_MS, MINUTE_MS } from './time';

import { Priority } from './priority';
export { PRIORITIES, type Priority } from './priority';

export type ClockKind = 'respond' | 'on_site' | 'repair' | 'data_repair' | 'delivery';
/** `wall`: elapsed real time. `working`: only working time counts. */
export type ClockBasis = 'wall' | 'working';
/** S10: the tier is fixed by whether the report falls in working time. */
export type Tier = 'working_time' | 'off_hours';

export interface ResponseTargets {
  respondMinutes: number;
  onSiteMinutes: number;
}

/** A tighter target for some systems or priorities. It can only tighten the contract, never loosen it. */
export interface SlaOverride {
  systemId?: string;
  priority?: Priority;
  respondMinutes?: number;
  onSiteMinutes?: number;
  repairWorkingDays?: number;
}

/** The contract's service levels as versioned data; every clock records the version it started under. */
export interface SlaPolicy {
  version: number;
  name: string;
  incident: {
    workingTime: ResponseTargets;
    offHours: ResponseTargets;
    repairWorkingDays: number;
    dataRepairWorkingDays: number;
  };
  modification: {
    deliveryCalendarDays: number;
    acceptanceAfterWorkingDays: number;
    freeMaintenanceMonths: number;
  };
  /** Shares of the budget at which a warning fires once each; the breach fires at 1. */
  warningFractions: number[];
  overrides: SlaOverride[];
  /** S7: when and how the original vendor is called in; the defaults apply when a policy leaves it out. */
  escalation?: EscalationPolicy;
}

/** The hospital's contract (S10 response/on-site, S2 repair, S3/S17 modifications). */
export const CONTRACT_POLICY: SlaPolicy = {
  version: 1,
  name: '合同服务级别 / contract service levels',
  incident: {
    workingTime: { respondMinutes: 30, onSiteMinutes: 60 },
    offHours: { respondMinutes: 60, onSiteMinutes: 120 },
    repairWorkingDays: 2,
    dataRepairWorkingDays: 2,
  },
  modification: { deliveryCalendarDays: 7, acceptanceAfterWorkingDays: 7, freeMaintenanceMonths: 2 },
  warningFractions: [0.5, 0.75, 0.9],
  overrides: [],
  escalation: DEFAULT_ESCALATION_POLICY,
};

export function escalationPolicyOf(policy: SlaPolicy): EscalationPolicy {
  return policy.escalation ?? DEFAULT_ESCALATION_POLICY;
}

function positive(value: unknown, field: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidInput(field, 'must be a positive number');
  }
}

/** Checks a policy's shape, that overrides only tighten it, and, given a floor, that it is no looser than the contract. */
export function validatePolicy(policy: SlaPolicy, floor?: SlaPolicy): SlaPolicy {
  if (floor) {
    const pairs: [string, number, number][] = [
      ['incident.workingTime.respondMinutes', policy.incident?.workingTime?.respondMinutes, floor.incident.workingTime.respondMinutes],
      ['incident.workingTime.onSiteMinutes', policy.incident?.workingTime?.onSiteMinutes, floor.incident.workingTime.onSiteMinutes],
      ['incident.offHours.respondMinutes', policy.incident?.offHours?.respondMinutes, floor.incident.offHours.respondMinutes],
      ['incident.offHours.onSiteMinutes', policy.incident?.offHours?.onSiteMinutes, floor.incident.offHours.onSiteMinutes],
      ['incident.repairWorkingDays', policy.incident?.repairWorkingDays, floor.incident.repairWorkingDays],
      ['incident.dataRepairWorkingDays', policy.incident?.dataRepairWorkingDays, floor.incident.dataRepairWorkingDays],
      ['modification.deliveryCalendarDays', policy.modification?.deliveryCalendarDays, floor.modification.deliveryCalendarDays],
    ];
    for (const [field, value, limit] of pairs) {
      if (typeof value === 'number' && value > limit) throw invalidInput(field, `may not be looser than the contract (${limit})`);
    }
  }
  if (!Number.isInteger(policy.version) || policy.version < 1) throw invalidInput('version', 'must be a positive integer');
  const inc = policy.incident;
  for (const tier of ['workingTime', 'offHours'] as const) {
    positive(inc?.[tier]?.respondMinutes, `incident.${tier}.respondMinutes`);
    positive(inc?.[tier]?.onSiteMinutes, `incident.${tier}.onSiteMinutes`);
  }
  positive(inc.repairWorkingDays, 'incident.repairWorkingDays');
  positive(inc.dataRepairWorkingDays, 'incident.dataRepairWorkingDays');
  positive(policy.modification?.deliveryCalendarDays, 'modification.deliveryCalendarDays');
  positive(policy.modification?.acceptanceAfterWorkingDays, 'modification.acceptanceAfterWorkingDays');
  positive(policy.modification?.freeMaintenanceMonths, 'modification.freeMaintenanceMonths');
  if (!Array.isArray(policy.warningFractions)) throw invalidInput('warningFractions', 'must be a list');
  policy.warningFractions.forEach((f, i) => {
    if (typeof f !== 'number' || !(f > 0 && f < 1)) throw invalidInput(`warningFractions[${i}]`, 'must be between 0 and 1');
  });
  (policy.overrides ?? []).forEach((o, i) => {
    if (o.systemId === undefined && o.priority === undefined) {
      throw invalidInput(`overrides[${i}]`, 'must name a systemId, a priority or both');
    }
    // An override applies as min(contract tier, override), so one looser than both tiers would do nothing: refuse it.
    for (const key of ['respondMinutes', 'onSiteMinutes'] as const) {
      const value = o[key];
      if (value === undefined) continue;
      positive(value, `overrides[${i}].${key}`);
      if (value > Math.max(inc.workingTime[key], inc.offHours[key])) {
        throw invalidInput(`overrides[${i}].${key}`, 'may only tighten the contract, not loosen it');
      }
    }
    if (o.repairWorkingDays !== undefined) {
      positive(o.repairWorkingDays, `overrides[${i}].repairWorkingDays`);
      if (o.repairWorkingDays > inc.repairWorkingDays) {
        throw invalidInput(`overrides[${i}].repairWorkingDays`, 'may only tighten the contract, not loosen it');
      }
    }
  });
  if (policy.escalation) validateEscalationPolicy(policy.escalation);
  return policy;
}

export function requirePolicy(policies: readonly SlaPolicy[], version: number | undefined): SlaPolicy {
  const found =
    version === undefined
      ? [...policies].sort((a, b) => b.version - a.version)[0]
      : policies.find((p) => p.version === version);
  if (!found) {
    throw new DomainError(DomainErrorCode.UnknownPolicy, `unknown SLA policy version ${version ?? '(none loaded)'}`, {
      field: 'policyVersion',
    });
  }
  return found;
}

/** A clock's budget and where it would end if nothing paused it. */
export interface ClockTarget {
  kind: ClockKind;
  basis: ClockBasis;
  budgetMs: number;
  deadline: number;
}

export interface IncidentTargets {
  tier: Tier;
  policyVersion: number;
  respond: ClockTarget;
  onSite: ClockTarget;
  repair: ClockTarget;
  /** False when a deadline falls in a year whose official holiday schedule is not loaded. */
  calendarCovered: boolean;
  /** True when the span up to a deadline touches a year computed from the statutory holidays only (no 调休 yet). */
  calendarProvisional: boolean;
}

function matching(policy: SlaPolicy, systemId: string | undefined, priority: Priority | undefined): SlaOverride[] {
  return (policy.overrides ?? []).filter(
    (o) => (o.systemId === undefined || o.systemId === systemId) && (o.priority === undefined || o.priority === priority),
  );
}

function tightest(base: number, values: (number | undefined)[]): number {
  return values.reduce<number>((min, v) => (v !== undefined && v < min ? v : min), base);
}

/** The budgets of an incident's clocks under a policy: overrides can only make them shorter. */
export function incidentBudgets(
  policy: SlaPolicy,
  calendar: WorkingCalendar,
  input: { reportedAt: number; systemId?: string; priority?: Priority; dataRepair?: boolean },
): { tier: Tier; respondMs: number; onSiteMs: number; repairMs: number } {
  const tier: Tier = calendar.isWorkingTime(input.reportedAt) ? 'working_time' : 'off_hours';
  const base = tier === 'working_time' ? policy.incident.workingTime : policy.incident.offHours;
  const overrides = matching(policy, input.systemId, input.priority);
  const respond = tightest(base.respondMinutes, overrides.map((o) => o.respondMinutes));
  const onSite = tightest(base.onSiteMinutes, overrides.map((o) => o.onSiteMinutes));
  const repairDays = tightest(
    input.dataRepair ? policy.incident.dataRepairWorkingDays : policy.incident.repairWorkingDays,
    overrides.map((o) => o.repairWorkingDays),
  );
  return {
    tier,
    respondMs: Math.round(respond * MINUTE_MS),
    onSiteMs: Math.round(onSite * MINUTE_MS),
    repairMs: Math.round(repairDays * calendar.dayLengthMs),
  };
}

/** S10 and S2: respond and on-site deadlines are wall-clock from the report; repair is working days. */
export function incidentTargets(
  policy: SlaPolicy,
  calendar: WorkingCalendar,
  input: { reportedAt: number; systemId?: string; priority?: Priority; dataRepair?: boolean },
): IncidentTargets {
  const b = incidentBudgets(policy, calendar, input);
  const repairDeadline = calendar.addWorkingTime(input.reportedAt, b.repairMs);
  return {
    tier: b.tier,
    policyVersion: policy.version,
    respond: { kind: 'respond', basis: 'wall', budgetMs: b.respondMs, deadline: input.reportedAt + b.respondMs },
    onSite: { kind: 'on_site', basis: 'wall', budgetMs: b.onSiteMs, deadline: input.reportedAt + b.onSiteMs },
    repair: {
      kind: input.dataRepair ? 'data_repair' : 'repair',
      basis: 'working',
      budgetMs: b.repairMs,
      deadline: repairDeadline,
    },
    calendarCovered: calendar.covers(input.reportedAt, repairDeadline),
    calendarProvisional: calendar.provisional(input.reportedAt, repairDeadline),
  };
}

export interface ModificationTargets {
  policyVersion: number;
  delivery: ClockTarget;
}

/** S3/S11: a modification request is delivered within 7 calendar days of submission. */
export function modificationTargets(policy: SlaPolicy, submittedAt: number): ModificationTargets {
  const budgetMs = Math.round(policy.modification.deliveryCalendarDays * DAY_MS);
  return {
    policyVersion: policy.version,
    delivery: { kind: 'delivery', basis: 'wall', budgetMs, deadline: submittedAt + budgetMs },
  };
}

/** S17: acceptance of a modification may be requested from 7 working days after go-live. */
export function acceptanceEligibleAt(policy: SlaPolicy, calendar: WorkingCalendar, liveAt: number): number {
  return calendar.addWorkingDays(liveAt, policy.modification.acceptanceAfterWorkingDays);
}
