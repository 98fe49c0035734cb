import { DataSource, EntityManager } from 'typeorm';
import type { PlanEdit } from '../../domain/evidence/monthly-report';

/** S8: monthly service reports — one row per month, its latest rendering and the plan's edits. */
type Db = DataSource | EntityManager;

export interface MonthlyReportRow {
  id: string;
  month: string;
  workflowId: string;
  trigger: 'schedule' | 'on_demand';
  state: string;
  periodStart: number;
  periodEnd: number;
  requestedByName: string;
  improvementPlan: string | null;
  planEdits: PlanEdit[];
  version: number;
  figures: Record<string, any> | null;
  sections: string[];
  pdfSha256: string | null;
  xlsxSha256: string | null;
  published: { by: { id: string; name: string }; at: number } | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

const COLUMNS = `id, month, workflow_id, trigger, state, period_start, period_end, requested_by_name, improvement_plan, plan_edits, version, figures, sections,
  pdf_sha256, xlsx_sha256, published_by_id, published_by_name, published_at, error, created_at, updated_at`;

function map(r: Record<string, any>): MonthlyReportRow {
  return {
    id: r.id,
    month: r.month,
    workflowId: r.workflow_id,
    trigger: r.trigger,
    state: r.state,
    periodStart: new Date(r.period_start).getTime(),
    periodEnd: new Date(r.period_end).getTime(),
    requestedByName: r.requested_by_name,
    improvementPlan: r.improvement_plan,
    planEdits: r.plan_edits ?? [],
    version: Number(r.version),
    figures: r.figures,
    sections: r.sections ?? [],
    pdfSha256: r.pdf_sha256,
    xlsxSha256: r.xlsx_sha256,
    published: r.published_at ? { by: { id: r.published_by_id, name: r.published_by_name }, at: new Date(r.published_at).getTime() } : null,
    error: r.error,
    createdAt: new Date(r.created_at).getTime(),
    updatedAt: new Date(r.updated_at).getTime(),
  };
}

/** Opens the month's report (idempotent): the existing row when there is one. */
export async function openMonthlyReport(
  db: Db,
  r: { month: string; workflowId: string; trigger: 'schedule' | 'on_demand'; periodStart: number; periodEnd: number; requestedByName: string },
): Promise<{ row: MonthlyReportRow; created: boolean }> {
  const inserted: { id: string }[] = await db.query(
    `INSERT INTO monthly_reports (month, workflow_id, trigger, state, period_start, period_end, requested_by_name) VALUES ($1,$2,$3,'drafting',$4,$5,$6)
     ON CONFLICT (month) DO NOTHING RETURNING id`,
    [r.month, r.workflowId, r.trigger, new Date(r.periodStart), new Date(r.periodEnd), r.requestedByName],
  );
  return { row: (await findMonthlyReport(db, r.month))!, created: inserted.length > 0 };
}

export async function findMonthlyReport(db: Db, ref: string): Promise<MonthlyReportRow | null> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
  const [row] = await db.query(`SELECT ${COLUMNS} FROM monthly_reports WHERE ${uuid ? 'id = $1::uuid' : 'month = $1'}`, [ref]);
  return row ? map(row) : null;
}

export async function listMonthlyReports(db: Db): Promise<MonthlyReportRow[]> {
  const rows: Record<string, any>[] = await db.query(`SELECT ${COLUMNS} FROM monthly_reports ORDER BY month DESC LIMIT 240`);
  return rows.map(map);
}

export async function monthlyReportFile(db: Db, id: string, kind: 'pdf' | 'xlsx'): Promise<Buffer | null> {
  const [row] = await db.query(`SELECT ${kind === 'pdf' ? 'pdf' : 'xlsx'} AS data FROM monthly_reports WHERE id = $1`, [id]);
  return row?.data ?? null;
}

/** Stores a rendering; a draft stays a draft, a published report stays published. */
export async function storeMonthlyRendering(
  db: Db,
  id: string,
  r: { pdf: Buffer; pdfSha256: string; xlsx: Buffer; xlsxSha256: string; figures: Record<string, unknown>; sections: string[] },
): Promise<void> {
  await db.query(
    `UPDATE monthly_reports SET pdf = $2, pdf_sha256 = $3, xlsx = $4, xlsx_sha256 = $5, figures = $6, sections = $7, version = version + 1,
       state = CASE WHEN state IN ('drafting', 'failed') THEN 'draft' ELSE state END, error = NULL, updated_at = now() WHERE id = $1`,
    [id, r.pdf, r.pdfSha256, r.xlsx, r.xlsxSha256, JSON.stringify(r.figures), r.sections],
  );
}

export async function saveImprovementPlan(db: Db, id: string, text: string, edit: PlanEdit): Promise<void> {
  // Keyed by the edit's time and author, so a retried activity appends it once.
  await db.query(
    `UPDATE monthly_reports SET improvement_plan = $2, plan_edits = plan_edits || $3::jsonb, updated_at = now()
      WHERE id = $1 AND NOT plan_edits @> $3::jsonb`,
    [id, text, JSON.stringify([edit])],
  );
}

export async function markMonthlyPublished(db: Db, id: string, by: { id: string; name: string }, at: number): Promise<void> {
  await db.query(`UPDATE monthly_reports SET state = 'published', published_by_id = $2, published_by_name = $3, published_at = $4, updated_at = now() WHERE id = $1`, [
    id,
    by.id,
    by.name,
    new Date(at),
  ]);
}

export async function markMonthlyFailed(db: Db, id: string, error: string): Promise<void> {
  await db.query(`UPDATE monthly_reports SET state = 'failed', error = $2, updated_at = now() WHERE id = $1 AND state = 'drafting'`, [id, error.slice(0, 2000)]);
}
