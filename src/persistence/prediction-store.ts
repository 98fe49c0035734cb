import { DataSource, EntityManager } from 'typeorm';
import type { Forecast, ForecastKind } from '../domain/forecast/forecast';

type Db = DataSource | EntityManager;

export interface PredictionWrite {
  seriesKey: string;
  kind: ForecastKind;
  labels: Record<string, string>;
  itemId: string | null;
  systemId: string | null;
  forecast: Forecast;
  query: string;
  computedAt: number;
  runId: string;
}

/**
 * The newest forecast of a series replaces the one before; a run that ends well drops series that went away. Answers
 * since when the series has been inside the horizon (its preventive alert's start), or null.
 */
export async function writePrediction(db: Db, p: PredictionWrite): Promise<number | null> {
  const f = p.forecast;
  const [row] = await db.query(
    `INSERT INTO predictions (series_key, kind, labels, item_id, system_id, outcome, exhaustion_at, within_horizon, confidence, forecast, query, computed_at, run_id,
                              within_horizon_since)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, CASE WHEN $8 THEN $12::timestamptz END)
     ON CONFLICT (series_key) DO UPDATE SET
       kind = EXCLUDED.kind, labels = EXCLUDED.labels, item_id = EXCLUDED.item_id, system_id = EXCLUDED.system_id, outcome = EXCLUDED.outcome,
       exhaustion_at = EXCLUDED.exhaustion_at, within_horizon = EXCLUDED.within_horizon, confidence = EXCLUDED.confidence,
       forecast = EXCLUDED.forecast, query = EXCLUDED.query, computed_at = EXCLUDED.computed_at, run_id = EXCLUDED.run_id,
       within_horizon_since = CASE WHEN EXCLUDED.within_horizon THEN coalesce(predictions.within_horizon_since, EXCLUDED.computed_at) END
     WHERE predictions.computed_at <= EXCLUDED.computed_at
     RETURNING within_horizon_since`,
    [
      p.seriesKey,
      p.kind,
      JSON.stringify(p.labels),
      p.itemId,
      p.systemId,
      f.outcome,
      f.exhaustionAt === null ? null : new Date(f.exhaustionAt),
      f.withinHorizon,
      f.confidence,
      JSON.stringify(f),
      p.query,
      new Date(p.computedAt),
      p.runId,
    ],
  );
  return row?.within_horizon_since ? new Date(row.within_horizon_since).getTime() : null;
}

/** Series a finished run did not see any more (a disk unmounted, an exporter retired), of the kinds it covered. */
export async function dropVanishedPredictions(db: Db, runId: string, computedAt: number, kinds: ForecastKind[]): Promise<string[]> {
  const rows: { series_key: string }[] = await db.query(
    `DELETE FROM predictions WHERE run_id <> $1 AND computed_at < $2 AND kind = ANY($3) RETURNING series_key`,
    [runId, new Date(computedAt), kinds],
  );
  return rows.map((r) => r.series_key);
}

/** Series whose last forecast was inside the horizon (their preventive alert fires): key → since when, with labels. */
export async function predictionsWithinHorizon(db: Db): Promise<Map<string, { since: number; kind: ForecastKind; labels: Record<string, string> }>> {
  const rows: { series_key: string; within_horizon_since: Date; kind: ForecastKind; labels: Record<string, string> }[] = await db.query(
    `SELECT series_key, within_horizon_since, kind, labels FROM predictions WHERE within_horizon`,
  );
  return new Map(rows.map((r) => [r.series_key, { since: new Date(r.within_horizon_since).getTime(), kind: r.kind, labels: r.labels }]));
}

export interface PredictionRow {
  seriesKey: string;
  kind: ForecastKind;
  labels: Record<string, string>;
  item: { id: string; type: string; name: string; displayName: string } | null;
  system: { id: string; code: string; displayName: string } | null;
  forecast: Forecast;
  query: string;
  computedAt: number;
}

export async function listPredictions(db: Db, q: { itemId?: string; kind?: string; withinHorizon?: boolean }): Promise<PredictionRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.itemId) where.push(`p.item_id = $${params.push(q.itemId)}`);
  if (q.kind) where.push(`p.kind = $${params.push(q.kind)}`);
  if (q.withinHorizon !== undefined) where.push(`p.within_horizon = $${params.push(q.withinHorizon)}`);
  const rows = await db.query(
    `SELECT p.series_key, p.kind, p.labels, p.forecast, p.query, p.computed_at,
            i.id AS item_id, i.type AS item_type, i.name AS item_name, i.display_name AS item_display_name,
            s.id AS system_id, s.code AS system_code, s.display_name AS system_display_name
       FROM predictions p LEFT JOIN cmdb_items i ON i.id = p.item_id LEFT JOIN business_systems s ON s.id = p.system_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY p.within_horizon DESC, p.exhaustion_at ASC NULLS LAST, p.series_key
      LIMIT 5000`,
    params,
  );
  return rows.map((r: any) => ({
    seriesKey: r.series_key,
    kind: r.kind,
    labels: r.labels,
    item: r.item_id ? { id: r.item_id, type: r.item_type, name: r.item_name, displayName: r.item_display_name } : null,
    system: r.system_id ? { id: r.system_id, code: r.system_code, displayName: r.system_display_name } : null,
    forecast: r.forecast,
    query: r.query,
    computedAt: new Date(r.computed_at).getTime(),
  }));
}
