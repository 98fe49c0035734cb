import { Algorithm, hash, verify } from '@node-rs/argon2';

/**
 * People's passwords (issue 16): argon2id, memory-hard, from @node-rs/argon2 (prebuilt binaries, no install script).
 * 19 MiB, 2 passes, 1 lane: OWASP's minimum for argon2id, which keeps a sign-in near 30 ms on a busy 2-core machine.
 * The parameters live in each stored hash, so raising them later re-hashes nobody's password by force.
 */
const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** False for a wrong password and for a stored value that is not an argon2 hash (never throws for bad input). */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A hash of nothing in particular: verified against when the name is unknown, so both answers take as long. */
let decoy: Promise<string> | null = null;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(`decoy-${Math.random()}`);
  return decoy;
}
