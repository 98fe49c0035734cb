import { ROLES, Role } from '../../domain/roles';

/** Who may act, by role (the list lives in the domain so workflows check the same rules). */
export { ROLES };
export type { Role };

/** Everyone who works the service day to day; original vendors' contacts see only their own vendor's escalations. */
export const STAFF: Role[] = ['dispatcher', 'engineer', 'project_manager', 'quality_manager', 'reviewer', 'it_manager', 'integration'];
export const SIGNED_IN: Role[] = [...ROLES];
