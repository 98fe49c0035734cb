import { DataSource, EntityManager } from 'typeorm';
import { CLOCK_KINDS, IncidentFact } from '../../domain/evidence/service-stats';

/**
 * What the acceptance pack (S17) and the monthly report (S8) are made of, read from the projections in one stable
 * order each (time, then number), so the same data always gives the same rows and therefore the same bytes.
 */
type Db = DataSource | EntityManager;
const ms = (d: Date | string | null | undefined): number | null => (d === null || d === undefined ? null : new Date(d).getTime());

/** Incidents reported in [from, to), cancelled ones left out (they were not service). */
export async function incidentFacts(db: Db, from: number, to: number): Promise<IncidentFact[]> {
  const rows: Record<string, any>[] = await db.query(
    `SELECT i.number, s.code AS system_code, s.display_name AS system_name, i.title, i.priority, i.tier, i.state, i.reported_at, i.acknowledged_at,
            i.on_site_at, i.resolved_at, i.resolution, i.clocks, i.respond_due, i.on_site_due, i.repair_due
       FROM incidents i JOIN business_systems s ON s.id = i.system_id
      WHERE i.reported_at >= $1 AND i.reported_at < $2 AND i.state <> 'cancelled'
      ORDER BY i.reported_at, i.number`,
    [new Date(from), new Date(to)],
  );
  return rows.map((r) => {
    const due: Record<string, Date | null> = { respond: r.respond_due, on_site: r.on_site_due, repair: r.repair_due };
    return {
      number: r.number,
      systemCode: r.system_code,
      systemName: r.system_name,
      title: r.title,
      priority: r.priority,
      tier: r.tier,
      category: r.resolution?.category ?? null,
      cause: r.resolution?.cause ?? null,
      state: r.state,
      reportedAt: ms(r.reported_at)!,
      acknowledgedAt: ms(r.acknowledged_at),
      onSiteAt: ms(r.on_site_at),
      resolvedAt: ms(r.resolved_at),
      clocks: CLOCK_KINDS.filter((k) => r.clocks?.[k]).map((k) => {
        const c = r.clocks[k];
        const breachedAt = c.breachedAt ?? null;
        return { kind: k, deadline: ms(due[k]) ?? breachedAt, breached: breachedAt !== null, breachedAt, stoppedAt: c.stoppedAt ?? null };
      }),
    };
  });
}

export interface RecordLine {
  number: string;
  type: string;
  sourceNumber: string;
  systemCode: string;
  systemName: string;
  title: string;
  state: string;
  version: number;
  completedAt: number;
  slaBreached: boolean;
  problem: string;
  cause: string;
  result: string;
  hospital: { name: string; at: number } | null;
  vendor: { name: string; at: number } | null;
  headSeq: number;
  headHash: string;
}

function recordLine(r: Record<string, any>): RecordLine {
  return {
    number: r.number,
    type: r.source_kind,
    sourceNumber: r.source_number,
    systemCode: r.system_code,
    systemName: r.system_name,
    title: r.title,
    state: r.state,
    version: Number(r.version),
    completedAt: ms(r.completed_at)!,
    slaBreached: r.sla_breached,
    problem: r.content?.problem ?? '',
    cause: r.content?.cause ?? '',
    result: r.content?.result ?? '',
    hospital: r.hospital_signature ? { name: r.hospital_signature.by?.name ?? '', at: Number(r.hospital_signature.at) } : null,
    vendor: r.vendor_signature ? { name: r.vendor_signature.by?.name ?? '', at: Number(r.vendor_signature.at) } : null,
    headSeq: Number(r.head_seq),
    headHash: r.entry_hash,
  };
}

const RECORD_SQL = `SELECT r.*, s.code AS system_code, s.display_name AS system_name, e.entry_hash
  FROM maintenance_records r JOIN business_systems s ON s.id = r.system_id JOIN ledger_entries e ON e.seq = r.head_seq`;

/** Records of work completed in [from, to), every state, oldest first. */
export async function periodRecords(db: Db, from: number, to: number): Promise<RecordLine[]> {
  const rows = await db.query(`${RECORD_SQL} WHERE r.completed_at >= $1 AND r.completed_at < $2 ORDER BY r.completed_at, r.number`, [new Date(from), new Date(to)]);
  return rows.map(recordLine);
}

/** Records of one piece of work (a modification's delivery records). */
export async function sourceRecords(db: Db, kind: string, sourceId: string): Promise<RecordLine[]> {
  const rows = await db.query(`${RECORD_SQL} WHERE r.source_kind = $1 AND r.source_id = $2 ORDER BY r.completed_at, r.number`, [kind, sourceId]);
  return rows.map(recordLine);
}

export interface ModificationLine {
  id: string;
  number: string;
  systemCode: string;
  systemName: string;
  type: string;
  title: string;
  department: string;
  state: string;
  submittedAt: number;
  deliveryDue: number | null;
  deliveryBreached: boolean;
  liveAt: number | null;
  acceptanceEligibleAt: number | null;
  acceptedAt: number | null;
  maintenanceEndsAt: number | null;
}

function modificationLine(r: Record<string, any>): ModificationLine {
  return {
    id: r.id,
    number: r.number,
    systemCode: r.system_code,
    systemName: r.system_name,
    type: r.type,
    title: r.title,
    department: r.department,
    state: r.state,
    submittedAt: ms(r.submitted_at)!,
    deliveryDue: ms(r.delivery_due),
    deliveryBreached: r.delivery_breached,
    liveAt: ms(r.live_at),
    acceptanceEligibleAt: ms(r.acceptance_eligible_at),
    acceptedAt: ms(r.accepted_at),
    maintenanceEndsAt: ms(r.maintenance_ends_at),
  };
}

const MOD_SQL = `SELECT m.*, s.code AS system_code, s.display_name AS system_name FROM modifications m JOIN business_systems s ON s.id = m.system_id`;

/** Modifications submitted, delivered or accepted in [from, to). */
export async function periodModifications(db: Db, from: number, to: number): Promise<ModificationLine[]> {
  const rows = await db.query(
    `${MOD_SQL} WHERE (m.submitted_at >= $1 AND m.submitted_at < $2) OR (m.live_at >= $1 AND m.live_at < $2) OR (m.accepted_at >= $1 AND m.accepted_at < $2)
      ORDER BY m.submitted_at, m.number`,
    [new Date(from), new Date(to)],
  );
  return rows.map(modificationLine);
}

export async function findModification(db: Db, ref: string): Promise<ModificationLine | null> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
  const [row] = await db.query(`${MOD_SQL} WHERE ${uuid ? 'm.id = $1::uuid' : 'm.number = upper($1)'}`, [ref]);
  return row ? modificationLine(row) : null;
}

export interface InspectionReportLine {
  inspectionNumber: string;
  profile: string;
  startedAt: number;
  finishedAt: number | null;
  version: number;
  title: string;
  state: string;
  pdfSha256: string;
  signedOffBy: string[];
  pdf: Buffer;
}

/** The latest report of each inspection started in [from, to) (S16 reports go into the acceptance pack). */
export async function periodInspectionReports(db: Db, from: number, to: number): Promise<InspectionReportLine[]> {
  const rows: Record<string, any>[] = await db.query(
    `SELECT DISTINCT ON (i.id) i.number, i.profile, i.started_at, i.finished_at, r.id AS report_id, r.version, r.title, r.state, r.pdf_sha256, r.pdf,
            (SELECT coalesce(array_agg(so.user_name || '（' || so.role || '）' ORDER BY so.role), '{}') FROM inspection_report_signoffs so WHERE so.report_id = r.id) AS signed
       FROM inspections i JOIN inspection_reports r ON r.inspection_id = i.id
      WHERE i.started_at >= $1 AND i.started_at < $2
      ORDER BY i.id, r.version DESC`,
    [new Date(from), new Date(to)],
  );
  return rows
    .map((r) => ({
      inspectionNumber: r.number,
      profile: r.profile,
      startedAt: ms(r.started_at)!,
      finishedAt: ms(r.finished_at),
      version: Number(r.version),
      title: r.title,
      state: r.state,
      pdfSha256: r.pdf_sha256,
      signedOffBy: r.signed ?? [],
      pdf: r.pdf,
    }))
    .sort((a, b) => a.startedAt - b.startedAt || (a.inspectionNumber < b.inspectionNumber ? -1 : 1));
}

export interface ChangeLine {
  number: string;
  systemCode: string;
  systemName: string;
  kind: string;
  title: string;
  state: string;
  risk: string;
  submittedAt: number;
  reviews: number;
  approvals: number;
  rejections: number;
  sendBacks: number;
  implementedAt: number | null;
  reviewedLate: boolean | null;
}

/** Changes submitted in [from, to) with their review decisions (S4, S8 "change process"). */
export async function periodChanges(db: Db, from: number, to: number): Promise<ChangeLine[]> {
  const rows: Record<string, any>[] = await db.query(
    `SELECT c.number, s.code AS system_code, s.display_name AS system_name, c.kind, c.title, c.state, c.risk, c.created_at,
            (SELECT min(e.at) FROM change_events e WHERE e.change_id = c.id AND e.action = 'submitted') AS submitted_at,
            (SELECT count(*) FROM change_events e WHERE e.change_id = c.id AND e.action = 'review') AS reviews,
            (SELECT count(*) FROM change_events e WHERE e.change_id = c.id AND e.action = 'review' AND e.data->>'decision' = 'approve') AS approvals,
            (SELECT count(*) FROM change_events e WHERE e.change_id = c.id AND e.action = 'review' AND e.data->>'decision' = 'reject') AS rejections,
            (SELECT count(*) FROM change_events e WHERE e.change_id = c.id AND e.action = 'review' AND e.data->>'decision' = 'send_back') AS send_backs,
            (SELECT min(e.at) FROM change_events e WHERE e.change_id = c.id AND e.action = 'implement') AS implemented_at
       FROM changes c JOIN business_systems s ON s.id = c.system_id
      WHERE coalesce((SELECT min(e.at) FROM change_events e WHERE e.change_id = c.id AND e.action = 'submitted'), c.created_at) >= $1
        AND coalesce((SELECT min(e.at) FROM change_events e WHERE e.change_id = c.id AND e.action = 'submitted'), c.created_at) < $2
      ORDER BY 9, c.number`,
    [new Date(from), new Date(to)],
  );
  return rows.map((r) => ({
    number: r.number,
    systemCode: r.system_code,
    systemName: r.system_name,
    kind: r.kind,
    title: r.title,
    state: r.state,
    risk: r.risk,
    submittedAt: ms(r.submitted_at) ?? ms(r.created_at)!,
    reviews: Number(r.reviews),
    approvals: Number(r.approvals),
    rejections: Number(r.rejections),
    sendBacks: Number(r.send_backs),
    implementedAt: ms(r.implemented_at),
    reviewedLate: null,
  }));
}

export interface SupportRequestLine {
  number: string;
  systemCode: string;
  type: string;
  title: string;
  state: string;
  submittedAt: number;
  dueAt: number;
  fulfilledAt: number | null;
  breached: boolean;
}

/** S6 support requests submitted in [from, to), withdrawn ones left out. */
export async function periodSupportRequests(db: Db, from: number, to: number): Promise<SupportRequestLine[]> {
  const rows: Record<string, any>[] = await db.query(
    `SELECT r.number, s.code AS system_code, r.type, r.title, r.state, r.submitted_at, r.due_at, r.fulfilled_at, r.breached
       FROM support_requests r JOIN business_systems s ON s.id = r.system_id
      WHERE r.submitted_at >= $1 AND r.submitted_at < $2 AND r.state <> 'cancelled' ORDER BY r.submitted_at, r.number`,
    [new Date(from), new Date(to)],
  );
  return rows.map((r) => ({
    number: r.number,
    systemCode: r.system_code,
    type: r.type,
    title: r.title,
    state: r.state,
    submittedAt: ms(r.submitted_at)!,
    dueAt: ms(r.due_at)!,
    fulfilledAt: ms(r.fulfilled_at),
    breached: r.breached,
  }));
}
