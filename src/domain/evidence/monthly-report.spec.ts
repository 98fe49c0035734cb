import { describe, expect, it } from '@jest/globals';
import { WorkingCalendar } from '../calendar';
import { buildCalendarSpec } from '../../infra/china-calendar';
import { firstWorkingDay, monthBounds, previousMonth, reportMonthDue, validatePlanEdit, validatePublish } from './monthly-report';

/** S8: the report is due on each month's first working day by the China calendar (holidays and 调休). */
describe('monthly report rules (S8)', () => {
  const calendar = new WorkingCalendar(buildCalendarSpec({ timeZone: 'Asia/Shanghai' }));
  const at = (local: string) => Date.parse(`${local}+08:00`);

  it('the first working day skips weekends and the official holidays', () => {
    // 2026-11-01 is a Sunday.
    expect(firstWorkingDay(calendar, '2026-11')).toBe('2026-11-02');
    // 国庆 and 中秋 2026: the first days of October are off, so September's report waits for the first day back.
    const oct = firstWorkingDay(calendar, '2026-10');
    expect(oct > '2026-10-07').toBe(true);
    expect(calendar.isWorkingDay(oct)).toBe(true);
    // 元旦 2026: 1–3 January off, 4 January (Sunday) an adjusted working day.
    expect(firstWorkingDay(calendar, '2026-01')).toBe('2026-01-04');
  });

  it('is due only on that day, for the previous month, across the year boundary', () => {
    expect(reportMonthDue(calendar, at('2026-11-02T09:00:00'))).toBe('2026-10');
    expect(reportMonthDue(calendar, at('2026-11-01T09:00:00'))).toBeNull();
    expect(reportMonthDue(calendar, at('2026-11-03T09:00:00'))).toBeNull();
    expect(reportMonthDue(calendar, at('2026-01-04T09:00:00'))).toBe('2025-12');
    // 00:30 in Beijing on 2 November is still 1 November in UTC: the contract's zone decides.
    expect(reportMonthDue(calendar, at('2026-11-02T00:30:00'))).toBe('2026-10');
    expect(previousMonth('2026-01')).toBe('2025-12');
    expect(monthBounds('2026-10', 480)).toEqual({ from: Date.UTC(2026, 8, 30, 16), to: Date.UTC(2026, 9, 31, 16) });
  });

  it('the plan is edited by the project and quality managers; publishing needs both', () => {
    const pm = { id: 'p', name: '张经理', roles: ['project_manager'] };
    const qm = { id: 'q', name: '刘质量', roles: ['quality_manager'] };
    expect(() => validatePlanEdit('draft', { id: 'd', name: 'x', roles: ['dispatcher'] }, 'x')).toThrow(/only the project manager/);
    expect(() => validatePlanEdit('drafting', pm, 'x')).toThrow(/drafting/);
    expect(() => validatePlanEdit('draft', pm, '  ')).toThrow(/empty/);
    expect(validatePlanEdit('draft', pm, '加强巡检')).toEqual(['project_manager']);
    const byPm = [{ by: { id: 'p', name: '张经理' }, as: ['project_manager' as const], at: 1 }];
    expect(() => validatePublish('draft', pm, '加强巡检', byPm)).toThrow(/quality manager/);
    expect(() => validatePublish('draft', qm, '加强巡检', [...byPm, { by: { id: 'q', name: '刘质量' }, as: ['quality_manager' as const], at: 2 }])).not.toThrow();
    expect(() => validatePublish('published', qm, '加强巡检', byPm)).toThrow(/published/);
  });
});
