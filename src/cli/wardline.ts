import 'reflect-metadata';
import { ROLES, Role } from '../api/auth/roles';
import { loadConfig, requireSetting } from '../config';
import { openDatabase } from '../persistence/data-source';
import { verifyLedger } from '../persistence/records/ledger';
import { bootstrapAdmin, bootstrapAdminPassword, issueToken, revokeToken, setUserPassword } from '../persistence/users-store';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../infra/passwords';

const USAGE = `usage: wardline <command>
  migrate                                       apply the database migrations (and create the first admin)
  user create <username> <display name> <role,role…>
  user password <username>                      set a local user's console password (read from WARDLINE_NEW_PASSWORD)
  token create <username> <token name>          print a new API token for a user (shown once)
  token revoke <token id>
  records verify                                recompute the maintenance-record ledger (S14); exit 3 naming the first bad entry
Needs DATABASE_URL.`;

/** Admin commands for operators and automation; the same operations exist in the API for admins. */
async function main(argv: string[]): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === 'help') {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  const config = loadConfig();
  const ds = await openDatabase(requireSetting(config.databaseUrl, 'DATABASE_URL'), { migrate: cmd === 'migrate' });
  try {
    if (cmd === 'migrate') {
      const token = await bootstrapAdmin(ds, config.adminToken);
      const password = await bootstrapAdminPassword(ds, process.env.WARDLINE_ADMIN_PASSWORD || undefined);
      console.log('migrations applied');
      if (token) console.log(`admin token: ${token}`);
      if (password) console.log(`admin console password: ${password}`);
      return 0;
    }
    if (cmd === 'user' && sub === 'create' && rest.length === 3) {
      const [username, displayName, roleList] = rest;
      const roles = roleList.split(',') as Role[];
      const bad = roles.filter((r) => !ROLES.includes(r));
      if (bad.length) throw new Error(`unknown roles: ${bad.join(', ')}; known: ${ROLES.join(', ')}`);
      const [row] = await ds.query(`INSERT INTO users (username, display_name, roles) VALUES ($1, $2, $3) RETURNING id`, [username, displayName, roles]);
      console.log(row.id);
      return 0;
    }
    if (cmd === 'user' && sub === 'password' && rest.length === 1) {
      // From the environment, not argv: a password on the command line is visible to every user of the machine (ps).
      const password = process.env.WARDLINE_NEW_PASSWORD ?? '';
      if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) throw new Error(`set WARDLINE_NEW_PASSWORD to ${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} characters`);
      if (!(await setUserPassword(ds, rest[0], password))) throw new Error(`no local user ${rest[0]}`);
      console.log(`password set for ${rest[0]}; their sessions ended`);
      return 0;
    }
    if (cmd === 'token' && sub === 'create' && rest.length === 2) {
      const [user] = await ds.query(`SELECT id FROM users WHERE username = $1`, [rest[0]]);
      if (!user) throw new Error(`no user ${rest[0]}`);
      const issued = await issueToken(ds, user.id, rest[1]);
      console.log(JSON.stringify({ id: issued.id, token: issued.token }));
      return 0;
    }
    if (cmd === 'token' && sub === 'revoke' && rest.length === 1) {
      if (!(await revokeToken(ds, rest[0]))) throw new Error(`no active token ${rest[0]}`);
      console.log(`revoked ${rest[0]}`);
      return 0;
    }
    if (cmd === 'records' && sub === 'verify' && rest.length === 0) {
      const result = await verifyLedger(ds);
      if (result.ok) {
        console.log(`ledger intact: ${result.entries} entries, head ${result.head ? `#${result.head.seq} ${result.head.hash}` : '(empty)'}`);
        return 0;
      }
      const bad = result.firstBad!;
      const [rec] = bad.recordId ? await ds.query(`SELECT number FROM maintenance_records WHERE id = $1`, [bad.recordId]) : [];
      console.log(`ledger broken at entry #${bad.seq} (record ${rec?.number ?? bad.recordId ?? '?'}): ${bad.reason} expected ${bad.expected}, found ${bad.found}`);
      return 3;
    }
    console.error(USAGE);
    return 2;
  } finally {
    await ds.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
