import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Sealed form: 1 version byte, a random 12-byte IV, the 16-byte GCM tag, then the ciphertext. */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretIntegrityError extends Error {
  constructor(message = 'the secret could not be opened: it was altered, or sealed with another key') {
    super(message);
    this.name = 'SecretIntegrityError';
  }
}

/**
 * AES-256-GCM with a fresh IV per value. `context` is authenticated but not stored (GCM's additional data): a
 * ciphertext copied to another row (another id or kind) no longer opens.
 */
export function seal(key: Buffer, plaintext: Buffer | string, context: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

export function open(key: Buffer, sealed: Buffer, context: string): Buffer {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) throw new SecretIntegrityError('the sealed secret is malformed');
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SecretIntegrityError();
  }
}
