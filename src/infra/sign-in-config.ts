import { invalidInput } from '../domain/errors';

/** The hospital's directory (LDAP / Active Directory) for people's sign-in; group → role mapping is data, not here. */
export interface DirectoryConfig {
  /** ldap://host:389 or ldaps://host:636 (WARDLINE_LDAP_URL). */
  url: string;
  /** The service account that looks people up (AD refuses anonymous search); unset: anonymous search. */
  bindDn: string | undefined;
  bindPassword: string | undefined;
  /** Where people are searched (WARDLINE_LDAP_BASE_DN), e.g. `ou=people,dc=hospital,dc=cn`. */
  baseDn: string;
  /** `{username}` is replaced by the escaped name; the default fits OpenLDAP (uid) and AD (sAMAccountName). */
  userFilter: string;
  /** Where groups are searched (defaults to baseDn) and how; `{dn}` is the escaped person's DN. `memberOf` on the entry counts too. */
  groupBaseDn: string;
  groupFilter: string;
  startTls: boolean;
  /** Shorter than a sign-in request may wait. */
  timeoutMs: number;
  /** ldaps/StartTLS: refuse a certificate the machine does not trust (WARDLINE_LDAP_REJECT_UNAUTHORIZED=false only for a lab). */
  rejectUnauthorized: boolean;
}

/** People's sign-in (issue 16): session timeouts, lock-out after failures, the cookie, the directory. */
export interface SignInConfig {
  /** A session unused this long ends (WARDLINE_SESSION_IDLE_SECONDS, 30 min). */
  idleSeconds: number;
  /** A session ends this long after sign-in whatever happens (WARDLINE_SESSION_ABSOLUTE_SECONDS, 12 h: one shift). */
  absoluteSeconds: number;
  /** This many failed sign-ins of one name within the window lock it (WARDLINE_SIGN_IN_MAX_FAILURES, 5)… */
  maxFailures: number;
  failureWindowSeconds: number;
  /** …for this long (WARDLINE_SIGN_IN_LOCK_SECONDS, 15 min). */
  lockSeconds: number;
  /** Secure cookies: `WARDLINE_COOKIE_SECURE`, else true when WARDLINE_PUBLIC_URL is https (a hospital LAN may serve plain http). */
  cookieSecure: boolean;
  directory: DirectoryConfig | undefined;
}

export const SESSION_COOKIE = 'wardline_session';
export const CSRF_HEADER = 'x-csrf-token';
/**
 * Sent by the console on reads it makes by itself while the person is not using the page (a board refreshing every few
 * seconds): such a read is answered but does not count as use, so the idle timeout still ends an unattended session.
 */
export const BACKGROUND_HEADER = 'x-wardline-background';

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw invalidInput(name, 'must be a positive whole number');
  return n;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!['true', 'false'].includes(value)) throw invalidInput(name, 'must be true or false');
  return value === 'true';
}

export function loadSignInConfig(env: NodeJS.ProcessEnv, publicUrl: string): SignInConfig {
  const url = env.WARDLINE_LDAP_URL || undefined;
  if (url && !/^ldaps?:\/\//.test(url)) throw invalidInput('WARDLINE_LDAP_URL', 'must start with ldap:// or ldaps://');
  if (url && !env.WARDLINE_LDAP_BASE_DN) throw invalidInput('WARDLINE_LDAP_BASE_DN', 'is needed with WARDLINE_LDAP_URL');
  const baseDn = env.WARDLINE_LDAP_BASE_DN ?? '';
  return {
    idleSeconds: seconds(env, 'WARDLINE_SESSION_IDLE_SECONDS', 30 * 60),
    absoluteSeconds: seconds(env, 'WARDLINE_SESSION_ABSOLUTE_SECONDS', 12 * 3600),
    maxFailures: seconds(env, 'WARDLINE_SIGN_IN_MAX_FAILURES', 5),
    failureWindowSeconds: seconds(env, 'WARDLINE_SIGN_IN_FAILURE_WINDOW_SECONDS', 15 * 60),
    lockSeconds: seconds(env, 'WARDLINE_SIGN_IN_LOCK_SECONDS', 15 * 60),
    cookieSecure: flag(env, 'WARDLINE_COOKIE_SECURE', publicUrl.startsWith('https:')),
    directory: url
      ? {
          url,
          bindDn: env.WARDLINE_LDAP_BIND_DN || undefined,
          bindPassword: env.WARDLINE_LDAP_BIND_PASSWORD || undefined,
          baseDn,
          userFilter: env.WARDLINE_LDAP_USER_FILTER || '(&(|(objectClass=person)(objectClass=user))(|(uid={username})(sAMAccountName={username})))',
          groupBaseDn: env.WARDLINE_LDAP_GROUP_BASE_DN || baseDn,
          groupFilter: env.WARDLINE_LDAP_GROUP_FILTER || '(|(&(objectClass=groupOfNames)(member={dn}))(&(objectClass=groupOfUniqueNames)(uniqueMember={dn}))(&(objectClass=group)(member={dn})))',
          startTls: flag(env, 'WARDLINE_LDAP_STARTTLS', false),
          timeoutMs: seconds(env, 'WARDLINE_LDAP_TIMEOUT_MS', 5000),
          rejectUnauthorized: flag(env, 'WARDLINE_LDAP_REJECT_UNAUTHORIZED', true),
        }
      : undefined,
  };
}
