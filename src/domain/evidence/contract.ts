import { DomainError, DomainErrorCode, invalidInput } from '../errors';
import { DAY_MS, formatDayNumber, localDayNumber, parseIsoDate } from '../time';

/**
 * S18: the service contract as data. A 12-month service period; payment 40 % when the service starts and 60 % after
 * acceptance (S17), which waits on an accepted acceptance pack of the contract's period. The milestones' states are
 * derived from facts (the date, the accepted pack, the payment recorded), so they can never disagree with them.
 */
export const MILESTONE_CODES = ['start', 'acceptance'] as const;
export type MilestoneCode = (typeof MILESTONE_CODES)[number];

/** The contract's split (合同款支付方式): 40 % at the start, 60 % after acceptance. */
export const CONTRACT_SHARES: Record<MilestoneCode, number> = { start: 40, acceptance: 60 };
export const CONTRACT_MONTHS = 12;

export type MilestoneState = 'pending' | 'due' | 'paid';

export const MILESTONE_ZH: Record<MilestoneCode, string> = { start: '首付款（服务开始）', acceptance: '验收款（验收通过后）' };
export const MILESTONE_STATE_ZH: Record<MilestoneState, string> = { pending: '未到期', due: '应付', paid: '已支付' };

export interface MilestoneFacts {
  code: MilestoneCode;
  sharePercent: number;
  paidAt: number | null;
  /** The accepted acceptance pack the 60 % waits on (S17), if one was accepted. */
  acceptedPack: { id: string; number: string; acceptedAt: number } | null;
}

export interface MilestoneStatus {
  code: MilestoneCode;
  sharePercent: number;
  amount: number | null;
  state: MilestoneState;
  /** What it still waits on, zh-CN / English; null once due or paid. */
  waitingFor: { zh: string; en: string } | null;
}

/** A local date (YYYY-MM-DD) plus whole calendar months, the day after the last day of the period (exclusive end). */
export function periodEndDate(startDate: string, months: number): string {
  const day = parseIsoDate(startDate, 'startDate');
  const d = new Date(day * DAY_MS);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return formatDayNumber(Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay)) / DAY_MS);
}

/** The instant a local date begins in the contract's zone. */
export function startOfLocalDate(date: string, utcOffsetMinutes: number): number {
  return parseIsoDate(date, 'date') * DAY_MS - utcOffsetMinutes * 60_000;
}

export function validateContractTerms(t: { startDate: string; months: number; amount: number | null }): void {
  parseIsoDate(t.startDate, 'startDate');
  if (!Number.isInteger(t.months) || t.months < 1 || t.months > 60) throw invalidInput('months', 'must be a whole number of months from 1 to 60', '须为 1–60 的整数月');
  if (t.amount !== null && (!Number.isFinite(t.amount) || t.amount < 0)) throw invalidInput('amount', 'must be zero or more', '须为非负数');
}

export function milestoneStatus(m: MilestoneFacts, c: { startDate: string; amount: number | null }, now: number, utcOffsetMinutes: number): MilestoneStatus {
  const amount = c.amount === null ? null : Math.round(c.amount * m.sharePercent) / 100;
  const base = { code: m.code, sharePercent: m.sharePercent, amount };
  if (m.paidAt !== null) return { ...base, state: 'paid', waitingFor: null };
  if (m.code === 'start') {
    return now >= startOfLocalDate(c.startDate, utcOffsetMinutes)
      ? { ...base, state: 'due', waitingFor: null }
      : { ...base, state: 'pending', waitingFor: { zh: `服务期于 ${c.startDate} 开始`, en: `the service period starts on ${c.startDate}` } };
  }
  return m.acceptedPack
    ? { ...base, state: 'due', waitingFor: null }
    : { ...base, state: 'pending', waitingFor: { zh: '院方验收通过的验收资料包', en: 'an acceptance pack of the contract period accepted by the hospital' } };
}

/** Recording a payment: only a milestone that is due, and only once. */
export function assertPayable(s: MilestoneStatus): void {
  if (s.state === 'due') return;
  const zh = s.state === 'paid' ? `${MILESTONE_ZH[s.code]}已记录支付` : `${MILESTONE_ZH[s.code]}尚未到期：等待${s.waitingFor?.zh ?? ''}`;
  const en = s.state === 'paid' ? `the ${s.code} milestone is already paid` : `the ${s.code} milestone is not due yet: waiting for ${s.waitingFor?.en ?? ''}`;
  throw new DomainError(DomainErrorCode.IllegalTransition, en, { state: s.state, milestone: s.code }, zh);
}

/** Whole calendar months and days left of the period at `now` (0 and 0 once it has ended). */
export function timeLeft(startDate: string, months: number, now: number, utcOffsetMinutes: number): { months: number; days: number; ended: boolean; started: boolean } {
  const end = periodEndDate(startDate, months);
  const today = localDayNumber(now, utcOffsetMinutes);
  const endDay = parseIsoDate(end, 'endDate');
  const started = today >= parseIsoDate(startDate, 'startDate');
  if (today >= endDay) return { months: 0, days: 0, ended: true, started };
  const from = started ? today : parseIsoDate(startDate, 'startDate');
  // Count whole months forward from `from` while they fit before the end, then the days that remain.
  let whole = 0;
  while (whole < 1200) {
    const next = parseIsoDate(periodEndDate(formatDayNumber(from), whole + 1), 'date');
    if (next > endDay) break;
    whole++;
  }
  const afterMonths = whole === 0 ? from : parseIsoDate(periodEndDate(formatDayNumber(from), whole), 'date');
  return { months: whole, days: endDay - afterMonths, ended: false, started };
}

/** What acceptance (S17) of the contract's period still lacks, from facts gathered in the database. */
export interface AcceptanceFacts {
  periodEnded: boolean;
  monthsLeft: number;
  /** Records of the period neither confirmed by both parties nor superseded: pending or disputed. */
  recordsPending: number;
  recordsDisputed: number;
  /** Modifications delivered (live) in the period but not yet accepted. */
  modificationsAwaitingAcceptance: number;
  ledgerOk: boolean;
  acceptedPack: boolean;
}

export interface AcceptanceGap {
  code: 'period_running' | 'records_pending' | 'records_disputed' | 'modifications_not_accepted' | 'ledger_broken' | 'no_accepted_pack';
  zh: string;
  en: string;
  count: number | null;
}

export function acceptanceGaps(f: AcceptanceFacts): AcceptanceGap[] {
  const gaps: AcceptanceGap[] = [];
  if (!f.periodEnded) gaps.push({ code: 'period_running', zh: `服务期尚未结束（剩余约 ${f.monthsLeft} 个月）`, en: `the service period has not ended (about ${f.monthsLeft} months left)`, count: null });
  if (f.recordsPending > 0) gaps.push({ code: 'records_pending', zh: `${f.recordsPending} 条维护记录尚待双方确认`, en: `${f.recordsPending} maintenance records await confirmation by both parties`, count: f.recordsPending });
  if (f.recordsDisputed > 0) gaps.push({ code: 'records_disputed', zh: `${f.recordsDisputed} 条维护记录存在异议待更正`, en: `${f.recordsDisputed} maintenance records are disputed and await correction`, count: f.recordsDisputed });
  if (f.modificationsAwaitingAcceptance > 0) {
    gaps.push({ code: 'modifications_not_accepted', zh: `${f.modificationsAwaitingAcceptance} 项改造已上线尚未验收`, en: `${f.modificationsAwaitingAcceptance} modifications are live but not accepted`, count: f.modificationsAwaitingAcceptance });
  }
  if (!f.ledgerOk) gaps.push({ code: 'ledger_broken', zh: '维护记录台账校验未通过', en: 'the maintenance-record ledger does not verify', count: null });
  if (!f.acceptedPack) gaps.push({ code: 'no_accepted_pack', zh: '尚无院方验收通过的服务期验收资料包', en: 'no acceptance pack of the service period has been accepted', count: null });
  return gaps;
}
