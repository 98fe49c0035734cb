import { DataSource, EntityManager } from 'typeorm';
import { DEPENDENCY_RELATIONS } from '../../domain/cmdb';
import { OutageSource, downtimeBySystem, revenueAtStake, roundHours } from '../../domain/downtime/intervals';

type Db = DataSource | EntityManager;

/** The states in which an incident's outage is still going on (a reopened fault was not fixed after all). */
const ONGOING_STATES = ['reported', 'acknowledged', 'on_site', 'reopened'];

export interface OutageFlag {
  incidentId: string;
  outage: boolean;
  /** A dispatcher's correction of when the outage began; null: the report or the first alert. */
  startedAt: Date | null;
  note: string | null;
  setBy: { id: string; name: string };
  setAt: Date;
}

/** Flags (or unflags) an incident as an outage of its system (S9) and keeps the change in the flag's history. */
export async function setOutageFlag(
  db: Db,
  flag: { incidentId: string; outage: boolean; startedAt: Date | null; note: string | null; setBy: { id: string; name: string }; at: Date },
): Promise<OutageFlag> {
  const args = [flag.incidentId, flag.outage, flag.startedAt, flag.note, flag.setBy.id, flag.setBy.name, flag.at];
  const [row] = await db.query(
    `WITH h AS (
       INSERT INTO incident_outage_history (incident_id, outage, started_at, note, set_by_id, set_by_name, set_at) VALUES ($1, $2, $3, $4, $5, $6, $7))
     INSERT INTO incident_outages (incident_id, outage, started_at, note, set_by_id, set_by_name, set_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (incident_id) DO UPDATE SET outage = $2, started_at = $3, note = $4, set_by_id = $5, set_by_name = $6, set_at = $7
     RETURNING *`,
    args,
  );
  return mapFlag(row);
}

export async function outageFlagOf(db: Db, incidentId: string): Promise<OutageFlag | null> {
  const [row] = await db.query(`SELECT * FROM incident_outages WHERE incident_id = $1`, [incidentId]);
  return row ? mapFlag(row) : null;
}

function mapFlag(row: Record<string, any>): OutageFlag {
  return {
    incidentId: row.incident_id,
    outage: row.outage,
    startedAt: row.started_at ? new Date(row.started_at) : null,
    note: row.note,
    setBy: { id: row.set_by_id, name: row.set_by_name },
    setAt: new Date(row.set_at),
  };
}

export interface DowntimeIncident {
  incidentId: string;
  number: string;
  title: string;
  /** The system the incident is about (its code); for a shared outage, the one this system depends on. */
  originSystemCode: string;
  shared: boolean;
  /** The part of the outage inside the range. */
  start: Date;
  end: Date;
  ongoing: boolean;
}

export interface SystemDowntimeReport {
  systemId: string;
  code: string;
  name: string;
  intervals: { start: Date; end: Date; hours: number; incidents: string[] }[];
  outageMs: number;
  hours: number;
  /** Yuan per hour, from the business system's CMDB item; null when nobody has entered it. */
  revenuePerHour: number | null;
  revenueAtStake: number | null;
  incidents: DowntimeIncident[];
}

export interface DowntimeReport {
  from: Date;
  to: Date;
  systems: SystemDowntimeReport[];
  totals: { systems: number; incidents: number; systemHours: number; revenueAtStake: number; systemsWithoutRevenue: number };
}

/**
 * S9: per business system, the outage intervals inside [from, to) (merged), their hours, the revenue per hour and
 * the revenue at stake, with the incidents behind each figure. Outages are incidents flagged as such (not
 * cancelled): from the report, the first alert or a dispatcher's corrected start, to the resolution (or the alerts'
 * recovery); an outage still open runs until `now` (or the range's end). Systems depending on the failed one through
 * CMDB dependency relations share its outage. `systemIds` limits the answer (a vendor sees only its systems).
 */
export async function downtimeReport(
  ds: DataSource,
  range: { from: Date; to: Date },
  options: { now?: number; systemIds?: readonly string[] } = {},
): Promise<DowntimeReport> {
  const from = range.from.getTime();
  const to = range.to.getTime();
  const now = options.now ?? Date.now();
  const rows: Record<string, any>[] = await ds.query(
    `WITH o AS (
       SELECT i.id, i.number, i.title, i.system_id, i.state,
              coalesce(f.started_at, least(i.reported_at,
                (SELECT min(a.starts_at) FROM alert_attachments aa JOIN alerts a ON a.id = aa.alert_id WHERE aa.incident_id = i.id))) AS start_at,
              CASE WHEN i.state = ANY($3) THEN NULL
                   ELSE coalesce(i.resolved_at,
                     (SELECT max(e.at) FROM incident_events e WHERE e.incident_id = i.id AND e.type = 'auto_recovered'),
                     i.closed_at)
              END AS end_at
         FROM incident_outages f JOIN incidents i ON i.id = f.incident_id
        WHERE f.outage AND i.state <> 'cancelled')
     SELECT * FROM o WHERE start_at < $2 AND (end_at IS NULL OR end_at > $1) ORDER BY start_at, number`,
    [range.from, range.to, ONGOING_STATES],
  );
  const sources: OutageSource[] = rows.map((r) => ({
    incidentId: r.id,
    number: r.number,
    systemId: r.system_id,
    start: new Date(r.start_at).getTime(),
    // A resolution recorded before a corrected start is no outage at all: the interval is empty and dropped.
    end: r.end_at === null ? null : new Date(r.end_at).getTime(),
  }));
  const dependants = await dependantsOf(ds, [...new Set(sources.map((s) => s.systemId))]);
  const openUntil = Math.min(now, to);
  let per = downtimeBySystem(sources, (s) => dependants.get(s) ?? [], { from, to }, openUntil);
  if (options.systemIds) {
    const allowed = new Set(options.systemIds);
    per = per.filter((d) => allowed.has(d.systemId));
  }
  const systems = await systemFacts(ds, per.map((d) => d.systemId));
  const byIncident = new Map(rows.map((r) => [r.id as string, r]));

  const out: SystemDowntimeReport[] = per.map((d) => {
    const s = systems.get(d.systemId)!;
    return {
      systemId: d.systemId,
      code: s.code,
      name: s.name,
      intervals: d.intervals.map((i) => ({ start: new Date(i.start), end: new Date(i.end), hours: roundHours(i.end - i.start), incidents: i.incidents })),
      outageMs: d.ms,
      hours: roundHours(d.ms),
      revenuePerHour: s.revenuePerHour,
      revenueAtStake: revenueAtStake(d.ms, s.revenuePerHour),
      incidents: d.contributions.map((c) => ({
        incidentId: c.incidentId,
        number: c.number,
        title: byIncident.get(c.incidentId)!.title,
        originSystemCode: systems.get(c.originSystemId)?.code ?? c.originSystemId,
        shared: c.shared,
        start: new Date(c.start),
        end: new Date(c.end),
        ongoing: byIncident.get(c.incidentId)!.end_at === null && c.end === openUntil,
      })),
    };
  });
  out.sort((a, b) => b.outageMs - a.outageMs || a.code.localeCompare(b.code));
  const incidents = new Set(out.flatMap((s) => s.incidents.map((i) => i.incidentId)));
  return {
    from: range.from,
    to: range.to,
    systems: out,
    totals: {
      systems: out.length,
      incidents: incidents.size,
      systemHours: roundHours(out.reduce((sum, s) => sum + s.outageMs, 0)),
      revenueAtStake: Math.round(out.reduce((sum, s) => sum + (s.revenueAtStake ?? 0) * 100, 0)) / 100,
      systemsWithoutRevenue: out.filter((s) => s.revenuePerHour === null).length,
    },
  };
}

/** For each system, the business systems that depend on it through CMDB dependency relations, transitively. */
async function dependantsOf(db: Db, systemIds: string[]): Promise<Map<string, string[]>> {
  if (systemIds.length === 0) return new Map();
  const rows: { origin: string; dependant: string }[] = await db.query(
    `WITH RECURSIVE up(origin, id, depth) AS (
       SELECT i.business_system_id, i.id, 0 FROM cmdb_items i WHERE i.business_system_id = ANY($1)
       UNION
       SELECT up.origin, r.source_id, up.depth + 1 FROM up JOIN cmdb_relations r ON r.target_id = up.id AND r.type = ANY($2) WHERE up.depth < 12
     )
     SELECT DISTINCT up.origin, it.business_system_id AS dependant
       FROM up JOIN cmdb_items it ON it.id = up.id
      WHERE it.business_system_id IS NOT NULL AND it.business_system_id <> up.origin
      ORDER BY 1, 2`,
    [systemIds, DEPENDENCY_RELATIONS],
  );
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.origin, [...(out.get(r.origin) ?? []), r.dependant]);
  return out;
}

async function systemFacts(db: Db, ids: string[]): Promise<Map<string, { code: string; name: string; revenuePerHour: number | null }>> {
  if (ids.length === 0) return new Map();
  const rows: Record<string, any>[] = await db.query(
    `SELECT s.id, s.code, s.display_name, i.revenue_per_hour FROM business_systems s LEFT JOIN cmdb_items i ON i.business_system_id = s.id WHERE s.id = ANY($1)`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { code: r.code, name: r.display_name, revenuePerHour: r.revenue_per_hour === null ? null : Number(r.revenue_per_hour) }]));
}
