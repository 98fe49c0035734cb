import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RunningSlapd, startSlapd } from '../src/infra/testing/slapd';
import { loadSignInConfig } from '../src/infra/sign-in-config';
import { TestPlatform, startPlatform } from './support/platform';

/**
 * Issue 16: people sign in with a password (argon2id) or through the hospital's directory (a real slapd), get an
 * httpOnly SameSite cookie, send the CSRF token on changes, time out when idle and after the absolute limit, and a
 * name is locked after repeated failures. Tokens keep working for machines.
 */
const PASSWORD = 'Ward-line-2026!';

interface Jar {
  cookie: string | null;
  csrf: string | null;
}

describe('people sign in: sessions, CSRF, timeouts, lock-out, directory', () => {
  let p: TestPlatform;
  let ldap: RunningSlapd;

  const send = async (method: string, path: string, opts: { jar?: Jar; body?: unknown; csrf?: string | null; headers?: Record<string, string>; raw?: string } = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.jar?.cookie) headers.cookie = opts.jar.cookie;
    const csrf = opts.csrf !== undefined ? opts.csrf : opts.jar?.csrf;
    if (csrf) headers['x-csrf-token'] = csrf;
    if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${p.baseUrl}${path}`, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, setCookie: res.headers.get('set-cookie') };
  };
  const signIn = async (username: string, password: string) => {
    const res = await send('POST', '/auth/sign-in', { body: { username, password } });
    const jar: Jar = { cookie: res.setCookie ? res.setCookie.split(';')[0] : null, csrf: res.body?.csrfToken ?? null };
    return { ...res, jar };
  };
  const localUser = async (username: string, roles: string[]) => {
    const res = await p.call('POST', '/users', p.adminToken, { username, displayName: `用户${username}`, roles, password: PASSWORD });
    expect(res.status).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    ldap = await startSlapd({
      people: [
        { uid: 'zhao.li', displayName: '赵丽', password: 'Dir-secret-1', mail: 'zhao.li@hospital.test' },
        { uid: 'qian.gong', displayName: '钱工', password: 'Dir-secret-2' },
        { uid: 'sun.nogroup', displayName: '孙无组', password: 'Dir-secret-3' },
        { uid: 'local.owner', displayName: '目录同名者', password: 'Dir-secret-4' },
      ],
      groups: [
        { cn: 'it-dispatch', members: ['zhao.li'] },
        { cn: 'onsite-engineers', members: ['qian.gong', 'zhao.li'] },
        { cn: 'canteen', members: ['sun.nogroup'] },
        { cn: 'it-admins', members: ['local.owner'] },
      ],
    });
    const signIn = loadSignInConfig(
      {
        WARDLINE_SESSION_IDLE_SECONDS: '3',
        WARDLINE_SESSION_ABSOLUTE_SECONDS: '7',
        WARDLINE_SIGN_IN_MAX_FAILURES: '5',
        WARDLINE_SIGN_IN_LOCK_SECONDS: '4',
        WARDLINE_LDAP_URL: ldap.url,
        WARDLINE_LDAP_BASE_DN: ldap.baseDn,
        WARDLINE_LDAP_BIND_DN: ldap.bindDn,
        WARDLINE_LDAP_BIND_PASSWORD: ldap.bindPassword,
      },
      'http://localhost',
    );
    p = await startPlatform({ worker: false, config: { signIn } });
  });
  afterAll(async () => {
    await p?.stop();
    await ldap?.stop();
  });

  it('signs a local user in with an httpOnly SameSite cookie, and changes need the CSRF token (checked before the body is read)', async () => {
    const u = await localUser('wang.dd', ['dispatcher']);
    const stored = await p.ds.query(`SELECT password_hash FROM users WHERE id = $1`, [u.id]);
    expect(stored[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const ok = await signIn('Wang.DD', PASSWORD);
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({ username: 'wang.dd', roles: ['dispatcher'] });
    expect(ok.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(ok.setCookie).toMatch(/^wardline_session=wls_[A-Za-z0-9_-]+;/);
    expect(ok.setCookie).toContain('HttpOnly');
    expect(ok.setCookie).toContain('SameSite=Strict');
    expect(ok.setCookie).toContain('Path=/');
    expect(ok.setCookie).not.toContain('Secure'); // plain http on a hospital LAN unless the public URL is https

    const me = await send('GET', '/auth/session', { jar: ok.jar, csrf: null });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ via: 'session', authSource: 'local', csrfToken: ok.jar.csrf, user: { username: 'wang.dd' } });
    expect((await send('GET', '/incidents', { jar: ok.jar, csrf: null })).status).toBe(200);

    const report = { systemId: 'SYS-11', title: 'PACS 无法调阅', description: '放射科', reporter: { name: '李护士长', department: '放射科' }, priority: 'P3', channel: 'phone' };
    const noCsrf = await send('POST', '/cmdb/items', { jar: ok.jar, csrf: null, body: { type: 'server', name: 'x' } });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.code).toBe('CSRF_FAILED');
    const wrongCsrf = await send('POST', '/incidents', { jar: ok.jar, csrf: 'not-the-token-at-all-xxxxxx', body: report });
    expect(wrongCsrf.status).toBe(403);
    // Body-less unsafe requests go through the guard and need it too.
    expect((await send('POST', '/auth/sign-out', { jar: ok.jar, csrf: null })).body.code).toBe('CSRF_FAILED');

    // The edge refuses before reading: a body that would be far over the limit is never waited for.
    const big = await send('POST', '/cmdb/items', { jar: ok.jar, csrf: null, raw: 'x'.repeat(300_000), headers: { 'content-type': 'application/json' } });
    expect(big.status).toBe(403);

    // A bearer token is unaffected and needs no CSRF token.
    const t = await p.call('GET', '/me', p.adminToken);
    expect(t.body.tokenId).toBeTruthy();
    expect(t.body.sessionId).toBeNull();
    const bearerSession = await p.call('GET', '/auth/session', p.adminToken);
    expect(bearerSession.body).toMatchObject({ via: 'token', csrfToken: null });

    const out = await send('POST', '/auth/sign-out', { jar: ok.jar });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ signedOut: true });
    expect(out.setCookie).toContain('wardline_session=;');
    expect((await send('GET', '/auth/session', { jar: ok.jar })).status).toBe(401);
  });

  it('refuses a sign-in that is not JSON (login CSRF from another site’s form)', async () => {
    const res = await send('POST', '/auth/sign-in', { raw: `username=wang.dd&password=${encodeURIComponent(PASSWORD)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('SIGN_IN_NEEDS_JSON');
    expect(res.setCookie).toBeNull();
  });

  it('ends a session idle past the limit, and any session past the absolute limit however busy', async () => {
    await localUser('li.idle', ['engineer']);
    const idle = await signIn('li.idle', PASSWORD);
    expect(idle.body.idleTimeoutSeconds).toBe(3);
    await new Promise((r) => setTimeout(r, 3_300));
    const late = await send('GET', '/auth/session', { jar: idle.jar });
    expect(late.status).toBe(401);
    expect(late.body.code).toBe('SESSION_EXPIRED');

    // Reads the page makes by itself while nobody uses it (X-Wardline-Background) are answered but are not use.
    const unattended = await signIn('li.idle', PASSWORD);
    const started0 = Date.now();
    for (const at of [1_200, 2_400]) {
      await new Promise((r) => setTimeout(r, Math.max(0, at - (Date.now() - started0))));
      expect((await send('GET', '/incidents', { jar: unattended.jar, headers: { 'x-wardline-background': '1' } })).status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, 3_300 - (Date.now() - started0))));
    const left = await send('GET', '/incidents', { jar: unattended.jar, headers: { 'x-wardline-background': '1' } });
    expect(left.status).toBe(401);
    expect(left.body.code).toBe('SESSION_EXPIRED');

    const busy = await signIn('li.idle', PASSWORD);
    const started = Date.now();
    // Used every second: never idle, yet it ends 7 s after sign-in.
    while (Date.now() - started < 6_000) {
      expect((await send('GET', '/auth/session', { jar: busy.jar })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    await new Promise((r) => setTimeout(r, Math.max(0, 7_300 - (Date.now() - started))));
    const over = await send('GET', '/auth/session', { jar: busy.jar });
    expect(over.status).toBe(401);
    expect(over.body.code).toBe('SESSION_EXPIRED');
    const [row] = await p.ds.query(`SELECT ended_reason FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'li.idle' ORDER BY s.created_at DESC LIMIT 1`);
    expect(row.ended_reason).toBe('absolute_timeout');
  });

  it('locks a name after 5 failures (even the right password is refused), known or unknown, and lets it in after the lock', async () => {
    await localUser('zhou.lock', ['reviewer']);
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) answers.push((await signIn('zhou.lock', 'wrong-password')).status);
    expect(answers).toEqual([401, 401, 401, 401, 429]);
    const locked = await signIn('zhou.lock', PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('SIGN_IN_LOCKED');
    expect(locked.body.messageZh).toContain('已锁定');
    expect(locked.setCookie).toBeNull();

    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) unknown.push((await signIn('nobody.here', 'whatever')).status);
    expect(unknown).toEqual([401, 401, 401, 401, 429]);
    // The same words for a wrong password and an unknown name.
    const a = await signIn('zhou.other', 'x');
    await localUser('zhou.other', ['reviewer']);
    const b = await signIn('zhou.other', 'x');
    expect(a.body.messageEn).toBe(b.body.messageEn.replace('3 more', '4 more'));

    await new Promise((r) => setTimeout(r, 4_300));
    const after = await signIn('zhou.lock', PASSWORD);
    expect(after.status).toBe(200);
  });

  it('ends sessions when an administrator deactivates the person, and a password change ends the other sessions', async () => {
    const u = await localUser('feng.deact', ['engineer']);
    const first = await signIn('feng.deact', PASSWORD);
    const second = await signIn('feng.deact', PASSWORD);
    const changed = await send('POST', '/auth/password', { jar: first.jar, body: { currentPassword: PASSWORD, newPassword: 'Another-pass-2026' } });
    expect(changed.status).toBe(200);
    expect((await send('GET', '/auth/session', { jar: first.jar })).status).toBe(200);
    expect((await send('GET', '/auth/session', { jar: second.jar })).status).toBe(401);
    expect((await signIn('feng.deact', PASSWORD)).status).toBe(401);
    const wrongCurrent = await send('POST', '/auth/password', { jar: first.jar, body: { currentPassword: 'nope', newPassword: 'Third-pass-2026' } });
    expect(wrongCurrent.status).toBe(403);

    const off = await p.call('PATCH', `/users/${u.id}`, p.adminToken, { active: false });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await send('GET', '/auth/session', { jar: first.jar })).status).toBe(401);
    expect((await signIn('feng.deact', 'Another-pass-2026')).status).toBe(401);
    // Only administrators set passwords and roles.
    const eng = await p.user(['engineer']);
    expect((await p.call('PUT', `/users/${u.id}/password`, eng.token, { password: 'Yet-another-2026' })).status).toBe(403);
    expect((await p.call('PUT', `/users/${u.id}/password`, p.adminToken, { password: 'short' })).status).toBe(400);
  });

  it('signs a directory person in through slapd with the roles their groups map to, as data', async () => {
    const none = await signIn('zhao.li', 'Dir-secret-1');
    expect(none.status).toBe(403);
    expect(none.body.code).toBe('NO_MAPPED_ROLE');

    const mapped = await p.call('PUT', '/auth/directory/group-roles', p.adminToken, {
      mappings: [
        { groupDn: ldap.groupDn('it-dispatch'), role: 'dispatcher' },
        { groupDn: ldap.groupDn('onsite-engineers').toUpperCase().replace(/,/g, ', '), role: 'engineer' },
        { groupDn: ldap.groupDn('it-admins'), role: 'admin' },
      ],
    });
    expect(mapped.status).toBe(200);
    expect(mapped.body.configured).toBe(true);
    expect(mapped.body.mappings).toHaveLength(3);

    const zhao = await signIn('zhao.li', 'Dir-secret-1');
    expect(zhao.status).toBe(200);
    expect(zhao.body.user).toMatchObject({ username: 'zhao.li', displayName: '赵丽', roles: ['dispatcher', 'engineer'] });
    expect(zhao.body.authSource).toBe('directory');
    const [row] = await p.ds.query(`SELECT auth_source, directory_dn, email, password_hash FROM users WHERE username = 'zhao.li'`);
    expect(row).toMatchObject({ auth_source: 'directory', directory_dn: ldap.personDn('zhao.li'), email: 'zhao.li@hospital.test', password_hash: null });
    // The session works like any other: the dispatcher may list incidents.
    expect((await send('GET', '/incidents', { jar: zhao.jar })).status).toBe(200);

    expect((await signIn('qian.gong', 'wrong')).status).toBe(401);
    expect((await signIn('qian.gong', 'Dir-secret-2')).body.user.roles).toEqual(['engineer']);
    expect((await signIn('sun.nogroup', 'Dir-secret-3')).body.code).toBe('NO_MAPPED_ROLE');
    // A filter-injection attempt matches nobody.
    expect((await signIn('zhao*', 'Dir-secret-1')).status).toBe(401);

    // A local account is never taken over by a directory entry of the same name.
    await localUser('local.owner', ['quality_manager']);
    expect((await signIn('local.owner', 'Dir-secret-4')).status).toBe(401);
    expect((await signIn('local.owner', PASSWORD)).body.user.roles).toEqual(['quality_manager']);

    // Roles follow the mapping at the next sign-in; an administrator cannot hand-edit them.
    await p.call('PUT', '/auth/directory/group-roles', p.adminToken, { mappings: [{ groupDn: ldap.groupDn('it-dispatch'), role: 'reviewer' }] });
    expect((await signIn('zhao.li', 'Dir-secret-1')).body.user.roles).toEqual(['reviewer']);
    const zhaoRow = (await p.call('GET', '/users', p.adminToken)).body.find((u: any) => u.username === 'zhao.li');
    expect(zhaoRow.authSource).toBe('directory');
    expect((await p.call('PATCH', `/users/${zhaoRow.id}`, p.adminToken, { roles: ['admin'] })).body.code).toBe('DIRECTORY_ACCOUNT');
  });

  it('says so when the directory cannot be reached, and counts that as no failure', async () => {
    expect((await signIn('qian.gong', 'wrong-again')).status).toBe(401);
    await ldap.stop();
    const res = await signIn('qian.gong', 'Dir-secret-2');
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('DIRECTORY_UNAVAILABLE');
    const [row] = await p.ds.query(`SELECT failures FROM sign_in_failures WHERE username = 'qian.gong'`);
    expect(row.failures).toBe(1); // the wrong password just before, not this
  });
});
