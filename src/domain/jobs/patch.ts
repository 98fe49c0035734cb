import type { JobRunInput } from './job-run';

/**
 * A patch run (补丁推送安装, P5): scan every host, plan which host gets which packages, wait for the approved
 * change's window (S4), apply to the canaries, verify, then batch by batch; a failed verification rolls the
 * batch back and stops the run.
 */
export type Verification =
  | { kind: 'none' }
  /** A script run on the host after patching (bash, or PowerShell on Windows); exit 0 passes. */
  | { kind: 'command'; script: string }
  /** GET; `{ip}` in the URL becomes the host's address; passes on the expected status (default any 2xx). */
  | { kind: 'http'; url: string; expectStatus?: number }
  /** The host's `up` in Prometheus must be 1 (instance = its address, any port). */
  | { kind: 'prometheus'; url: string };

export interface PatchRunInput extends JobRunInput {
  kind: 'patch';
  windowStart: number;
  include: string[] | null;
  exclude: string[];
  verification: Verification;
  allowReboot: boolean;
  rebootTimeoutMs: number;
}

/** `*` matches any run of characters; names are compared whole. */
function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

/** Which of the available updates a host gets: those the include list names (all when none), minus the excluded. */
export function planUpdates<T extends { name: string }>(available: T[], include: string[] | null, exclude: string[]): T[] {
  const inc = include?.map(glob) ?? null;
  const exc = exclude.map(glob);
  const bare = (name: string) => name.replace(/\.(x86_64|aarch64|noarch|i686|ppc64le|s390x|loongarch64|mips64el)$/, '');
  const matches = (res: RegExp[], name: string) => res.some((re) => re.test(name) || re.test(bare(name)));
  return available.filter((u) => (inc === null || matches(inc, u.name)) && !matches(exc, u.name));
}

/** The `up` series a Prometheus answer holds for this address: passes only when one exists and every one is 1. */
export function prometheusUp(body: unknown): { ok: boolean; why: string } {
  const result = (body as { data?: { result?: { metric?: Record<string, string>; value?: [number, string] }[] } })?.data?.result;
  if (!Array.isArray(result)) return { ok: false, why: 'Prometheus answered without a result' };
  if (result.length === 0) return { ok: false, why: 'Prometheus has no `up` series for this host' };
  const down = result.filter((r) => r.value?.[1] !== '1');
  return down.length ? { ok: false, why: `up is 0 for ${down.map((d) => d.metric?.job ?? '?').join(', ')}` } : { ok: true, why: `up = 1 (${result.length} series)` };
}
