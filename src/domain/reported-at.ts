import { DAY_MS, formatInZone } from './time';

/**
 * How far back a fault report may be dated. A report time before the contract started, or older than the
 * configured limit (a year by default: the whole service period, S18), would start clocks that breached long ago
 * (S10, S11: breaches are evidence) — a typing mistake (1970) must not become a breach on record.
 */
export interface ReportedAtLimits {
  /** The contract's start, when configured (WARDLINE_CONTRACT_START). */
  contractStart: number | null;
  /** The oldest report accepted, in days before now (WARDLINE_REPORTED_AT_MAX_AGE_DAYS). */
  maxAgeDays: number;
}

export const DEFAULT_REPORTED_AT_MAX_AGE_DAYS = 366;

/** Why `reportedAt` is too old, in zh-CN and English with the limit in the contract's zone, or null. */
export function reportedAtTooOld(reportedAt: number, now: number, limits: ReportedAtLimits, utcOffsetMinutes: number): { zh: string; en: string } | null {
  const oldest = now - limits.maxAgeDays * DAY_MS;
  if (limits.contractStart !== null && reportedAt < limits.contractStart && limits.contractStart >= oldest) {
    const at = formatInZone(limits.contractStart, utcOffsetMinutes);
    return { zh: `reportedAt 不能早于合同开始时间 ${at}`, en: `reportedAt must not be before the contract's start, ${at}` };
  }
  if (reportedAt < oldest) {
    const at = formatInZone(oldest, utcOffsetMinutes);
    return { zh: `reportedAt 不能早于 ${at}（${limits.maxAgeDays} 天前）`, en: `reportedAt must not be before ${at} (${limits.maxAgeDays} days ago)` };
  }
  return null;
}
