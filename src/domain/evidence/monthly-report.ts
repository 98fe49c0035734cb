import type { WorkingCalendar } from '../calendar';
import { DomainError, DomainErrorCode, invalidInput } from '../errors';
import { DAY_MS, MINUTE_MS, formatDayNumber, localDayNumber } from '../time';
import { Role, holdsAny } from '../roles';

/**
 * S8: the monthly service report. On the first working day of a month (the China calendar: holidays and 调休) the
 * previous month's report is drafted; the project manager and the quality manager each edit its improvement plan;
 * then either publishes it and the IT department is told. These rules are pure; the workflow and the API share them.
 */
export type MonthlyReportState = 'drafting' | 'draft' | 'published' | 'failed';
export const REPORT_EDITORS: readonly Role[] = ['project_manager', 'quality_manager'];
export const MONTHLY_STATE_ZH: Record<MonthlyReportState, string> = { drafting: '生成中', draft: '草稿（待改进计划）', published: '已发布', failed: '生成失败' };

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function parseMonth(month: string, field = 'month'): { year: number; month: number } {
  const m = MONTH.exec(month);
  if (!m) throw invalidInput(field, 'must be a month YYYY-MM', '须为 YYYY-MM 格式的月份');
  return { year: Number(m[1]), month: Number(m[2]) };
}

/** The month as instants in the contract's zone: [first day 00:00, next month's first day 00:00). */
export function monthBounds(month: string, utcOffsetMinutes: number): { from: number; to: number } {
  const { year, month: m } = parseMonth(month);
  const shift = utcOffsetMinutes * MINUTE_MS;
  return { from: Date.UTC(year, m - 1, 1) - shift, to: Date.UTC(year, m, 1) - shift };
}

export function monthOf(instant: number, utcOffsetMinutes: number): string {
  return formatDayNumber(localDayNumber(instant, utcOffsetMinutes)).slice(0, 7);
}

export function previousMonth(month: string): string {
  const { year, month: m } = parseMonth(month);
  return m === 1 ? `${year - 1}-12` : `${year}-${String(m - 1).padStart(2, '0')}`;
}

/** The first working day of a month (YYYY-MM-DD), by the calendar's holidays and adjusted working days. */
export function firstWorkingDay(calendar: WorkingCalendar, month: string): string {
  const { year, month: m } = parseMonth(month);
  const first = Date.UTC(year, m - 1, 1) / DAY_MS;
  for (let d = first; d < first + 31; d++) if (calendar.isWorkingDayNumber(d)) return formatDayNumber(d);
  throw invalidInput('month', 'has no working day', '该月没有工作日');
}

/** The month whose report is due at `at`: the previous month on the first working day of a month, else null. */
export function reportMonthDue(calendar: WorkingCalendar, at: number): string | null {
  const today = formatDayNumber(localDayNumber(at, calendar.spec.utcOffsetMinutes));
  const month = today.slice(0, 7);
  return firstWorkingDay(calendar, month) === today ? previousMonth(month) : null;
}

export interface PlanEdit {
  by: { id: string; name: string };
  /** The editor roles the person holds (an administrator counts as both). */
  as: Role[];
  at: number;
}

export interface ReportActor {
  id: string;
  name: string;
  roles: string[];
}

function editorRoles(actor: ReportActor): Role[] {
  if (actor.roles.includes('admin')) return [...REPORT_EDITORS];
  return REPORT_EDITORS.filter((r) => actor.roles.includes(r));
}

function mustEdit(actor: ReportActor): void {
  if (!holdsAny(actor.roles, REPORT_EDITORS)) {
    throw new DomainError(DomainErrorCode.Forbidden, 'only the project manager and the quality manager edit and publish the monthly report', {}, '仅项目经理与质量经理可编辑和发布月度服务报告');
  }
}

function mustBeDraft(state: MonthlyReportState, action: string, actionZh: string): void {
  if (state !== 'draft') {
    throw new DomainError(DomainErrorCode.IllegalTransition, `a ${state} monthly report cannot be ${action}`, { state, allowedActions: [] }, `月度报告当前为「${MONTHLY_STATE_ZH[state]}」，不能${actionZh}`);
  }
}

export function validatePlanEdit(state: MonthlyReportState, actor: ReportActor, text: string): PlanEdit['as'] {
  mustEdit(actor);
  mustBeDraft(state, 'edited', '编辑');
  if (!text.trim()) throw invalidInput('text', 'the improvement plan may not be empty', '改进计划不能为空');
  return editorRoles(actor);
}

/** Publishing needs a plan both the project manager and the quality manager have worked on (S8). */
export function validatePublish(state: MonthlyReportState, actor: ReportActor, plan: string | null, edits: readonly PlanEdit[]): void {
  mustEdit(actor);
  mustBeDraft(state, 'published', '发布');
  const missing = REPORT_EDITORS.filter((r) => !edits.some((e) => e.as.includes(r)));
  if (!plan?.trim() || missing.length > 0) {
    const zh = missing.map((r) => (r === 'project_manager' ? '项目经理' : '质量经理')).join('、');
    throw new DomainError(
      DomainErrorCode.IllegalTransition,
      `the improvement plan still needs the ${missing.join(' and ').replace(/_/g, ' ') || 'text'} before publishing`,
      { state, missing },
      `发布前改进计划还需${zh || '填写内容'}编辑确认`,
    );
  }
}
