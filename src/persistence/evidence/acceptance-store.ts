import { DataSource, EntityManager } from 'typeorm';

/** S17: acceptance packs — the row the API lists, the zip the workflow's activity stores, the hospital's decision. */
type Db = DataSource | EntityManager;

export interface PackRow {
  id: string;
  number: string;
  workflowId: string;
  scope: 'period' | 'modification';
  contractId: string | null;
  modificationId: string | null;
  periodStart: number;
  periodEnd: number;
  state: string;
  requestedBy: { id: string; name: string };
  zipSha256: string | null;
  pdfSha256: string | null;
  xlsxSha256: string | null;
  ledgerHead: { seq: number; hash: string } | null;
  summary: Record<string, unknown> | null;
  error: string | null;
  decision: { by: { id: string; name: string }; at: number; note: string | null } | null;
  createdAt: number;
  builtAt: number | null;
}

const COLUMNS = `id, number, workflow_id, scope, contract_id, modification_id, period_start, period_end, state, requested_by_id, requested_by_name,
  zip_sha256, pdf_sha256, xlsx_sha256, ledger_head_seq, ledger_head_hash, summary, error, decided_by_id, decided_by_name, decided_at, decision_note, created_at, built_at`;

const ms = (d: Date | string | null) => (d === null ? null : new Date(d).getTime());

function mapPack(r: Record<string, any>): PackRow {
  return {
    id: r.id,
    number: r.number,
    workflowId: r.workflow_id,
    scope: r.scope,
    contractId: r.contract_id,
    modificationId: r.modification_id,
    periodStart: ms(r.period_start)!,
    periodEnd: ms(r.period_end)!,
    state: r.state,
    requestedBy: { id: r.requested_by_id, name: r.requested_by_name },
    zipSha256: r.zip_sha256,
    pdfSha256: r.pdf_sha256,
    xlsxSha256: r.xlsx_sha256,
    ledgerHead: r.ledger_head_seq === null ? null : { seq: Number(r.ledger_head_seq), hash: r.ledger_head_hash },
    summary: r.summary,
    error: r.error,
    decision: r.decided_at ? { by: { id: r.decided_by_id, name: r.decided_by_name }, at: ms(r.decided_at)!, note: r.decision_note } : null,
    createdAt: ms(r.created_at)!,
    builtAt: ms(r.built_at),
  };
}

export async function insertPack(db: Db, p: Pick<PackRow, 'id' | 'number' | 'workflowId' | 'scope' | 'contractId' | 'modificationId' | 'periodStart' | 'periodEnd' | 'requestedBy'>): Promise<void> {
  await db.query(
    `INSERT INTO acceptance_packs (id, number, workflow_id, scope, contract_id, modification_id, period_start, period_end, state, requested_by_id, requested_by_name)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'building',$9,$10)`,
    [p.id, p.number, p.workflowId, p.scope, p.contractId, p.modificationId, new Date(p.periodStart), new Date(p.periodEnd), p.requestedBy.id, p.requestedBy.name],
  );
}

export async function findPack(db: Db, ref: string): Promise<PackRow | null> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
  const [row] = await db.query(`SELECT ${COLUMNS} FROM acceptance_packs WHERE ${uuid ? 'id = $1::uuid' : 'number = upper($1)'}`, [ref]);
  return row ? mapPack(row) : null;
}

export async function listPacks(db: Db, filter: { contractId?: string; state?: string } = {}): Promise<PackRow[]> {
  const rows: Record<string, any>[] = await db.query(
    `SELECT ${COLUMNS} FROM acceptance_packs WHERE ($1::uuid IS NULL OR contract_id = $1) AND ($2::text IS NULL OR state = $2) ORDER BY created_at DESC, number DESC LIMIT 500`,
    [filter.contractId ?? null, filter.state ?? null],
  );
  return rows.map(mapPack);
}

export async function packZip(db: Db, id: string): Promise<Buffer | null> {
  const [row] = await db.query(`SELECT zip FROM acceptance_packs WHERE id = $1`, [id]);
  return row?.zip ?? null;
}

/** Stores the built pack (idempotent: a retried activity overwrites the same bytes of the same data). */
export async function storeBuiltPack(
  db: Db,
  id: string,
  b: { zip: Buffer; zipSha256: string; pdfSha256: string; xlsxSha256: string; ledgerHead: { seq: number; hash: string } | null; summary: Record<string, unknown> },
): Promise<void> {
  await db.query(
    `UPDATE acceptance_packs SET zip = $2, zip_sha256 = $3, pdf_sha256 = $4, xlsx_sha256 = $5, ledger_head_seq = $6, ledger_head_hash = $7, summary = $8,
       state = 'submitted', built_at = now() WHERE id = $1 AND state IN ('building', 'submitted')`,
    [id, b.zip, b.zipSha256, b.pdfSha256, b.xlsxSha256, b.ledgerHead?.seq ?? null, b.ledgerHead?.hash ?? null, JSON.stringify(b.summary)],
  );
}

export async function markPackFailed(db: Db, id: string, error: string): Promise<void> {
  await db.query(`UPDATE acceptance_packs SET state = 'failed', error = $2 WHERE id = $1 AND state = 'building'`, [id, error.slice(0, 2000)]);
}

export async function storePackDecision(db: Db, id: string, d: { decision: 'accept' | 'reject'; note: string | null; actor: { id: string; name: string }; at: number }): Promise<void> {
  await db.query(
    `UPDATE acceptance_packs SET state = $2, decided_by_id = $3, decided_by_name = $4, decided_at = $5, decision_note = $6 WHERE id = $1 AND state = 'submitted'`,
    [id, d.decision === 'accept' ? 'accepted' : 'rejected', d.actor.id, d.actor.name, new Date(d.at), d.note],
  );
}

/** The pack's scope with the contract's parties, for the builder. */
export async function packScopeOf(db: Db, id: string): Promise<{ scope: 'period' | 'modification'; periodStart: number; periodEnd: number; modificationId: string | null; contract: { number: string; title: string; hospital: string; vendor: string } | null } | null> {
  const [r] = await db.query(
    `SELECT p.scope, p.period_start, p.period_end, p.modification_id, c.number, c.title, c.hospital, c.vendor
       FROM acceptance_packs p LEFT JOIN service_contracts c ON c.id = p.contract_id WHERE p.id = $1`,
    [id],
  );
  if (!r) return null;
  return {
    scope: r.scope,
    periodStart: ms(r.period_start)!,
    periodEnd: ms(r.period_end)!,
    modificationId: r.modification_id,
    contract: r.number ? { number: r.number, title: r.title, hospital: r.hospital, vendor: r.vendor } : null,
  };
}
