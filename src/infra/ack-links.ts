import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';

/** What a one-time acknowledgement link stands for: one vendor contact, one escalation level, until it expires. */
export interface AckLinkClaim {
  escalationId: string;
  contactId: string;
  level: number;
  expiresAt: number;
}

const VERSION = 'v1';
/** The app_secrets row whose value signs acknowledgement links. */
export const ACK_LINK_SECRET = 'escalation-ack-link';

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** Deterministic for a claim, so a retried activity renders the same link; only its hash is ever stored. */
export function signAckLink(claim: AckLinkClaim, secret: string): string {
  const payload = Buffer.from(JSON.stringify([claim.escalationId, claim.contactId, claim.level, claim.expiresAt])).toString('base64url');
  return `${VERSION}.${payload}.${mac(secret, `${VERSION}.${payload}`)}`;
}

export type AckLinkCheck = { ok: true; claim: AckLinkClaim } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

export function verifyAckLink(token: string, secret: string, now: number): AckLinkCheck {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(mac(secret, `${parts[0]}.${parts[1]}`));
  const given = Buffer.from(parts[2]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad_signature' };
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!Array.isArray(fields) || fields.length !== 4) return { ok: false, reason: 'malformed' };
  const [escalationId, contactId, level, expiresAt] = fields as [string, string, number, number];
  if (now >= expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, claim: { escalationId, contactId, level, expiresAt } };
}

export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A secret shared by the API and the worker through the database, made once on first use. */
export async function appSecret(ds: DataSource, name: string): Promise<string> {
  await ds.query(`INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, randomBytes(32).toString('base64url')]);
  const [row] = await ds.query(`SELECT value FROM app_secrets WHERE name = $1`, [name]);
  return row.value;
}

/**
 * The same signed-link mechanism for other one-time purposes (S8: satisfaction surveys): `<purpose>.<payload>.<mac>`,
 * the payload a JSON array of the claim's fields. The purpose is signed too, so a link of one kind never passes for
 * another, nor for an acknowledgement link.
 */
export function signPurposeLink(purpose: string, fields: readonly (string | number)[], secret: string): string {
  const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
  return `${purpose}.${payload}.${mac(secret, `${purpose}.${payload}`)}`;
}

export type PurposeLinkCheck = { ok: true; fields: unknown[] } | { ok: false; reason: 'malformed' | 'bad_signature' };

export function readPurposeLink(purpose: string, token: string, secret: string): PurposeLinkCheck {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== purpose) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(mac(secret, `${parts[0]}.${parts[1]}`));
  const given = Buffer.from(parts[2]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad_signature' };
  try {
    const fields: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return Array.isArray(fields) ? { ok: true, fields } : { ok: false, reason: 'malformed' };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}
