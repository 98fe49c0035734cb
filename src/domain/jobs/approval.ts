/**
 * S4 applied to operations jobs: a run that may change something (its template is not read-only) on production
 * servers needs an approved change whose window is open while it runs; the run records the link. A server whose
 * environment is not stated counts as production (what the CMDB does not say cannot be assumed safe).
 */
export const ENVIRONMENTS = ['production', 'staging', 'test', 'development'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export function isProduction(environment: unknown): boolean {
  return environment !== 'staging' && environment !== 'test' && environment !== 'development';
}

export function needsApprovedChange(readOnly: boolean, anyProduction: boolean): boolean {
  return !readOnly && anyProduction;
}

/** States in which an approved change may be carried out (an emergency change is implemented before its review). */
const USABLE = ['approved', 'implemented'];

export function changeProblem(change: { number: string; state: string; windowStart: number; windowEnd: number }, at: number): string | null {
  if (!USABLE.includes(change.state)) return `change ${change.number} is ${change.state}, not approved`;
  if (at < change.windowStart) return `change ${change.number}'s window has not opened yet`;
  if (at > change.windowEnd) return `change ${change.number}'s window has closed`;
  return null;
}

/** OS families the patch adapters know; from the CMDB's `osFamily`, else read from its `os` text. */
export const OS_FAMILIES = ['debian', 'rhel', 'windows'] as const;
export type OsFamily = (typeof OS_FAMILIES)[number] | 'unknown';

export function osFamilyOf(attributes: Record<string, unknown>): OsFamily {
  const explicit = attributes.osFamily;
  if (typeof explicit === 'string' && (OS_FAMILIES as readonly string[]).includes(explicit)) return explicit as OsFamily;
  const os = String(attributes.os ?? '').toLowerCase();
  if (/debian|ubuntu|uos|deepin/.test(os)) return 'debian';
  if (/red ?hat|rhel|centos|kylin|麒麟|openeuler|欧拉|rocky|alma|oracle linux|anolis|龙蜥|fedora/.test(os)) return 'rhel';
  if (/windows/.test(os)) return 'windows';
  return 'unknown';
}
