import { Client, InvalidCredentialsError, escapeFilter } from 'ldapts';
import type { DirectoryConfig } from '../../infra/sign-in-config';

/** Who the directory says signed in: the entry's DN, names and every group it belongs to. */
export interface DirectoryPerson {
  dn: string;
  username: string;
  displayName: string;
  email: string | null;
  phone: string | null;
  groups: string[];
}

/** The port: a person's password checked by the hospital's directory (issue 16; hospitals run AD). */
export interface Directory {
  /** The person when the directory accepts the password; null when the name is unknown or the password wrong. */
  authenticate(username: string, password: string): Promise<DirectoryPerson | null>;
}

export class DirectoryUnavailableError extends Error {}

const first = (v: unknown): string | null => {
  const x = Array.isArray(v) ? v[0] : v;
  if (x === undefined || x === null) return null;
  return Buffer.isBuffer(x) ? x.toString('utf8') : String(x);
};
const all = (v: unknown): string[] => (v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x))));
/** An attribute value inside a filter: RFC 4515 escaping by ldapts (a one-value template). */
const escaped = (value: string) => escapeFilter`${value}`;

/** LDAP v3 simple bind through ldapts: search the person with the service account, then bind as them. */
export class LdapDirectory implements Directory {
  constructor(private readonly config: DirectoryConfig) {}

  async authenticate(username: string, password: string): Promise<DirectoryPerson | null> {
    // An empty password is an "unauthenticated bind" that many servers accept as success (RFC 4513 5.1.2).
    if (!password) return null;
    const client = this.client();
    try {
      await this.start(client);
      if (this.config.bindDn) await client.bind(this.config.bindDn, this.config.bindPassword ?? '');
      const { searchEntries } = await client.search(this.config.baseDn, {
        scope: 'sub',
        filter: this.config.userFilter.replaceAll('{username}', escaped(username)),
        attributes: ['dn', 'uid', 'sAMAccountName', 'cn', 'displayName', 'mail', 'telephoneNumber', 'mobile', 'memberOf'],
        sizeLimit: 2,
      });
      // None: unknown; two: the filter is ambiguous, and signing in as either would be a guess.
      if (searchEntries.length !== 1) return null;
      const entry = searchEntries[0];
      const person = this.client();
      try {
        await this.start(person);
        await person.bind(entry.dn, password);
      } catch (err) {
        if (err instanceof InvalidCredentialsError) return null;
        throw err;
      } finally {
        await person.unbind().catch(() => undefined);
      }
      const groups = new Set(all(entry.memberOf));
      const found = await client.search(this.config.groupBaseDn, {
        scope: 'sub',
        filter: this.config.groupFilter.replaceAll('{dn}', escaped(entry.dn)),
        attributes: ['dn'],
        sizeLimit: 500,
      });
      for (const g of found.searchEntries) groups.add(g.dn);
      return {
        dn: entry.dn,
        username: first(entry.uid) ?? first(entry.sAMAccountName) ?? username,
        displayName: first(entry.displayName) ?? first(entry.cn) ?? username,
        email: first(entry.mail),
        phone: first(entry.telephoneNumber) ?? first(entry.mobile),
        groups: [...groups],
      };
    } catch (err) {
      if (err instanceof InvalidCredentialsError) throw new DirectoryUnavailableError('the directory refused the service account (WARDLINE_LDAP_BIND_DN/PASSWORD)');
      throw new DirectoryUnavailableError(err instanceof Error ? err.message : String(err));
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  private client(): Client {
    return new Client({
      url: this.config.url,
      timeout: this.config.timeoutMs,
      connectTimeout: this.config.timeoutMs,
      // ldapts speaks TLS whenever tlsOptions is given: only for ldaps:// (StartTLS passes its own).
      ...(this.config.url.startsWith('ldaps:') ? { tlsOptions: { rejectUnauthorized: this.config.rejectUnauthorized } } : {}),
    });
  }

  private async start(client: Client): Promise<void> {
    if (this.config.startTls) await client.startTLS({ rejectUnauthorized: this.config.rejectUnauthorized });
  }
}

/** Group DNs compared the way directories do: case-insensitive, spaces around separators ignored. */
export function normalizeDn(dn: string): string {
  return dn
    .split(',')
    .map((rdn) => rdn.split('=').map((p) => p.trim()).join('='))
    .join(',')
    .toLowerCase();
}
