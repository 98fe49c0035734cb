import { createHash } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';
import { DataSource, EntityManager } from 'typeorm';

/**
 * The S14 ledger: append-only, hash-chained entries in PostgreSQL.
 * - content_hash = SHA-256 of the entry's content in RFC 8785 canonical JSON (json-canonicalize);
 * - entry_hash = SHA-256 of the canonical JSON of { seq, kind, recordId, correctsSeq, contentHash, prevHash, signer,
 *   signedAt }, so who signed and when are inside the chain too;
 * - prev_hash = the previous entry's entry_hash (64 zeros for the first).
 * Appends are serialised by one transaction-scoped advisory lock, and prev_hash is UNIQUE, so two concurrent
 * confirmations can never fork the chain. Anyone can recompute it: the rules above are the whole algorithm.
 */
export const GENESIS_HASH = '0'.repeat(64);
/** pg_advisory_xact_lock key of the ledger's head (hashtext('wardline.ledger.head')). */
const LEDGER_LOCK = `SELECT pg_advisory_xact_lock(hashtext('wardline.ledger.head'))`;

export type EntryKind = 'recorded' | 'confirmed' | 'disputed' | 'corrected' | 'superseded';
export type SignerParty = 'hospital' | 'vendor' | 'system';

export interface Signer {
  id: string;
  name: string;
  party: SignerParty;
}

export interface LedgerEntry {
  seq: number;
  recordId: string;
  kind: EntryKind;
  content: unknown;
  contentHash: string;
  prevHash: string;
  entryHash: string;
  correctsSeq: number | null;
  signer: Signer;
  signedAt: number;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export function contentHash(content: unknown): string {
  return sha256(canonicalize(content));
}

export function entryHash(e: Omit<LedgerEntry, 'entryHash' | 'content'>): string {
  return sha256(
    canonicalize({
      seq: e.seq,
      kind: e.kind,
      recordId: e.recordId,
      correctsSeq: e.correctsSeq,
      contentHash: e.contentHash,
      prevHash: e.prevHash,
      signer: { id: e.signer.id, name: e.signer.name, party: e.signer.party },
      signedAt: e.signedAt,
    }),
  );
}

export interface AppendInput {
  recordId: string;
  kind: EntryKind;
  content: unknown;
  correctsSeq?: number | null;
  signer: Signer;
  signedAt: number;
}

/** Appends one entry inside the caller's transaction (which must be one: the lock is transaction-scoped). */
export async function appendEntry(tx: EntityManager, input: AppendInput): Promise<LedgerEntry> {
  await tx.query(LEDGER_LOCK);
  const [head] = await tx.query(`SELECT seq, entry_hash FROM ledger_entries ORDER BY seq DESC LIMIT 1`);
  const seq = head ? Number(head.seq) + 1 : 1;
  const prevHash: string = head ? head.entry_hash : GENESIS_HASH;
  // Hash what PostgreSQL will give back: jsonb drops undefined members and normalises nothing else we rely on.
  const content = JSON.parse(JSON.stringify(input.content));
  const partial = { seq, recordId: input.recordId, kind: input.kind, contentHash: contentHash(content), prevHash, correctsSeq: input.correctsSeq ?? null, signer: input.signer, signedAt: input.signedAt };
  const entry: LedgerEntry = { ...partial, content, entryHash: entryHash(partial) };
  await tx.query(
    `INSERT INTO ledger_entries (seq, record_id, kind, content, content_hash, prev_hash, entry_hash, corrects_seq, signer_id, signer_name, signer_party, signed_at_ms)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
    [seq, entry.recordId, entry.kind, JSON.stringify(content), entry.contentHash, prevHash, entry.entryHash, entry.correctsSeq, entry.signer.id, entry.signer.name, entry.signer.party, entry.signedAt],
  );
  return entry;
}

export function mapEntry(row: Record<string, any>): LedgerEntry {
  return {
    seq: Number(row.seq),
    recordId: row.record_id,
    kind: row.kind,
    content: row.content,
    contentHash: row.content_hash,
    prevHash: row.prev_hash,
    entryHash: row.entry_hash,
    correctsSeq: row.corrects_seq === null ? null : Number(row.corrects_seq),
    signer: { id: row.signer_id, name: row.signer_name, party: row.signer_party },
    signedAt: Number(row.signed_at_ms),
  };
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  head: { seq: number; hash: string } | null;
  /** The first entry that does not match, and why. */
  firstBad: { seq: number; recordId: string | null; reason: 'content_hash' | 'entry_hash' | 'prev_hash' | 'sequence_gap'; expected: string; found: string } | null;
}

/** Recomputes the whole chain in order, in pages, and stops at the first entry that does not match. */
export async function verifyLedger(ds: DataSource | EntityManager, pageSize = 2000): Promise<VerifyResult> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  let head: VerifyResult['head'] = null;
  for (;;) {
    const rows: Record<string, any>[] = await ds.query(`SELECT * FROM ledger_entries WHERE seq >= $1 ORDER BY seq LIMIT $2`, [expectedSeq, pageSize]);
    if (rows.length === 0) break;
    for (const row of rows) {
      const e = mapEntry(row);
      const bad = (reason: NonNullable<VerifyResult['firstBad']>['reason'], expected: string, found: string): VerifyResult => ({
        ok: false,
        entries: count,
        head,
        firstBad: { seq: reason === 'sequence_gap' ? expectedSeq : e.seq, recordId: e.recordId, reason, expected, found },
      });
      if (e.seq !== expectedSeq) return bad('sequence_gap', String(expectedSeq), String(e.seq));
      const ch = contentHash(e.content);
      if (ch !== e.contentHash) return bad('content_hash', ch, e.contentHash);
      if (e.prevHash !== prevHash) return bad('prev_hash', prevHash, e.prevHash);
      const eh = entryHash(e);
      if (eh !== e.entryHash) return bad('entry_hash', eh, e.entryHash);
      prevHash = e.entryHash;
      expectedSeq++;
      count++;
      head = { seq: e.seq, hash: e.entryHash };
    }
  }
  return { ok: true, entries: count, head, firstBad: null };
}

/** The ledger's head: the hash that seals everything before it (S17 puts it in the acceptance pack). */
export async function ledgerHead(ds: DataSource | EntityManager, atOrBefore?: number): Promise<{ seq: number; hash: string } | null> {
  const [row] = atOrBefore === undefined
    ? await ds.query(`SELECT seq, entry_hash FROM ledger_entries ORDER BY seq DESC LIMIT 1`)
    : await ds.query(`SELECT seq, entry_hash FROM ledger_entries WHERE seq <= $1 ORDER BY seq DESC LIMIT 1`, [atOrBefore]);
  return row ? { seq: Number(row.seq), hash: row.entry_hash } : null;
}
