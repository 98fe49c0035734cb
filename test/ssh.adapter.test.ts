import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { SshEndpoint, SshRunOptions, runSsh, scanHostKey } from '../src/adapters/ssh/ssh-client';
import { bashInvocation } from '../src/adapters/ssh/script';
import { SshdFleet, loopbackAddresses, startSshdFleet } from '../src/infra/testing/sshd-fleet';
import { freePort } from '../src/infra/net';

/** The SSH port against Debian's sshd on loopback addresses (P5): success, and every failure kind the issue names. */
describe('ssh adapter on real sshd endpoints', () => {
  let fleet: SshdFleet;
  const addresses = loopbackAddresses(3, 11);
  const options: SshRunOptions = { connectTimeoutMs: 5000, commandTimeoutMs: 10_000 };
  const endpoint = (address: string, over: Partial<SshEndpoint> = {}): SshEndpoint => ({
    host: address,
    port: fleet.port,
    username: fleet.username,
    auth: { kind: 'key', privateKey: fleet.privateKey },
    pinnedFingerprint: fleet.hostFingerprint,
    ...over,
  });

  beforeAll(async () => {
    fleet = await startSshdFleet({ addresses });
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it('runs a command with a private key and reports exit code, output and duration', async () => {
    const r = await runSsh(endpoint(addresses[0]), 'echo hello; echo oops >&2; exit 0', options);
    expect(r.errorKind).toBeNull();
    expect(r.exitCode).toBe(0);
    expect(r.stdout.head).toBe('hello\n');
    expect(r.stderr.head).toBe('oops\n');
    expect(r.durationMs).toBeGreaterThan(0);
  });

  it('reports a non-zero exit as a result, not an exception', async () => {
    const r = await runSsh(endpoint(addresses[1]), 'echo partial; exit 3', options);
    expect(r).toMatchObject({ exitCode: 3, errorKind: 'nonzero_exit' });
    expect(r.stdout.head).toBe('partial\n');
  });

  it('logs in with a password (as root, where the harness can make a throwaway user with one), and refuses a wrong one as auth', async () => {
    if (fleet.password === null) {
      // Not root: sshd cannot check passwords; the wrong-key case still proves the auth kind.
      const wrongKey = await startSshdFleet({ addresses: loopbackAddresses(1, 12) });
      const r = await runSsh(endpoint(addresses[0], { auth: { kind: 'key', privateKey: wrongKey.privateKey } }), 'true', options);
      await wrongKey.stop();
      expect(r.errorKind).toBe('auth');
      return;
    }
    const ok = await runSsh(endpoint(addresses[0], { auth: { kind: 'password', password: fleet.password } }), 'id -un', options);
    expect(ok.stdout.head.trim()).toBe(fleet.username);
    const bad = await runSsh(endpoint(addresses[0], { auth: { kind: 'password', password: 'not-the-password' } }), 'id -un', options);
    expect(bad).toMatchObject({ errorKind: 'auth', exitCode: null });
    expect(bad.errorMessage).toContain(fleet.username);
  });

  it('refuses a host whose key is not pinned yet, and scanning shows the key an admin would accept', async () => {
    const r = await runSsh(endpoint(addresses[0], { pinnedFingerprint: null }), 'touch /tmp/never', options);
    expect(r.errorKind).toBe('host_key');
    expect(r.hostKeyProblem).toMatchObject({ reason: 'unknown', presented: { type: 'ssh-ed25519', fingerprint: fleet.hostFingerprint } });
    const scanned = await scanHostKey(addresses[0], fleet.port, 5000);
    expect(scanned.fingerprint).toBe(fleet.hostFingerprint);
    expect(`${scanned.type} ${scanned.key}`).toBe(fleet.hostPublicKey);
  });

  it('reports a host that is down as unreachable', async () => {
    const r = await runSsh(endpoint('127.0.13.1', { port: await freePort() }), 'true', options);
    expect(r.errorKind).toBe('unreachable');
  });

  it('stops a command that runs past its timeout', async () => {
    const started = Date.now();
    const r = await runSsh(endpoint(addresses[1]), 'echo started; sleep 30; echo never', { ...options, commandTimeoutMs: 1500 });
    expect(r.errorKind).toBe('timeout');
    expect(r.stdout.head).toBe('started\n');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('keeps the head and tail of a 10 MB flood and counts the rest', async () => {
    const r = await runSsh(endpoint(addresses[2]), "head -c 10485760 /dev/zero | tr '\\0' x; echo; echo THE-END", { ...options, commandTimeoutMs: 60_000, headBytes: 1024, tailBytes: 1024 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.totalBytes).toBe(10 * 1024 * 1024 + 1 + 8);
    expect(r.stdout.head).toBe('x'.repeat(1024));
    expect(r.stdout.tail.endsWith('\nTHE-END\n')).toBe(true);
    expect(r.stdout.tail.length).toBe(1024);
    expect(r.stdout.omittedBytes).toBe(r.stdout.totalBytes - 2048);
  });

  it('goes through a jump host', async () => {
    const r = await runSsh(endpoint(addresses[2]), 'echo via-bastion', { ...options, jump: endpoint(addresses[0]) });
    expect(r).toMatchObject({ exitCode: 0, errorKind: null });
    expect(r.stdout.head).toBe('via-bastion\n');
    const unpinnedJump = await runSsh(endpoint(addresses[2]), 'true', { ...options, jump: endpoint(addresses[0], { pinnedFingerprint: null }) });
    expect(unpinnedJump.errorKind).toBe('host_key');
    expect(unpinnedJump.hostKeyProblem?.host).toBe(addresses[0]);
  });

  it('a hostile parameter value stays a value on the host', async () => {
    const marker = `/tmp/wardline-pwned-${randomBytes(4).toString('hex')}`;
    const hostile = `'; touch ${marker}; echo '$(touch ${marker})\`touch ${marker}\``;
    const inv = bashInvocation('printf "%s" "$service"', { service: hostile });
    const r = await runSsh(endpoint(addresses[0]), inv.command, options);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.head).toBe(hostile);
    expect(existsSync(marker)).toBe(false);
  });

  // Last: it restarts the servers with a new key.
  it('refuses a host whose key changed and says so', async () => {
    const before = fleet.hostFingerprint;
    await fleet.replaceHostKey();
    const r = await runSsh(endpoint(addresses[0], { pinnedFingerprint: before }), 'true', options);
    expect(r.errorKind).toBe('host_key');
    expect(r.hostKeyProblem).toMatchObject({ reason: 'changed', expectedFingerprint: before, presented: { fingerprint: fleet.hostFingerprint } });
    expect(r.errorMessage).toMatch(/CHANGED/);
  });
});
