import { describe, expect, it } from '@jest/globals';
import { acceptanceGaps, assertPayable, milestoneStatus, periodEndDate, startOfLocalDate, timeLeft } from './contract';

/** S18: the contract's period, months left and milestone states, as pure rules in the contract's zone (UTC+8). */
describe('service contract rules (S18)', () => {
  const CST = 480;
  const at = (local: string) => Date.parse(`${local}+08:00`);

  it('a 12-month period ends the day after its last day; month ends are clamped', () => {
    expect(periodEndDate('2026-01-01', 12)).toBe('2027-01-01');
    expect(periodEndDate('2026-01-31', 1)).toBe('2026-02-28');
    expect(periodEndDate('2024-02-29', 12)).toBe('2025-02-28');
    expect(startOfLocalDate('2026-01-01', CST)).toBe(Date.UTC(2025, 11, 31, 16));
  });

  it('months and days left, counted in the contract zone whatever the machine zone', () => {
    expect(timeLeft('2026-01-01', 12, at('2026-11-30T10:00:00'), CST)).toEqual({ months: 1, days: 2, ended: false, started: true });
    // 23:30 on 31 Dec in Beijing is still inside the period although UTC says 15:30 the same day.
    expect(timeLeft('2026-01-01', 12, at('2026-12-31T23:30:00'), CST)).toEqual({ months: 0, days: 1, ended: false, started: true });
    expect(timeLeft('2026-01-01', 12, at('2027-01-01T00:00:00'), CST)).toEqual({ months: 0, days: 0, ended: true, started: true });
    expect(timeLeft('2026-01-01', 12, at('2025-12-01T09:00:00'), CST)).toEqual({ months: 12, days: 0, ended: false, started: false });
  });

  it('40 % is due once the period starts; 60 % only with an accepted pack; a payment is recorded once', () => {
    const c = { startDate: '2026-01-01', amount: 1_000_000 };
    const start = { code: 'start' as const, sharePercent: 40, paidAt: null, acceptedPack: null };
    const acceptance = { code: 'acceptance' as const, sharePercent: 60, paidAt: null, acceptedPack: null };
    expect(milestoneStatus(start, c, at('2025-12-31T23:59:00'), CST)).toMatchObject({ state: 'pending', amount: 400_000 });
    expect(milestoneStatus(start, c, at('2026-01-01T00:00:00'), CST)).toMatchObject({ state: 'due', waitingFor: null });
    const waiting = milestoneStatus(acceptance, c, at('2027-02-01T00:00:00'), CST);
    expect(waiting).toMatchObject({ state: 'pending', amount: 600_000 });
    expect(waiting.waitingFor?.zh).toContain('验收资料包');
    expect(() => assertPayable(waiting)).toThrow(/not due yet/);
    const accepted = milestoneStatus({ ...acceptance, acceptedPack: { id: 'x', number: 'AP-1', acceptedAt: 1 } }, c, at('2027-02-01T00:00:00'), CST);
    expect(accepted.state).toBe('due');
    expect(() => assertPayable(accepted)).not.toThrow();
    const paid = milestoneStatus({ ...start, paidAt: 5 }, c, at('2026-02-01T00:00:00'), CST);
    expect(paid.state).toBe('paid');
    expect(() => assertPayable(paid)).toThrow(/already paid/);
  });

  it('what acceptance lacks, one line per gap, none when everything is in', () => {
    const base = { periodEnded: true, monthsLeft: 0, recordsPending: 0, recordsDisputed: 0, modificationsAwaitingAcceptance: 0, ledgerOk: true, acceptedPack: true };
    expect(acceptanceGaps(base)).toEqual([]);
    const gaps = acceptanceGaps({ ...base, periodEnded: false, monthsLeft: 3, recordsPending: 5, recordsDisputed: 1, modificationsAwaitingAcceptance: 2, ledgerOk: false, acceptedPack: false });
    expect(gaps.map((g) => g.code)).toEqual(['period_running', 'records_pending', 'records_disputed', 'modifications_not_accepted', 'ledger_broken', 'no_accepted_pack']);
    expect(gaps[1]).toMatchObject({ count: 5, zh: '5 条维护记录尚待双方确认' });
  });
});
