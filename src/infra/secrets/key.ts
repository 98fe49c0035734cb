import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The one key that seals secrets at rest (AES-256-GCM): 32 bytes, and a short id stored beside each ciphertext. */
export interface SecretKey {
  key: Buffer;
  /** First 16 hex digits of SHA-256(key): tells "sealed with another key" from "tampered with". */
  keyId: string;
  source: 'env' | 'file' | 'generated';
}

export const SECRET_KEY_FILE = 'secret.key';

export class SecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyError';
  }
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** `WARDLINE_SECRET_KEY`: 32 bytes as 64 hex digits or as base64 (standard or URL-safe). */
export function parseSecretKey(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const key = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  throw new SecretKeyError('WARDLINE_SECRET_KEY must be 32 bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)');
}

/**
 * The key from `WARDLINE_SECRET_KEY` when set; otherwise `<dataDir>/secret.key`, generated once (mode 0600) on first
 * start. A key file others may read is refused, as ssh refuses a private key with loose permissions.
 */
export function loadSecretKey(options: { configured?: string; dataDir: string }): SecretKey {
  if (options.configured) {
    const key = parseSecretKey(options.configured);
    return { key, keyId: keyIdOf(key), source: 'env' };
  }
  const path = join(options.dataDir, SECRET_KEY_FILE);
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  let source: SecretKey['source'] = 'file';
  try {
    // `wx`: if two processes start at once, one creates the file and the other reads it.
    writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    source = 'generated';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) throw new SecretKeyError(`${path} has mode ${mode.toString(8)}: others may read it; run chmod 600 ${path}`);
  const key = parseSecretKey(readFileSync(path, 'utf8'));
  return { key, keyId: keyIdOf(key), source };
}
