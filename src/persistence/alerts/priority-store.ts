import { DataSource, EntityManager } from 'typeorm';
import { PriorityMap, priorityMapFrom } from '../../domain/alerts/priority';

type Db = DataSource | EntityManager;

export interface PriorityCell {
  severity: string;
  criticality: string;
  priority: string;
}

export async function priorityCells(db: Db): Promise<(PriorityCell & { updatedAt: string; updatedBy: string })[]> {
  const rows = await db.query(`SELECT severity, criticality, priority, updated_at, updated_by FROM alert_priority_map ORDER BY severity, criticality`);
  return rows.map((r: any) => ({ severity: r.severity, criticality: r.criticality, priority: r.priority, updatedAt: new Date(r.updated_at).toISOString(), updatedBy: r.updated_by }));
}

/** The table as the intake reads it; a table someone broke by hand in SQL is an error, not a guess. */
export async function loadPriorityMap(db: Db): Promise<PriorityMap> {
  const result = priorityMapFrom(await priorityCells(db));
  if ('problems' in result) throw new Error(`alert_priority_map is incomplete: ${result.problems.map((p) => p.reason).join('; ')}`);
  return result.map;
}

/** Replaces the whole table in one transaction (the caller checked it is whole). */
export async function replacePriorityMap(tx: EntityManager, cells: PriorityCell[], by: string): Promise<void> {
  await tx.query(`DELETE FROM alert_priority_map`);
  await tx.query(
    `INSERT INTO alert_priority_map (severity, criticality, priority, updated_by)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
    [cells.map((c) => c.severity), cells.map((c) => c.criticality), cells.map((c) => c.priority), cells.map(() => by)],
  );
}
