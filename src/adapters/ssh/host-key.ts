import { createHash } from 'node:crypto';

/** A host key as SSH sends it (the wire blob) named the way OpenSSH prints it: `SHA256:<base64 without padding>`. */
export function sshKeyFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type written at the start of the blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, …). */
export function sshKeyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  if (len <= 0 || len > 64 || 4 + len > blob.length) return 'unknown';
  return blob.subarray(4, 4 + len).toString('latin1');
}

export interface PresentedHostKey {
  type: string;
  /** base64 of the blob: the `AAAA…` part of an OpenSSH public key line. */
  key: string;
  fingerprint: string;
}

export function describeHostKey(blob: Buffer): PresentedHostKey {
  return { type: sshKeyType(blob), key: blob.toString('base64'), fingerprint: sshKeyFingerprint(blob) };
}

/** An OpenSSH public key line (`ssh-ed25519 AAAA… comment`, as in known_hosts or ssh-keyscan) read into its parts; null if it is not one. */
export function parseOpenSshPublicKey(line: string): PresentedHostKey | null {
  const parts = line.trim().split(/\s+/);
  const b64 = parts.find((p) => p.startsWith('AAAA'));
  if (!b64 || !/^[A-Za-z0-9+/]+=*$/.test(b64)) return null;
  const blob = Buffer.from(b64, 'base64');
  const described = describeHostKey(blob);
  return described.type === 'unknown' ? null : described;
}
