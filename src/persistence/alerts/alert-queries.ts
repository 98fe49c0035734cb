import { DataSource, EntityManager } from 'typeorm';

type Db = DataSource | EntityManager;

/** An alert as people read it: where it came from, what it said, how often, and what it is attached to. */
export interface AlertRow {
  id: string;
  groupId: string;
  source: string;
  fingerprint: string;
  alertname: string;
  status: string;
  severity: string;
  rawSeverity: string | null;
  summary: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  item: { id: string; type: string; name: string } | null;
  startsAt: number;
  endsAt: number | null;
  firstSeen: number;
  lastSeen: number;
  receipts: number;
  fires: number;
}

const ALERT_COLUMNS = `a.id, a.group_id, a.source, a.fingerprint, a.alertname, a.status, a.severity, a.raw_severity, a.summary, a.labels, a.annotations,
  a.starts_at, a.ends_at, a.first_seen, a.last_seen, a.receipts, a.fires, i.id AS item_id, i.type AS item_type, i.name AS item_name`;

const ms = (d: Date | null) => (d ? new Date(d).getTime() : null);

function mapAlert(r: any): AlertRow {
  return {
    id: r.id,
    groupId: r.group_id,
    source: r.source,
    fingerprint: r.fingerprint,
    alertname: r.alertname,
    status: r.status,
    severity: r.severity,
    rawSeverity: r.raw_severity,
    summary: r.summary,
    labels: r.labels,
    annotations: r.annotations,
    item: r.item_id ? { id: r.item_id, type: r.item_type, name: r.item_name } : null,
    startsAt: ms(r.starts_at)!,
    endsAt: ms(r.ends_at),
    firstSeen: ms(r.first_seen)!,
    lastSeen: ms(r.last_seen)!,
    receipts: r.receipts,
    fires: r.fires,
  };
}

export async function listAlerts(
  db: Db,
  q: { status?: string; source?: string; itemId?: string; unmapped?: boolean; limit: number; offset: number },
): Promise<{ total: number; items: AlertRow[] }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.status) add('a.status = ?', q.status);
  if (q.source) add('a.source = ?', q.source);
  if (q.itemId) add('a.item_id = ?', q.itemId);
  if (q.unmapped) where.push('a.item_id IS NULL');
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [{ total }] = await db.query(`SELECT count(*)::int AS total FROM alerts a ${clause}`, params);
  const rows = await db.query(
    `SELECT ${ALERT_COLUMNS} FROM alerts a LEFT JOIN cmdb_items i ON i.id = a.item_id ${clause} ORDER BY a.last_seen DESC, a.id LIMIT ${q.limit} OFFSET ${q.offset}`,
    params,
  );
  return { total, items: rows.map(mapAlert) };
}

/** The alert list of an incident, or of a change whose maintenance window held the alerts back (S4). */
export async function attachedAlerts(db: Db, to: { incidentId: string } | { changeId: string }) {
  const [column, id] = 'incidentId' in to ? ['incident_id', to.incidentId] : ['change_id', to.changeId];
  const rows = await db.query(
    `SELECT ${ALERT_COLUMNS}, t.first_seen AS attached_first_seen, t.last_seen AS attached_last_seen, t.receipts AS attached_receipts,
            t.fires AS attached_fires, t.last_status
       FROM alert_attachments t JOIN alerts a ON a.id = t.alert_id LEFT JOIN cmdb_items i ON i.id = a.item_id
      WHERE t.${column} = $1 ORDER BY t.first_seen, a.alertname, a.fingerprint`,
    [id],
  );
  return rows.map((r: any) => ({
    ...mapAlert(r),
    // What this incident (or change) saw of the alert, beside the alert's whole life.
    attached: { firstSeen: ms(r.attached_first_seen)!, lastSeen: ms(r.attached_last_seen)!, receipts: r.attached_receipts, fires: r.attached_fires, lastStatus: r.last_status },
  }));
}
