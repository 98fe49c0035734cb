import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aptAdapter } from './apt';
import { dnfAdapter } from './dnf';
import { familyFromProbe } from './index';
import { windowsAdapter } from './windows';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'patch', name), 'utf8');

describe('apt adapter', () => {
  it('reads a simulated dist-upgrade', () => {
    expect(aptAdapter.parseScan(fixture('apt-simulate-bookworm.txt'))).toEqual([
      { name: 'libssl3', from: '3.0.11-1~deb12u2', to: '3.0.13-1~deb12u1', detail: 'amd64' },
      { name: 'openssl', from: '3.0.11-1~deb12u2', to: '3.0.13-1~deb12u1', detail: 'amd64' },
      { name: 'tzdata', from: '2024a-0+deb12u1', to: '2025b-0+deb12u1', detail: 'all' },
    ]);
  });
  it('pins versions to apply and to roll back, quoted', () => {
    expect(aptAdapter.apply([{ name: 'openssl', from: null, to: '3.0.13-1~deb12u1', detail: null }]).script).toMatch(/install --only-upgrade 'openssl=3\.0\.13-1~deb12u1'$/);
    expect(aptAdapter.rollback({ before: [{ name: 'openssl', version: '3.0.11-1~deb12u2' }], transactionId: null, updates: [] }).script).toMatch(/--allow-downgrades 'openssl=3\.0\.11-1~deb12u2'$/);
  });
  it('refuses package text from a host that could become a command', () => {
    expect(() => aptAdapter.apply([{ name: 'openssl;reboot', from: null, to: '1', detail: null }])).toThrow(/package name/);
    expect(() => aptAdapter.rollback({ before: [{ name: 'openssl', version: '1$(id)' }], transactionId: null, updates: [] })).toThrow(/version/);
  });
  it('reads dpkg-query, keeping installed packages only', () => {
    expect(aptAdapter.parseInstalled('openssl\t3.0.13-1~deb12u1\tii \nold\t1.0\trc \n')).toEqual([{ name: 'openssl', version: '3.0.13-1~deb12u1' }]);
  });
});

describe('dnf/yum adapter (recorded outputs; not yet met a real RPM host)', () => {
  it('reads dnf check-update on RHEL 8 with epochs', () => {
    const u = dnfAdapter.parseScan(fixture('dnf-check-update-rhel8.txt'));
    expect(u.map((x) => `${x.name} ${x.to}`)).toEqual([
      'bind-libs.x86_64 32:9.11.36-11.el8_9.1',
      'bind-libs-lite.x86_64 32:9.11.36-11.el8_9.1',
      'kernel.x86_64 4.18.0-513.24.1.el8_9',
      'openssl.x86_64 1:1.1.1k-12.el8_9',
      'python3-libselinux.x86_64 2.9-8.el8',
      'tzdata.noarch 2024a-1.el8',
    ]);
  });
  it('reads yum on CentOS 7: plugin noise, a wrapped long name, and stops at Obsoleting', () => {
    expect(dnfAdapter.parseScan(fixture('yum-check-update-centos7.txt')).map((x) => x.name)).toEqual(['NetworkManager.x86_64', 'java-1.8.0-openjdk-headless.x86_64', 'openssh-server.x86_64']);
  });
  it('reads Kylin V10 on aarch64', () => {
    expect(dnfAdapter.parseScan(fixture('dnf-check-update-kylin-v10.txt')).map((x) => x.name)).toEqual(['curl.aarch64', 'libcurl.aarch64', 'openssl-libs.aarch64']);
  });
  it('applies name-version.arch without the epoch and records the transaction to undo', () => {
    const script = dnfAdapter.apply([{ name: 'openssl.x86_64', from: null, to: '1:1.1.1k-12.el8_9', detail: null }]).script;
    expect(script).toContain("$PM -y upgrade 'openssl-1.1.1k-12.el8_9.x86_64'");
    expect(script).toContain('if command -v dnf');
    expect(dnfAdapter.parseApply(fixture('dnf-apply-openeuler.txt'))).toEqual({ transactionId: '23', rebootRequired: false });
    expect(dnfAdapter.rollback({ before: [], transactionId: '23', updates: [] }).script).toMatch(/\$PM -y history undo 23$/);
    expect(() => dnfAdapter.rollback({ before: [], transactionId: null, updates: [] })).toThrow(/no transaction/);
    expect(() => dnfAdapter.rollback({ before: [], transactionId: '23; reboot', updates: [] })).toThrow(/transaction id/);
  });
  it('treats check-update exit 100 as success', () => {
    expect(dnfAdapter.scan().okExitCodes).toEqual([100]);
  });
});

describe('Windows adapter (recorded outputs; not yet met a real Windows host)', () => {
  it('reads the update searcher as JSON, one object or many', () => {
    expect(windowsAdapter.parseScan(fixture('windows-scan-2019.json')).map((u) => u.name)).toEqual(['KB5034127', 'KB5034439', 'KB2267602']);
    expect(windowsAdapter.parseScan(fixture('windows-scan-single.json'))).toHaveLength(1);
    expect(windowsAdapter.parseScan('')).toEqual([]);
  });
  it('installs only the planned KBs and rolls back with wusa', () => {
    const apply = (windowsAdapter.apply([{ name: 'KB5034127', from: null, to: 'KB5034127', detail: null }]).script);
    expect(apply).toContain("$wanted = @('KB5034127')");
    expect(apply).toContain('CreateUpdateInstaller');
    expect(windowsAdapter.parseApply(fixture('windows-apply.json'))).toEqual({ transactionId: null, rebootRequired: true });
    const rollback = windowsAdapter.rollback({ before: [], transactionId: null, updates: [{ name: 'KB5034127', from: null, to: 'KB5034127', detail: null }] }).script;
    expect(rollback).toContain("@('KB5034127')");
    expect(rollback).toContain('wusa.exe');
    expect(() => windowsAdapter.apply([{ name: "KB1'; Restart-Computer; '", from: null, to: '', detail: null }])).toThrow(/KB/);
  });
});

describe('OS family from probing', () => {
  it('reads /etc/os-release', () => {
    expect(familyFromProbe('ID=debian\nID_LIKE=\n')).toBe('debian');
    expect(familyFromProbe('ID=kylin\nID_LIKE=\n')).toBe('rhel');
    expect(familyFromProbe('ID=openEuler\nID_LIKE=\n')).toBe('rhel');
    expect(familyFromProbe('ID=rocky\nID_LIKE="rhel centos fedora"\n')).toBe('rhel');
    expect(familyFromProbe('ID=ubuntu\nID_LIKE=debian\n')).toBe('debian');
    expect(familyFromProbe('Darwin\n')).toBeNull();
  });
});
