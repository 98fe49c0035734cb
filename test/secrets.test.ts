import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { SecretIntegrityError, SecretKey, SecretNotFoundError, SecretVault, keyIdOf } from '../src/infra/secrets';
import { TestDatabase, createTestDatabase } from './support/database';

const keyOf = (key: Buffer): SecretKey => ({ key, keyId: keyIdOf(key), source: 'env' });

describe('the secrets vault on PostgreSQL', () => {
  let db: TestDatabase;
  let vault: SecretVault;

  beforeAll(async () => {
    db = await createTestDatabase();
    vault = new SecretVault(db.dataSource, keyOf(randomBytes(32)));
  });
  afterAll(() => db.drop());

  it('stores sealed, reads back, replaces under the same id and deletes', async () => {
    const ref = await vault.store({ kind: 'ssh.password', name: 'HIS db host', value: 'Pa55-口令' });
    expect(Object.keys(ref).sort()).toEqual(['createdAt', 'id', 'kind', 'name', 'rotatedAt']);
    const [row] = await db.dataSource.query(`SELECT ciphertext, key_id FROM secrets WHERE id = $1`, [ref.id]);
    expect(row.key_id).toBe(vault.key.keyId);
    expect(Buffer.from(row.ciphertext).includes(Buffer.from('Pa55'))).toBe(false);
    expect(await vault.read(ref.id)).toBe('Pa55-口令');
    const replaced = await vault.replace(ref.id, 'n3w');
    expect(replaced.id).toBe(ref.id);
    expect(replaced.rotatedAt).not.toBeNull();
    expect(await vault.read(ref.id)).toBe('n3w');
    expect(await vault.delete(ref.id)).toBe(true);
    expect(await vault.delete(ref.id)).toBe(false);
    await expect(vault.read(ref.id)).rejects.toThrow(SecretNotFoundError);
  });

  it('refuses a tampered row and a wrong key', async () => {
    const ref = await vault.store({ kind: 'db.password', name: 'LIS', value: 'secret' });
    const other = new SecretVault(db.dataSource, keyOf(randomBytes(32)));
    await expect(other.read(ref.id)).rejects.toThrow(SecretIntegrityError);
    // The same key id with another key (a forged key_id) still fails on the GCM tag.
    await db.dataSource.query(`UPDATE secrets SET key_id = $2 WHERE id = $1`, [ref.id, other.key.keyId]);
    await expect(other.read(ref.id)).rejects.toThrow(SecretIntegrityError);
    await db.dataSource.query(`UPDATE secrets SET key_id = $2, ciphertext = set_byte(ciphertext, 20, get_byte(ciphertext, 20) # 1) WHERE id = $1`, [ref.id, vault.key.keyId]);
    await expect(vault.read(ref.id)).rejects.toThrow(SecretIntegrityError);
  });

  it('refuses a ciphertext copied onto another row', async () => {
    const a = await vault.store({ kind: 'pm.api_key', name: 'a', value: 'key-a' });
    const b = await vault.store({ kind: 'pm.api_key', name: 'b', value: 'key-b' });
    await db.dataSource.query(`UPDATE secrets SET ciphertext = (SELECT ciphertext FROM secrets WHERE id = $1) WHERE id = $2`, [a.id, b.id]);
    await expect(vault.read(b.id)).rejects.toThrow(SecretIntegrityError);
    expect(await vault.read(a.id)).toBe('key-a');
  });
});
