import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretIntegrityError, open, seal } from './cipher';
import { SECRET_KEY_FILE, SecretKeyError, loadSecretKey, parseSecretKey } from './key';

const withDir = <T>(run: (dir: string) => T): T => {
  const dir = mkdtempSync(join(tmpdir(), 'wardline-secrets-'));
  try {
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

describe('AES-256-GCM sealing', () => {
  const key = randomBytes(32);

  it('opens what it sealed, with a fresh IV each time', () => {
    const a = seal(key, 'S3cret-口令', 'ctx');
    const b = seal(key, 'S3cret-口令', 'ctx');
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
    expect(open(key, a, 'ctx').toString('utf8')).toBe('S3cret-口令');
    expect(a.includes(Buffer.from('S3cret'))).toBe(false);
  });

  it('refuses a tampered ciphertext, tag or IV', () => {
    const sealed = seal(key, 'password', 'ctx');
    for (const at of [1, 14, sealed.length - 1]) {
      const bad = Buffer.from(sealed);
      bad[at] ^= 0x01;
      expect(() => open(key, bad, 'ctx')).toThrow(SecretIntegrityError);
    }
    expect(() => open(key, sealed.subarray(0, 20), 'ctx')).toThrow(SecretIntegrityError);
  });

  it('refuses another key and another context (a ciphertext moved to another row)', () => {
    const sealed = seal(key, 'password', 'wardline.secret.v1:a:ssh.password');
    expect(() => open(randomBytes(32), sealed, 'wardline.secret.v1:a:ssh.password')).toThrow(SecretIntegrityError);
    expect(() => open(key, sealed, 'wardline.secret.v1:b:ssh.password')).toThrow(SecretIntegrityError);
  });
});

describe('the vault key', () => {
  it('reads WARDLINE_SECRET_KEY as hex or base64 and refuses other lengths', () => {
    const raw = randomBytes(32);
    expect(parseSecretKey(raw.toString('hex')).equals(raw)).toBe(true);
    expect(parseSecretKey(raw.toString('base64')).equals(raw)).toBe(true);
    expect(parseSecretKey(raw.toString('base64url')).equals(raw)).toBe(true);
    expect(() => parseSecretKey(randomBytes(16).toString('hex'))).toThrow(SecretKeyError);
    expect(() => parseSecretKey('not a key')).toThrow(SecretKeyError);
    withDir((dir) => {
      const k = loadSecretKey({ configured: raw.toString('hex'), dataDir: dir });
      expect(k.source).toBe('env');
      expect(k.key.equals(raw)).toBe(true);
    });
  });

  it('is generated once into <dataDir>/secret.key with mode 0600, then read back', () => {
    withDir((dir) => {
      const data = join(dir, 'nested', 'data');
      const first = loadSecretKey({ dataDir: data });
      expect(first.source).toBe('generated');
      const path = join(data, SECRET_KEY_FILE);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const again = loadSecretKey({ dataDir: data });
      expect(again.source).toBe('file');
      expect(again.key.equals(first.key)).toBe(true);
      expect(again.keyId).toBe(first.keyId);
      expect(parseSecretKey(readFileSync(path, 'utf8')).equals(first.key)).toBe(true);
    });
  });

  it('refuses a key file others may read', () => {
    withDir((dir) => {
      writeFileSync(join(dir, SECRET_KEY_FILE), randomBytes(32).toString('base64'));
      chmodSync(join(dir, SECRET_KEY_FILE), 0o644);
      expect(() => loadSecretKey({ dataDir: dir })).toThrow(/chmod 600/);
    });
  });
});
