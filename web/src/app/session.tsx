import { createContext, useContext } from 'react';

/** The signed-in person as GET /auth/session tells it (roles decide the menu; the API decides what is allowed). */
export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
}

export interface SessionState {
  user: SessionUser;
  authSource: string | null;
  expiresAt: string | null;
  idleTimeoutSeconds: number;
}

export const SessionContext = createContext<{
  session: SessionState | null;
  signedIn(s: SessionState, csrf: string | null): void;
  signOut(): Promise<void>;
}>({ session: null, signedIn: () => undefined, signOut: async () => undefined });

export const useSession = () => useContext(SessionContext);

/** Whether the person holds any of the roles (the administrator holds them all, as the API's holdsAny says). */
export function holds(session: SessionState | null, ...roles: string[]): boolean {
  const mine = session?.user.roles ?? [];
  return mine.includes('admin') || roles.some((r) => mine.includes(r));
}

export const ROLE_NAMES: Record<string, [string, string]> = {
  dispatcher: ['调度员', 'Dispatcher'],
  engineer: ['驻场工程师', 'Engineer'],
  project_manager: ['项目经理', 'Project manager'],
  quality_manager: ['质量经理', 'Quality manager'],
  reviewer: ['审核人', 'Reviewer'],
  it_manager: ['信息科主任', 'IT manager'],
  vendor_contact: ['原厂联系人', 'Vendor contact'],
  integration: ['系统集成', 'Integration'],
  admin: ['管理员', 'Administrator'],
};
