import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AptHost, aptHost, buildAptRepo, setAptVersion } from '../src/infra/testing/apt-host';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { suiteReceiver } from './support/receivers';
import { waitUntil } from './support/workflow-input';

/**
 * 补丁推送安装 with real apt (P5): a package repository built here with dpkg-deb (one package in two versions),
 * and each "host" an sshd endpoint whose session points apt and dpkg at a private root (APT_CONFIG, DPKG_ROOT,
 * DPKG_ADMINDIR through sshd's SetEnv). apt really upgrades and really rolls back; the machine's own dpkg
 * database is never touched.
 */
const PKG = `wl-demo-${randomBytes(3).toString('hex')}`;

describe('patching with apt on real sshd endpoints', () => {
  let p: TestPlatform;
  let engineer: TestUser;
  let reviewer: TestUser;
  let itManager: TestUser;
  let base: string;
  const hosts: AptHost[] = [];
  const items: string[] = [];
  const health = suiteReceiver(() => ({ status: 200, body: { ok: true } }));
  const hour = 3_600_000;
  const machineHasPkg = () => spawnSync('dpkg-query', ['-W', PKG]).status === 0;

  const setVersion = async (h: AptHost, version: string) => {
    await setAptVersion(h, PKG, version);
    expect(h.version()).toBe(version);
  };
  const change = async (start: number, end: number) => {
    const c = await p.call('POST', '/changes', engineer.token, {
      systemId: 'SYS-11',
      kind: 'normal',
      title: `${PKG} 安全更新`,
      reason: '季度补丁',
      dialect: 'postgresql',
      forwardScript: 'SELECT 1;',
      rollbackScript: '',
      objects: [],
      risk: 'low',
      window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
    });
    expect(c.status).toBe(201);
    return c.body.number as string;
  };
  const approve = async (n: string) => expect((await p.call('POST', `/changes/${n}/review`, reviewer.token, { decision: 'approve' })).body.state).toBe('approved');
  const ended = (id: string): Promise<any> =>
    waitUntil(`patch run ${id}`, async () => {
      const r = await p.call('GET', `/patch/runs/${id}`, engineer.token);
      return r.body.finishedAt ? r.body : null;
    }, 120_000);

  beforeAll(async () => {
    expect(machineHasPkg()).toBe(false);
    base = mkdtempSync(join(tmpdir(), 'wardline-apt-'));
    chmodSync(base, 0o755);
    buildAptRepo(join(base, 'repo'), PKG);
    hosts.push(await aptHost(base, join(base, 'repo'), PKG, '127.0.31.1'), await aptHost(base, join(base, 'repo'), PKG, '127.0.32.1'));
    p = await startPlatform();
    engineer = await p.user(['engineer'], '驻场王工');
    reviewer = await p.user(['reviewer'], '信息科评审');
    itManager = await p.user(['it_manager'], '信息科主任');
    for (const [i, h] of hosts.entries()) {
      await setVersion(h, '1.0.0');
      expect((await p.call('POST', '/ssh/credentials', itManager.token, { name: `apt-${i}`, username: h.fleet.username, kind: 'key', privateKey: h.fleet.privateKey })).status).toBe(201);
      expect((await p.call('POST', '/ssh/host-keys', itManager.token, { host: h.fleet.hosts[0].address, port: h.fleet.port, publicKey: h.fleet.hostPublicKey })).status).toBe(201);
      const item = await p.call('POST', '/cmdb/items', engineer.token, {
        type: 'server',
        name: `his-db-${i}`,
        displayName: `HIS 数据库 ${i}`,
        attributes: { os: 'Debian GNU/Linux 12', osFamily: 'debian', environment: 'production', ip: h.fleet.hosts[0].address, sshPort: h.fleet.port, sshCredential: `apt-${i}` },
      });
      items.push(item.body.id);
    }
  }, 240_000);
  afterAll(async () => {
    await p?.stop();
    for (const h of hosts) await h.fleet.stop();
    if (base) rmSync(base, { recursive: true, force: true });
    // The machine's own package database never saw the test's package.
    expect(machineHasPkg()).toBe(false);
  });

  it('refuses a patch run without an approved change (S4)', async () => {
    const none = await p.call('POST', '/patch/runs', engineer.token, { targets: { itemIds: items } });
    expect(none.status).toBe(400);
    expect(none.body.errors[0].field).toBe('changeId');
    const n = await change(Date.now() - hour, Date.now() + hour);
    const pending = await p.call('POST', '/patch/runs', engineer.token, { targets: { itemIds: items }, changeId: n });
    expect(pending.status).toBe(409);
    expect(pending.body.message).toContain('not approved');
  });

  it('scans, plans, patches the canary, verifies, then the next batch: apt really upgrades', async () => {
    const n = await change(Date.now() - hour, Date.now() + hour);
    await approve(n);
    const res = await p.call('POST', '/patch/runs', engineer.token, {
      targets: { itemIds: items },
      changeId: n,
      include: ['wl-demo-*'],
      canaries: 1,
      batch: { size: 1 },
      parallelism: 1,
      verification: { kind: 'command', script: `test "$(cat "$DPKG_ROOT/usr/share/${PKG}/VERSION")" = 1.1.0` },
      commandTimeoutSeconds: 120,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'patch', change: { number: n }, production: true, readOnly: false });
    const done = await ended(res.body.id);
    expect(done.state).toBe('succeeded');
    expect(done.counts).toMatchObject({ total: 2, succeeded: 2, failed: 0 });
    expect(done.hosts.map((h: any) => h.batch)).toEqual([0, 1]);
    for (const h of done.hosts) {
      expect(h.data.plan).toEqual([{ name: PKG, from: '1.0.0', to: '1.1.0', detail: 'all' }]);
      expect(h.data.before).toEqual([{ name: PKG, version: '1.0.0' }]);
      expect(h.data.after).toEqual([{ name: PKG, version: '1.1.0' }]);
      expect(h.data.verify).toEqual({ ok: true, message: 'verification command passed' });
    }
    expect(hosts.map((h) => h.version())).toEqual(['1.1.0', '1.1.0']);
    const events = done.events.map((e: any) => e.type);
    expect(events.filter((t: string) => t === 'batch_started')).toHaveLength(2);
  });

  it('a failed verification on the canary rolls it back with apt and stops the run; the next batch is never touched', async () => {
    for (const h of hosts) await setVersion(h, '1.0.0');
    health.reply = () => ({ status: 503, body: { ok: false } });
    const n = await change(Date.now() - hour, Date.now() + hour);
    await approve(n);
    const res = await p.call('POST', '/patch/runs', engineer.token, {
      targets: { itemIds: items },
      changeId: n,
      canaries: 1,
      batch: { size: 1 },
      verification: { kind: 'http', url: `${health.base}/health?host={ip}` },
      commandTimeoutSeconds: 120,
    });
    expect(res.status).toBe(201);
    const done = await ended(res.body.id);
    expect(done.state).toBe('rolled_back');
    expect(done.stopReason).toContain('rolled back');
    const [canary, next] = done.hosts;
    expect(canary).toMatchObject({ status: 'failed', data: { verify: { ok: false }, rollback: { ok: true, message: 'rolled back' }, afterRollback: [{ name: PKG, version: '1.0.0' }] } });
    expect(next.status).toBe('skipped');
    expect(hosts.map((h) => h.version())).toEqual(['1.0.0', '1.0.0']);
    expect(health.requests.map((r) => r.url.searchParams.get('host'))).toEqual([hosts[0].fleet.hosts[0].address]);
  });

  it('applies nothing before the change window opens, then patches inside it (S4)', async () => {
    for (const h of hosts) await setVersion(h, '1.0.0');
    const opens = Date.now() + 6000;
    const n = await change(opens, opens + hour);
    await approve(n);
    const res = await p.call('POST', '/patch/runs', engineer.token, { targets: { itemIds: [items[0]] }, changeId: n, commandTimeoutSeconds: 120 });
    expect(res.status).toBe(201);
    // Scanned and planned at once, but not applied before the window.
    await waitUntil('the scan', async () => ((await p.call('GET', `/patch/runs/${res.body.id}`, engineer.token)).body.hosts[0].data.plan ? true : null), 60_000);
    expect(Date.now()).toBeLessThan(opens);
    expect(hosts[0].version()).toBe('1.0.0');
    const done = await ended(res.body.id);
    expect(done.state).toBe('succeeded');
    expect(new Date(done.hosts[0].startedAt).getTime()).toBeGreaterThanOrEqual(opens - 1000);
    expect(hosts[0].version()).toBe('1.1.0');
  });
});


