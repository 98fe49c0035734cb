import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '../net';

/**
 * A throwaway directory for the sign-in tests (issue 16): Debian's slapd with its own cn=config, an mdb database
 * under a temp folder, on a free loopback port. People and groups are loaded with slapadd before it starts; a
 * service account (simple bind) searches like the hospital's AD account would. Nothing of the machine's LDAP.
 */
export interface DirectoryPersonSeed {
  uid: string;
  displayName: string;
  password: string;
  mail?: string;
}

export interface DirectoryGroupSeed {
  cn: string;
  members: string[];
}

export interface RunningSlapd {
  url: string;
  baseDn: string;
  bindDn: string;
  bindPassword: string;
  personDn(uid: string): string;
  groupDn(cn: string): string;
  stop(): Promise<void>;
}

export function slapdTools(): Record<'slapd' | 'slapadd' | 'slappasswd', string> {
  const script = [join(__dirname, '..', '..', '..', 'scripts'), join(__dirname, '..', '..', '..', '..', 'scripts')]
    .map((dir) => join(dir, 'ensure-slapd.sh'))
    .find((path) => existsSync(path));
  if (!script) throw new Error('scripts/ensure-slapd.sh not found');
  const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return Object.fromEntries(out.trim().split('\n').map((l) => l.split('=') as [string, string])) as Record<'slapd' | 'slapadd' | 'slappasswd', string>;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export async function startSlapd(seed: { people: DirectoryPersonSeed[]; groups: DirectoryGroupSeed[] }): Promise<RunningSlapd> {
  const tools = slapdTools();
  const dir = mkdtempSync(join(tmpdir(), 'wardline-slapd-'));
  const baseDn = 'dc=hospital,dc=test';
  const bindDn = `cn=wardline,ou=services,${baseDn}`;
  const bindPassword = randomBytes(12).toString('hex');
  const personDn = (uid: string) => `uid=${uid},ou=people,${baseDn}`;
  const groupDn = (cn: string) => `cn=${cn},ou=groups,${baseDn}`;
  const hash = (pw: string) => execFileSync(tools.slappasswd, ['-h', '{SSHA}', '-T', writeSecret(dir, pw)], { encoding: 'utf8' }).trim();
  mkdirSync(join(dir, 'slapd.d'));
  mkdirSync(join(dir, 'db'));
  const modulePath = ['/usr/lib/ldap', '/usr/lib/x86_64-linux-gnu/ldap', '/usr/lib64/openldap'].find((p) => existsSync(join(p, 'back_mdb.la')) || existsSync(join(p, 'back_mdb.so'))) ?? '/usr/lib/ldap';
  const config = [
    `dn: cn=config\nobjectClass: olcGlobal\ncn: config\nolcPidFile: ${join(dir, 'slapd.pid')}\n`,
    `dn: cn=module{0},cn=config\nobjectClass: olcModuleList\ncn: module{0}\nolcModulePath: ${modulePath}\nolcModuleLoad: back_mdb\n`,
    `dn: cn=schema,cn=config\nobjectClass: olcSchemaConfig\ncn: schema\n`,
    ...['core', 'cosine', 'inetorgperson'].map((s) => `include: file:///etc/ldap/schema/${s}.ldif\n`),
    `dn: olcDatabase={-1}frontend,cn=config\nobjectClass: olcDatabaseConfig\nobjectClass: olcFrontendConfig\nolcDatabase: {-1}frontend\n`,
    `dn: olcDatabase={0}config,cn=config\nobjectClass: olcDatabaseConfig\nolcDatabase: {0}config\nolcAccess: {0}to * by * none\n`,
    [
      `dn: olcDatabase={1}mdb,cn=config`,
      `objectClass: olcDatabaseConfig`,
      `objectClass: olcMdbConfig`,
      `olcDatabase: {1}mdb`,
      `olcSuffix: ${baseDn}`,
      `olcDbDirectory: ${join(dir, 'db')}`,
      `olcDbMaxSize: 16777216`,
      `olcRootDN: cn=admin,${baseDn}`,
      `olcRootPW: ${hash(randomBytes(12).toString('hex'))}`,
      // Passwords are for binding only; the service account may search people and groups, like an AD reader.
      `olcAccess: {0}to attrs=userPassword by anonymous auth by self write by * none`,
      `olcAccess: {1}to * by dn.exact="${bindDn}" read by self read by * none`,
      '',
    ].join('\n'),
  ].join('\n');
  writeFileSync(join(dir, 'config.ldif'), config);
  execFileSync(tools.slapadd, ['-n', '0', '-F', join(dir, 'slapd.d'), '-l', join(dir, 'config.ldif')], { stdio: ['ignore', 'ignore', 'pipe'] });

  const entries = [
    `dn: ${baseDn}\nobjectClass: dcObject\nobjectClass: organization\ndc: hospital\no:: ${b64('测试医院')}\n`,
    `dn: ou=people,${baseDn}\nobjectClass: organizationalUnit\nou: people\n`,
    `dn: ou=groups,${baseDn}\nobjectClass: organizationalUnit\nou: groups\n`,
    `dn: ou=services,${baseDn}\nobjectClass: organizationalUnit\nou: services\n`,
    `dn: ${bindDn}\nobjectClass: applicationProcess\nobjectClass: simpleSecurityObject\ncn: wardline\nuserPassword: ${hash(bindPassword)}\n`,
    ...seed.people.map((p) =>
      [
        `dn: ${personDn(p.uid)}`,
        'objectClass: inetOrgPerson',
        `uid: ${p.uid}`,
        `cn:: ${b64(p.displayName)}`,
        `sn:: ${b64(p.displayName.slice(0, 1))}`,
        `displayName:: ${b64(p.displayName)}`,
        ...(p.mail ? [`mail: ${p.mail}`] : []),
        `userPassword: ${hash(p.password)}`,
        '',
      ].join('\n'),
    ),
    ...seed.groups.map((g) => [`dn: ${groupDn(g.cn)}`, 'objectClass: groupOfNames', `cn: ${g.cn}`, ...g.members.map((m) => `member: ${personDn(m)}`), ''].join('\n')),
  ].join('\n');
  writeFileSync(join(dir, 'data.ldif'), entries);
  execFileSync(tools.slapadd, ['-n', '1', '-F', join(dir, 'slapd.d'), '-l', join(dir, 'data.ldif')], { stdio: ['ignore', 'ignore', 'pipe'] });

  const port = await freePort();
  // -d 0: stay in the foreground (no fork), so the test owns the process and stops it.
  const child: ChildProcess = spawn(tools.slapd, ['-d', '0', '-h', `ldap://127.0.0.1:${port}/`, '-F', join(dir, 'slapd.d')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor(
      'slapd',
      () =>
        new Promise<void>((resolve, reject) => {
          if (child.exitCode !== null) return reject(new Error(`slapd exited: ${stderr}`));
          const s = new Socket();
          s.once('error', reject);
          s.connect(port, '127.0.0.1', () => {
            s.destroy();
            resolve();
          });
        }),
      20_000,
    );
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `ldap://127.0.0.1:${port}`,
    baseDn,
    bindDn,
    bindPassword,
    personDn,
    groupDn,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** slappasswd reads the secret from a file (-T), so it never shows on a command line. */
function writeSecret(dir: string, secret: string): string {
  const path = join(dir, `secret-${randomBytes(4).toString('hex')}`);
  writeFileSync(path, secret, { mode: 0o600 });
  return path;
}
