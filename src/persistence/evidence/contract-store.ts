import { DataSource, EntityManager } from 'typeorm';
import { CONTRACT_SHARES, MILESTONE_CODES, MilestoneCode, MilestoneFacts, periodEndDate, startOfLocalDate } from '../../domain/evidence/contract';

/**
 * S18: the service contract, the systems it covers and its payment milestones. The contract in force is the one
 * whose period holds the given day, else the latest to start; there is normally one.
 */
export interface ContractRow {
  id: string;
  number: string;
  title: string;
  hospital: string;
  vendor: string;
  startDate: string;
  months: number;
  endDate: string;
  amount: number | null;
  currency: string;
  systems: { id: string; code: string; name: string }[];
  milestones: MilestoneFacts[];
  createdBy: string;
  updatedBy: string;
  updatedAt: number;
}

export interface ContractInput {
  number: string;
  title: string;
  hospital: string;
  vendor: string;
  startDate: string;
  months: number;
  amount: number | null;
  currency: string;
  systemIds: string[];
}

type Db = DataSource | EntityManager;

const CONTRACT_SQL = `SELECT id, number, title, hospital, vendor, to_char(start_date, 'YYYY-MM-DD') AS start_date, months, amount, currency,
  created_by, updated_by, updated_at FROM service_contracts`;

async function hydrate(db: Db, row: Record<string, any> | undefined): Promise<ContractRow | null> {
  if (!row) return null;
  const systems: Record<string, any>[] = await db.query(
    `SELECT s.id, s.code, s.display_name FROM contract_systems c JOIN business_systems s ON s.id = c.system_id WHERE c.contract_id = $1 ORDER BY s.seq`,
    [row.id],
  );
  const ms: Record<string, any>[] = await db.query(`SELECT code, share_percent, paid_at FROM contract_milestones WHERE contract_id = $1`, [row.id]);
  const [pack] = await db.query(
    `SELECT id, number, decided_at FROM acceptance_packs WHERE contract_id = $1 AND scope = 'period' AND state = 'accepted' ORDER BY decided_at LIMIT 1`,
    [row.id],
  );
  const milestones = MILESTONE_CODES.map((code): MilestoneFacts => {
    const m = ms.find((x) => x.code === code);
    return {
      code,
      sharePercent: m ? Number(m.share_percent) : CONTRACT_SHARES[code],
      paidAt: m?.paid_at ? new Date(m.paid_at).getTime() : null,
      acceptedPack: code === 'acceptance' && pack ? { id: pack.id, number: pack.number, acceptedAt: new Date(pack.decided_at).getTime() } : null,
    };
  });
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    hospital: row.hospital,
    vendor: row.vendor,
    startDate: row.start_date,
    months: Number(row.months),
    endDate: periodEndDate(row.start_date, Number(row.months)),
    amount: row.amount === null ? null : Number(row.amount),
    currency: row.currency,
    systems: systems.map((s) => ({ id: s.id, code: s.code, name: s.display_name })),
    milestones,
    createdBy: row.created_by,
    updatedBy: row.updated_by,
    updatedAt: new Date(row.updated_at).getTime(),
  };
}

/** By id or number. */
export async function findContract(db: Db, ref: string): Promise<ContractRow | null> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
  const [row] = await db.query(`${CONTRACT_SQL} WHERE ${uuid ? 'id = $1::uuid' : 'number = $1'}`, [ref]);
  return hydrate(db, row);
}

/** The contract in force on `day` (YYYY-MM-DD), else the latest to start. */
export async function currentContract(db: Db, day: string): Promise<ContractRow | null> {
  const [row] = await db.query(
    `${CONTRACT_SQL} ORDER BY (start_date <= $1::date AND start_date + make_interval(months => months) > $1::date) DESC, start_date DESC LIMIT 1`,
    [day],
  );
  return hydrate(db, row);
}

export async function listContracts(db: Db): Promise<ContractRow[]> {
  const rows: Record<string, any>[] = await db.query(`${CONTRACT_SQL} ORDER BY start_date DESC, number`);
  const out: ContractRow[] = [];
  for (const r of rows) out.push((await hydrate(db, r))!);
  return out;
}

export async function insertContract(tx: EntityManager, input: ContractInput, by: string): Promise<string> {
  const [row] = await tx.query(
    `INSERT INTO service_contracts (number, title, hospital, vendor, start_date, months, amount, currency, created_by, updated_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9) RETURNING id`,
    [input.number, input.title, input.hospital, input.vendor, input.startDate, input.months, input.amount, input.currency, by],
  );
  for (const code of MILESTONE_CODES) {
    await tx.query(`INSERT INTO contract_milestones (contract_id, code, share_percent) VALUES ($1, $2, $3)`, [row.id, code, CONTRACT_SHARES[code]]);
  }
  await setContractSystems(tx, row.id, input.systemIds);
  return row.id;
}

export async function updateContract(tx: EntityManager, id: string, patch: Partial<Omit<ContractInput, 'systemIds' | 'number'>>, by: string): Promise<void> {
  const columns: Record<string, string> = { title: 'title', hospital: 'hospital', vendor: 'vendor', startDate: 'start_date', months: 'months', amount: 'amount', currency: 'currency' };
  const sets: string[] = [];
  const params: unknown[] = [id];
  for (const [key, column] of Object.entries(columns)) {
    const v = (patch as Record<string, unknown>)[key];
    if (v === undefined) continue;
    params.push(v);
    sets.push(`${column} = $${params.length}`);
  }
  params.push(by);
  sets.push(`updated_by = $${params.length}`, 'updated_at = now()');
  await tx.query(`UPDATE service_contracts SET ${sets.join(', ')} WHERE id = $1`, params);
}

export async function setContractSystems(tx: EntityManager, id: string, systemIds: string[]): Promise<void> {
  await tx.query(`DELETE FROM contract_systems WHERE contract_id = $1`, [id]);
  if (systemIds.length > 0) {
    await tx.query(`INSERT INTO contract_systems (contract_id, system_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`, [id, systemIds]);
  }
}

export async function recordPayment(tx: EntityManager, id: string, code: MilestoneCode, at: number, by: string, note: string | null): Promise<void> {
  await tx.query(`UPDATE contract_milestones SET paid_at = $3, paid_by = $4, paid_note = $5 WHERE contract_id = $1 AND code = $2 AND paid_at IS NULL`, [id, code, new Date(at), by, note]);
}

/** The contract's period as instants in the contract's zone: [start, end). */
export function contractPeriod(c: Pick<ContractRow, 'startDate' | 'endDate'>, utcOffsetMinutes: number): { from: number; to: number } {
  return { from: startOfLocalDate(c.startDate, utcOffsetMinutes), to: startOfLocalDate(c.endDate, utcOffsetMinutes) };
}

/** The facts acceptance of a period depends on, read from the records and modifications (S14, S17). */
export async function acceptanceCounts(db: Db, from: number, to: number, contractId: string): Promise<{ pending: number; disputed: number; modificationsLive: number; acceptedPack: boolean }> {
  const [r] = await db.query(
    `SELECT count(*) FILTER (WHERE state = 'pending') AS pending, count(*) FILTER (WHERE state = 'disputed') AS disputed
       FROM maintenance_records WHERE completed_at >= $1 AND completed_at < $2`,
    [new Date(from), new Date(to)],
  );
  const [m] = await db.query(`SELECT count(*) AS n FROM modifications WHERE live_at >= $1 AND live_at < $2 AND accepted_at IS NULL AND state <> 'cancelled'`, [new Date(from), new Date(to)]);
  const [p] = await db.query(`SELECT count(*) AS n FROM acceptance_packs WHERE contract_id = $1 AND scope = 'period' AND state = 'accepted'`, [contractId]);
  return { pending: Number(r.pending), disputed: Number(r.disputed), modificationsLive: Number(m.n), acceptedPack: Number(p.n) > 0 };
}
