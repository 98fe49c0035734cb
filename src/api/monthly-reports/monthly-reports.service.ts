import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { MONTHLY_STATE_ZH, MonthlyReportState, REPORT_EDITORS, monthBounds, monthOf } from '../../domain/evidence/monthly-report';
import { holdsAny } from '../../domain/roles';
import { formatDayNumber, formatInZone, localDayNumber } from '../../domain/time';
import { MonthlyReportRow, findMonthlyReport, listMonthlyReports, monthlyReportFile, openMonthlyReport } from '../../persistence/evidence/monthly-report-store';
import {
  MONTHLY_REPORT_WORKFLOW_TYPE,
  MonthlyReportInput,
  monthlyReportPlanUpdate,
  monthlyReportPublishUpdate,
  monthlyReportWorkflowId,
} from '../../shared/evidence-messages';
import { Principal } from '../auth/principal';
import { conflict, notFound, unprocessable } from '../common/errors';
import { CLOCK, CONFIG, Clock, TEMPORAL_CLIENT, WardlineConfig } from '../common/tokens';
import { CalendarService } from '../sla/calendar.service';

/** S8: monthly service reports — drafted by their workflow, the plan edited and published through its Updates. */
@Injectable()
export class MonthlyReportsService {
  constructor(
    private readonly ds: DataSource,
    private readonly calendars: CalendarService,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(CONFIG) private readonly config: WardlineConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private async offset(): Promise<number> {
    return (await this.calendars.current()).spec.utcOffsetMinutes;
  }

  private async view(r: MonthlyReportRow, auth?: Principal) {
    const offset = await this.offset();
    const t = (x: number) => formatInZone(x, offset);
    const state = r.state as MonthlyReportState;
    const [y, m] = r.month.split('-');
    const editor = !!auth && holdsAny(auth.roles, REPORT_EDITORS);
    return {
      id: r.id,
      month: r.month,
      title: `${y}年${Number(m)}月 月度服务报告`,
      state,
      stateLabel: MONTHLY_STATE_ZH[state],
      trigger: r.trigger,
      period: { from: formatDayNumber(localDayNumber(r.periodStart, offset)), to: formatDayNumber(localDayNumber(r.periodEnd - 1, offset)) },
      version: r.version,
      figures: r.figures,
      sections: r.sections,
      improvementPlan: r.improvementPlan,
      planEdits: r.planEdits.map((e) => ({ ...e, at: t(e.at) })),
      pdf: r.pdfSha256 ? { sha256: r.pdfSha256, download: `/monthly-reports/${r.month}/pdf` } : null,
      xlsx: r.xlsxSha256 ? { sha256: r.xlsxSha256, download: `/monthly-reports/${r.month}/xlsx` } : null,
      published: r.published ? { by: r.published.by, at: t(r.published.at) } : null,
      error: r.error,
      allowedActions: state === 'draft' && editor ? ['edit_plan', 'publish'] : [],
    };
  }

  private async row(month: string): Promise<MonthlyReportRow> {
    const r = await findMonthlyReport(this.ds, month);
    if (!r) throw notFound('NOT_FOUND', `没有 ${month} 的月度服务报告`, `no monthly report of ${month}`, { field: 'month' });
    return r;
  }

  /** Drafts a month's report now (a month that has begun; its data is what exists so far). */
  async create(auth: Principal, month: string) {
    const offset = await this.offset();
    const now = this.clock.now();
    if (month > monthOf(now, offset)) throw unprocessable('INVALID_INPUT', `${month} 尚未开始`, `${month} has not begun`, { field: 'month' });
    const existing = await findMonthlyReport(this.ds, month);
    // A report that could not be drawn (its workflow ended 'failed') is drafted again by a new run; any other exists.
    if (existing && existing.state !== 'failed') throw conflict('REPORT_EXISTS', `${month} 的月度服务报告已存在`, `the monthly report of ${month} exists already`, { field: 'month' });
    const { from, to } = monthBounds(month, offset);
    const workflowId = monthlyReportWorkflowId(month);
    if (!existing) {
      const { created } = await openMonthlyReport(this.ds, { month, workflowId, trigger: 'on_demand', periodStart: from, periodEnd: to, requestedByName: auth.displayName });
      if (!created) throw conflict('REPORT_EXISTS', `${month} 的月度服务报告已存在`, `the monthly report of ${month} exists already`, { field: 'month' });
    }
    const input: MonthlyReportInput = { month, trigger: 'on_demand', requestedBy: { id: auth.userId, name: auth.displayName } };
    await this.temporal.workflow.start(MONTHLY_REPORT_WORKFLOW_TYPE, { workflowId, taskQueue: this.config.taskQueue, args: [input], workflowIdConflictPolicy: 'USE_EXISTING' });
    return this.view(await this.row(month), auth);
  }

  async list(auth: Principal) {
    const out = [];
    for (const r of await listMonthlyReports(this.ds)) out.push(await this.view(r, auth));
    return out;
  }

  async get(auth: Principal, month: string) {
    return this.view(await this.row(month), auth);
  }

  async file(month: string, kind: 'pdf' | 'xlsx'): Promise<{ name: string; data: Buffer }> {
    const r = await this.row(month);
    const data = await monthlyReportFile(this.ds, r.id, kind);
    if (!data) throw conflict('NOT_BUILT', `${month} 的月度服务报告尚未生成`, `the monthly report of ${month} is not drawn yet`, { details: { state: r.state } });
    return { name: `monthly-report-${month}.${kind}`, data };
  }

  private async update(auth: Principal, month: string, run: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<unknown>) {
    const r = await this.row(month);
    if (r.state !== 'draft') {
      const state = r.state as MonthlyReportState;
      throw conflict('ILLEGAL_TRANSITION', `月度报告当前为「${MONTHLY_STATE_ZH[state]}」，不能修改或发布`, `a ${state} monthly report is neither edited nor published`, { details: { state, allowedActions: [] } });
    }
    await run(this.temporal.workflow.getHandle(r.workflowId));
    return this.view(await this.row(month), auth);
  }

  async editPlan(auth: Principal, month: string, text: string) {
    const actor = { id: auth.userId, name: auth.displayName, roles: [...auth.roles] };
    return this.update(auth, month, (h) => h.executeUpdate(monthlyReportPlanUpdate, { args: [{ text, actor }] }));
  }

  async publish(auth: Principal, month: string) {
    const actor = { id: auth.userId, name: auth.displayName, roles: [...auth.roles] };
    return this.update(auth, month, (h) => h.executeUpdate(monthlyReportPublishUpdate, { args: [{ actor }] }));
  }
}
