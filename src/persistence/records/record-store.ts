import { EntityManager } from 'typeorm';
import type { RecordContent } from '../../domain/records/content';
import type { RecordSourceKind, RecordStatus } from '../../domain/records/record';
import { LedgerEntry, Signer, appendEntry } from './ledger';

/**
 * S14 records written beside the process projections, in the same transaction: when a projection stores the event
 * that finished the work, the record and its first ledger entry are written with it, exactly once (keyed by the
 * source and the event's sequence), so a retried activity never records twice and no finished work goes unrecorded.
 */
export const SYSTEM_SIGNER: Signer = { id: 'system', name: 'Wardline', party: 'system' };

export function recordNumber(content: Pick<RecordContent, 'sourceNumber' | 'sourceSeq'>): string {
  return `MR-${content.sourceNumber}-${content.sourceSeq}`;
}

/** Records a finished piece of work (idempotent). Returns the new entry, or null when it was recorded already. */
export async function recordWork(tx: EntityManager, content: RecordContent): Promise<LedgerEntry | null> {
  const rows: { id: string }[] = await tx.query(
    `INSERT INTO maintenance_records (number, source_kind, source_id, source_number, source_seq, system_id, title, content, state,
       started_at, completed_at, sla_breached, head_seq)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'pending',$9,$10,$11,0)
     ON CONFLICT (source_kind, source_id, source_seq) DO NOTHING RETURNING id`,
    [
      recordNumber(content),
      content.sourceKind,
      content.sourceId,
      content.sourceNumber,
      content.sourceSeq,
      content.systemId,
      content.title,
      JSON.stringify(content),
      new Date(content.startedAt),
      new Date(content.completedAt),
      content.sla.breached,
    ],
  );
  if (rows.length === 0) return null;
  const entry = await appendEntry(tx, { recordId: rows[0].id, kind: 'recorded', content, signer: SYSTEM_SIGNER, signedAt: content.completedAt });
  await tx.query(`UPDATE maintenance_records SET head_seq = $2 WHERE id = $1`, [rows[0].id, entry.seq]);
  return entry;
}

/**
 * Work that was reopened: its open records (pending or disputed) are superseded by the record the next resolution
 * brings. Confirmed records stay confirmed: they were true of the work they describe.
 */
export async function supersedeOpenRecords(tx: EntityManager, sourceKind: RecordSourceKind, sourceId: string, at: number, reason: string): Promise<number> {
  const open: { id: string; version: number }[] = await tx.query(
    `SELECT id, version FROM maintenance_records WHERE source_kind = $1 AND source_id = $2 AND state IN ('pending', 'disputed') ORDER BY source_seq FOR UPDATE`,
    [sourceKind, sourceId],
  );
  for (const r of open) {
    const entry = await appendEntry(tx, { recordId: r.id, kind: 'superseded', content: { reason, version: r.version }, signer: SYSTEM_SIGNER, signedAt: at });
    await tx.query(`UPDATE maintenance_records SET state = 'superseded', head_seq = $2, updated_at = now() WHERE id = $1`, [r.id, entry.seq]);
  }
  return open.length;
}

export function statusOf(row: Record<string, any>): RecordStatus {
  return { state: row.state, version: row.version, hospital: row.hospital_signature ?? null, vendor: row.vendor_signature ?? null, dispute: row.dispute ?? null };
}

/** Stores a record's new status and content after an entry was appended for it. */
export async function saveStatus(tx: EntityManager, id: string, s: RecordStatus, headSeq: number, content?: RecordContent): Promise<void> {
  await tx.query(
    `UPDATE maintenance_records SET state = $2, version = $3, hospital_signature = $4, vendor_signature = $5, dispute = $6, head_seq = $7,
       content = COALESCE($8, content), updated_at = now() WHERE id = $1`,
    [id, s.state, s.version, s.hospital ? JSON.stringify(s.hospital) : null, s.vendor ? JSON.stringify(s.vendor) : null, s.dispute ? JSON.stringify(s.dispute) : null, headSeq, content ? JSON.stringify(content) : null],
  );
}
