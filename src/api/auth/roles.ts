/** Who may act, by role. Vendor side: engineer, project_manager, quality_manager. Hospital side: dispatcher, reviewer, it_manager. */
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

/** Everyone who works the service day to day; original vendors' contacts see only what later issues give them. */
export const STAFF: Role[] = ['dispatcher', 'engineer', 'project_manager', 'quality_manager', 'reviewer', 'it_manager', 'integration'];
export const SIGNED_IN: Role[] = [...ROLES];
