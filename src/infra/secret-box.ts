import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Seals secrets at rest with AES-256-GCM (SSH passwords and keys here). The key comes from WARDLINE_SECRET_KEY
 * (64 hex characters or 44 base64 characters for 32 bytes; any other text is hashed to 32 bytes), else from
 * `<data dir>/secret.key`, generated with mode 0600 on first use. Sealed text: `v1:<iv>:<tag>:<ciphertext>` in base64.
 * Stand-in with the shared vault's shape (seal/open) until src/infra/secrets lands on main.
 */
export interface SecretVault {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

function keyFrom(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  const b = Buffer.from(t, 'base64');
  if (b.length === 32 && /^[A-Za-z0-9+/]{43}=$/.test(t)) return b;
  return createHash('sha256').update(t).digest();
}

export function loadSecretKey(env: NodeJS.ProcessEnv, dataDir: string): Buffer {
  if (env.WARDLINE_SECRET_KEY) return keyFrom(env.WARDLINE_SECRET_KEY);
  const path = join(dataDir, 'secret.key');
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process (API or worker) wrote it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  chmodSync(path, 0o600);
  return keyFrom(readFileSync(path, 'utf8'));
}

export function createSecretVault(key: Buffer): SecretVault {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
    },
    open(sealed) {
      const [v, iv, tag, data] = sealed.split(':');
      if (v !== 'v1' || !iv || !tag || data === undefined) throw new Error('not a sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}

export function secretVaultFor(env: NodeJS.ProcessEnv, dataDir: string): SecretVault {
  return createSecretVault(loadSecretKey(env, dataDir));
}
