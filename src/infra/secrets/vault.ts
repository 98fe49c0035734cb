import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { updateReturning } from '../../persistence/sql';
import { SecretIntegrityError, open, seal } from './cipher';
import { SecretKey } from './key';

type Db = DataSource | EntityManager;

/** What the API may show of a secret: never its value. */
export interface SecretRef {
  id: string;
  kind: string;
  name: string;
  createdAt: string;
  rotatedAt: string | null;
}

/** Kinds group secrets by what they open: `ssh.password`, `ssh.private_key`, `db.password`, `pm.api_key`, `hmac`… */
const KIND = /^[a-z][a-z0-9_.-]{0,63}$/;

export class SecretNotFoundError extends Error {
  constructor(readonly secretId: string) {
    super(`no secret ${secretId}`);
    this.name = 'SecretNotFoundError';
  }
}

const context = (id: string, kind: string) => `wardline.secret.v1:${id}:${kind}`;

function checkInput(kind: string, name: string, value: string): void {
  if (!KIND.test(kind)) throw new TypeError(`secret kind must match ${KIND}`);
  if (name.length < 1 || name.length > 200) throw new TypeError('secret name must be 1–200 characters');
  if (typeof value !== 'string' || value.length === 0) throw new TypeError('secret value must be a non-empty string');
}

interface Row {
  id: string;
  kind: string;
  name: string;
  key_id: string;
  ciphertext: Buffer;
  created_at: Date;
  rotated_at: Date | null;
}

const toRef = (r: Pick<Row, 'id' | 'kind' | 'name' | 'created_at' | 'rotated_at'>): SecretRef => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  createdAt: new Date(r.created_at).toISOString(),
  rotatedAt: r.rotated_at ? new Date(r.rotated_at).toISOString() : null,
});

/** Seals `value` and stores it; returns its reference (keep the id in your rows and workflow inputs, never the value). */
export async function storeSecret(db: Db, key: SecretKey, input: { kind: string; name: string; value: string }): Promise<SecretRef> {
  checkInput(input.kind, input.name, input.value);
  const id = randomUUID();
  const [row] = await db.query(
    `INSERT INTO secrets (id, kind, name, key_id, ciphertext) VALUES ($1, $2, $3, $4, $5) RETURNING id, kind, name, created_at, rotated_at`,
    [id, input.kind, input.name, key.keyId, seal(key.key, input.value, context(id, input.kind))],
  );
  return toRef(row);
}

/** The plaintext, for the adapter that uses it (an activity receives the id, reads, uses, forgets). */
export async function readSecret(db: Db, key: SecretKey, id: string): Promise<string> {
  const [row]: Row[] = await db.query(`SELECT id, kind, key_id, ciphertext FROM secrets WHERE id = $1`, [id]);
  if (!row) throw new SecretNotFoundError(id);
  if (row.key_id !== key.keyId) throw new SecretIntegrityError(`secret ${id} was sealed with another key (${row.key_id}); this process has ${key.keyId}`);
  return open(key.key, row.ciphertext, context(row.id, row.kind)).toString('utf8');
}

/** A new value under the same id (a changed password); the id others hold stays valid. */
export async function replaceSecret(db: Db, key: SecretKey, id: string, value: string): Promise<SecretRef> {
  const [current]: Row[] = await db.query(`SELECT kind, name FROM secrets WHERE id = $1`, [id]);
  if (!current) throw new SecretNotFoundError(id);
  checkInput(current.kind, current.name, value);
  const [row] = await updateReturning<Row>(
    db,
    `UPDATE secrets SET key_id = $2, ciphertext = $3, rotated_at = now() WHERE id = $1 RETURNING id, kind, name, created_at, rotated_at`,
    [id, key.keyId, seal(key.key, value, context(id, current.kind))],
  );
  if (!row) throw new SecretNotFoundError(id);
  return toRef(row);
}

export async function deleteSecret(db: Db, id: string): Promise<boolean> {
  return (await updateReturning(db, `DELETE FROM secrets WHERE id = $1 RETURNING id`, [id])).length > 0;
}

export async function describeSecret(db: Db, id: string): Promise<SecretRef | null> {
  const [row] = await db.query(`SELECT id, kind, name, created_at, rotated_at FROM secrets WHERE id = $1`, [id]);
  return row ? toRef(row) : null;
}

/** The same functions bound to one database and key: what the API and the worker's activities are given. */
export class SecretVault {
  constructor(
    private readonly db: Db,
    readonly key: SecretKey,
  ) {}

  store(input: { kind: string; name: string; value: string }, db: Db = this.db): Promise<SecretRef> {
    return storeSecret(db, this.key, input);
  }

  read(id: string, db: Db = this.db): Promise<string> {
    return readSecret(db, this.key, id);
  }

  replace(id: string, value: string, db: Db = this.db): Promise<SecretRef> {
    return replaceSecret(db, this.key, id, value);
  }

  delete(id: string, db: Db = this.db): Promise<boolean> {
    return deleteSecret(db, id);
  }

  describe(id: string, db: Db = this.db): Promise<SecretRef | null> {
    return describeSecret(db, id);
  }
}
