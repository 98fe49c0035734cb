import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Role } from './roles';

export interface Principal {
  userId: string;
  username: string;
  displayName: string;
  roles: Role[];
  /** The API token used (machines), or null for a person's session. */
  tokenId: string | null;
  /** The browser session used (people, issue 16), or null for a token. */
  sessionId: string | null;
}

export interface AuthedRequest {
  principal?: Principal;
  headers: Record<string, string | string[] | undefined>;
}

/** The signed-in user, set by the AuthGuard; services take it first (STYLE.md). */
export const Auth = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<AuthedRequest>();
  if (!req.principal) throw new Error('Auth used on a route the AuthGuard did not authenticate');
  return req.principal;
});
