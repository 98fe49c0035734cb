/**
 * Who is who (the seed's people, REQUIREMENTS.md): the hospital's IT department (dispatchers, reviewers, the IT
 * manager), the maintenance vendor's onsite team (engineers, the project and quality managers), the original
 * vendors' contacts (S7), machine integrations, and the administrator. Rules that depend on the side a person
 * is on (S4 reviews, S10 pauses, S14 confirmations) read these lists, so the API and the workflows agree.
 */
export const ROLES = [
  'dispatcher',
  'engineer',
  'project_manager',
  'quality_manager',
  'reviewer',
  'it_manager',
  'vendor_contact',
  'integration',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

/** The hospital side: the party that measures the service (S10, S14). */
export const HOSPITAL_SIDE: readonly Role[] = ['dispatcher', 'reviewer', 'it_manager'];
/** The maintenance vendor's onsite team: the party being measured. */
export const VENDOR_TEAM: readonly Role[] = ['engineer', 'project_manager', 'quality_manager'];

/** Whether someone holding `roles` may act where `allowed` may; the administrator always may. */
export function holdsAny(roles: readonly string[] | undefined, allowed: readonly Role[]): boolean {
  if (!roles) return false;
  return roles.includes('admin') || roles.some((r) => (allowed as readonly string[]).includes(r));
}
