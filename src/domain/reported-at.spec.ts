import { describe, expect, it } from '@jest/globals';
import { DAY_MS } from './time';
import { DEFAULT_REPORTED_AT_MAX_AGE_DAYS, reportedAtTooOld } from './reported-at';

const now = Date.parse('2026-11-30T12:00:00+08:00');

describe('how far back a fault report may be dated (S10, S11)', () => {
  it('refuses 1970, and anything older than the limit, naming the limit in the contract zone', () => {
    const limits = { contractStart: null, maxAgeDays: DEFAULT_REPORTED_AT_MAX_AGE_DAYS };
    expect(reportedAtTooOld(0, now, limits, 480)).toEqual({
      zh: 'reportedAt 不能早于 2025-11-29T12:00:00+08:00（366 天前）',
      en: 'reportedAt must not be before 2025-11-29T12:00:00+08:00 (366 days ago)',
    });
    expect(reportedAtTooOld(now - 365 * DAY_MS, now, limits, 480)).toBeNull();
    expect(reportedAtTooOld(now - 2 * 60_000, now, limits, 480)).toBeNull();
  });

  it('refuses a report before the contract started when that is the nearer limit', () => {
    const contractStart = Date.parse('2026-06-01T00:00:00+08:00');
    const limits = { contractStart, maxAgeDays: 366 };
    expect(reportedAtTooOld(contractStart - 1, now, limits, 480)?.en).toBe("reportedAt must not be before the contract's start, 2026-06-01T00:00:00+08:00");
    expect(reportedAtTooOld(contractStart, now, limits, 480)).toBeNull();
    // A contract that started long ago: the age limit binds.
    expect(reportedAtTooOld(now - 400 * DAY_MS, now, { contractStart: 0, maxAgeDays: 366 }, 480)?.en).toContain('366 days ago');
  });
});
