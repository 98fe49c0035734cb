import { createHash, randomBytes } from 'node:crypto';

/** Tokens are shown once and stored only as a SHA-256 hash; the prefix lets people tell them apart. */
export function newToken(): string {
  return `wl_${randomBytes(24).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function tokenPrefix(token: string): string {
  return token.slice(0, 7);
}
