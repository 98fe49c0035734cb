import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Role } from './roles';

export const ROLES_KEY = 'wardline:roles';
export const PUBLIC_KEY = 'wardline:public';

/** The roles that may call a route; admin always may. A route without this (or @Public) is refused. */
export const Allow = (...roles: Role[]) =>
  applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'no valid bearer token' }),
    ApiForbiddenResponse({ description: `needs one of: ${['admin', ...roles].join(', ')}` }),
  );

/** For routes with no data behind them (liveness, static pages and scripts) or with a credential of their own (one-time links). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
