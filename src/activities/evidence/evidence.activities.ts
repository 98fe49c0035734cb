import { ApplicationFailure } from '@temporalio/common';
import { DataSource } from 'typeorm';
import type { PdfRenderer, ReportHtmlRenderer } from '../../adapters/reports';
import type { WorkingCalendar } from '../../domain/calendar';
import { PlanEdit, monthBounds, reportMonthDue } from '../../domain/evidence/monthly-report';
import { formatPercent } from '../../adapters/reports';
import { markPackFailed, packScopeOf, storeBuiltPack, storePackDecision } from '../../persistence/evidence/acceptance-store';
import {
  findMonthlyReport,
  markMonthlyFailed,
  markMonthlyPublished,
  openMonthlyReport,
  saveImprovementPlan,
  storeMonthlyRendering,
} from '../../persistence/evidence/monthly-report-store';
import { monthlyReportWorkflowId } from '../../shared/evidence-messages';
import { renderAcceptancePack } from './acceptance-pack';
import { MonthlyFigures, renderMonthlyReport } from './monthly-report';

export interface EvidenceActivityDeps {
  dataSource: DataSource;
  utcOffsetMinutes: number;
  /** The shared renderers (one Chromium per process, started on the first PDF). */
  renderers: () => { html: ReportHtmlRenderer; pdf: PdfRenderer };
  /** The working calendar (China holidays and 调休) the "first working day" is judged by. */
  calendar: () => Promise<WorkingCalendar>;
}

/** S17 and S8: the activities of the evidence processes; thin, over persistence and the report renderer. */
export function createEvidenceActivities(deps: EvidenceActivityDeps) {
  const { dataSource: ds, utcOffsetMinutes: offset } = deps;
  const report = async (reportId: string) => {
    const row = await findMonthlyReport(ds, reportId);
    if (!row) throw ApplicationFailure.nonRetryable(`monthly report ${reportId} has no row`, 'REPORT_MISSING');
    return row;
  };
  return {
    async buildAcceptancePack(input: { packId: string }): Promise<{ zipSha256: string }> {
      const scope = await packScopeOf(ds, input.packId);
      if (!scope) throw ApplicationFailure.nonRetryable(`acceptance pack ${input.packId} has no row`, 'PACK_MISSING');
      const built = await renderAcceptancePack(ds, { ...scope }, deps.renderers(), offset);
      await storeBuiltPack(ds, input.packId, built);
      return { zipSha256: built.zipSha256 };
    },

    async failAcceptancePack(input: { packId: string; error: string }): Promise<void> {
      await markPackFailed(ds, input.packId, input.error);
    },

    async decideAcceptancePack(input: { packId: string; decision: 'accept' | 'reject'; note: string | null; actor: { id: string; name: string }; at: number }): Promise<void> {
      await storePackDecision(ds, input.packId, input);
    },

    /** The month whose report is due at `at` (now unless a test says): the previous one on a month's first working day. */
    async monthToReport(input: { at?: number }): Promise<string | null> {
      return reportMonthDue(await deps.calendar(), input.at ?? Date.now());
    },

    /** The month's row, made once whoever asks first (the schedule or a person). */
    async openMonthlyReport(input: { month: string; trigger: 'schedule' | 'on_demand'; requestedBy: string }): Promise<{ reportId: string; state: string; plan: string | null; edits: PlanEdit[] }> {
      const { from, to } = monthBounds(input.month, offset);
      const { row } = await openMonthlyReport(ds, { month: input.month, workflowId: monthlyReportWorkflowId(input.month), trigger: input.trigger, periodStart: from, periodEnd: to, requestedByName: input.requestedBy });
      return { reportId: row.id, state: row.state, plan: row.improvementPlan, edits: row.planEdits };
    },

    /** Draws the report again from the data as it is now, with the plan as it is now. */
    async renderMonthlyReport(input: { reportId: string }): Promise<{ version: number }> {
      const row = await report(input.reportId);
      const r = await renderMonthlyReport(ds, row, deps.renderers(), offset);
      await storeMonthlyRendering(ds, row.id, { ...r, figures: { ...r.figures } });
      return { version: row.version + 1 };
    },

    async saveImprovementPlan(input: { reportId: string; text: string; edit: PlanEdit }): Promise<void> {
      await saveImprovementPlan(ds, input.reportId, input.text, input.edit);
    },

    /** Marks it published and draws the final version (it says who published it); answers the headline figures. */
    async publishMonthlyReport(input: { reportId: string; by: { id: string; name: string }; at: number }): Promise<{ month: string; title: string; incidents: number; breaches: number; respondRate: string }> {
      await markMonthlyPublished(ds, input.reportId, input.by, input.at);
      const row = await report(input.reportId);
      const r = await renderMonthlyReport(ds, row, deps.renderers(), offset);
      await storeMonthlyRendering(ds, row.id, { ...r, figures: { ...r.figures } });
      const f: MonthlyFigures = r.figures;
      return { month: row.month, title: r.title, incidents: f.incidents, breaches: f.breaches, respondRate: formatPercent(f.respondRate) };
    },

    async failMonthlyReport(input: { reportId: string; error: string }): Promise<void> {
      await markMonthlyFailed(ds, input.reportId, input.error);
    },
  };
}
