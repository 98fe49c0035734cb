import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '../net';
import { sshKeyFingerprint } from '../../adapters/ssh/host-key';

/**
 * Real SSH endpoints for tests and the bench: Debian's sshd run with our own config on loopback addresses
 * (127.0.x.y) and a high port, with throwaway host keys and a throwaway user. Never port 22, never the
 * machine's own sshd config. One sshd process serves many addresses (each a "host"); a fleet can split them
 * over several processes. As root a throwaway user is created (and removed at stop) so password login works;
 * otherwise sshd can log in only the user running it, by key.
 */
export interface SshdHost {
  address: string;
  port: number;
}

export interface SshdFleet {
  hosts: SshdHost[];
  port: number;
  username: string;
  /** Set only when running as root (a password needs the shadow file sshd can read only as root). */
  password: string | null;
  privateKey: string;
  /** `ssh-ed25519 AAAA…` of the current host key (all instances share one key per fleet). */
  hostPublicKey: string;
  hostFingerprint: string;
  dir: string;
  /** A fresh host key and a restart on the same addresses: what a reinstalled (or spoofed) server looks like. */
  replaceHostKey(): Promise<void>;
  stop(): Promise<void>;
}

export interface SshdFleetOptions {
  addresses: string[];
  /** sshd processes to spread the addresses over (default 1). */
  instances?: number;
  /** Session environment (sshd `SetEnv`): lets a test host point apt at a private root, for example. */
  env?: Record<string, string>;
  /** A home directory to give the throwaway user (root only). */
  home?: string;
}

export function sshdBinary(): string {
  const script = [join(__dirname, '..', '..', '..', 'scripts'), join(__dirname, '..', '..', '..', '..', 'scripts')]
    .map((dir) => join(dir, 'ensure-sshd.sh'))
    .find((path) => existsSync(path));
  if (!script) throw new Error('scripts/ensure-sshd.sh not found');
  return execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/** `count` loopback addresses 127.0.<third>.<n> starting at n = 1, moving to the next third octet after .250. */
export function loopbackAddresses(count: number, third = 1): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.${third + Math.floor(i / 250)}.${(i % 250) + 1}`);
}

/** OpenSSH's compile-time limit of listening sockets per sshd process. */
const MAX_LISTEN_SOCKS = 16;

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function keygen(path: string): void {
  rmSync(path, { force: true });
  rmSync(`${path}.pub`, { force: true });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'wardline-test', '-f', path], { stdio: 'ignore' });
}

async function listening(address: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const s = new Socket();
    s.setTimeout(1000);
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    s.once('timeout', () => {
      s.destroy();
      reject(new Error('timeout'));
    });
    s.once('error', reject);
    s.connect(port, address);
  });
}

export async function startSshdFleet(options: SshdFleetOptions): Promise<SshdFleet> {
  const binary = sshdBinary();
  const dir = mkdtempSync(join(tmpdir(), 'wardline-sshd-'));
  // sshd reads authorized_keys as the logging-in user: the folder must be traversable, the private keys stay 0600.
  chmodSync(dir, 0o755);
  const root = isRoot();
  let username = userInfo().username;
  let password: string | null = null;
  if (root) {
    username = `wlt${randomBytes(4).toString('hex')}`;
    password = `pw-${randomBytes(9).toString('base64url')}`;
    const home = options.home ?? join(dir, 'home');
    mkdirSync(home, { recursive: true });
    execFileSync('useradd', ['-M', '-d', home, '-s', '/bin/bash', username], { stdio: 'ignore' });
    execFileSync('chown', [username, home]);
    execFileSync('chpasswd', [], { input: `${username}:${password}\n` });
  }
  const hostKeyPath = join(dir, 'host_ed25519');
  keygen(hostKeyPath);
  keygen(join(dir, 'client'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client.pub')), { mode: 0o644 });
  const port = await freePort();
  // sshd listens on at most 16 sockets (MAX_LISTEN_SOCKS): more addresses need more processes.
  const instances = Math.max(1, Math.ceil(options.addresses.length / MAX_LISTEN_SOCKS), Math.min(options.instances ?? 1, options.addresses.length));
  const groups: string[][] = Array.from({ length: instances }, () => []);
  options.addresses.forEach((a, i) => groups[i % instances].push(a));
  const env = Object.entries(options.env ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const configs = groups.map((addresses, i) => {
    const path = join(dir, `sshd_config.${i}`);
    writeFileSync(
      path,
      [
        `Port ${port}`,
        ...addresses.map((a) => `ListenAddress ${a}`),
        `HostKey ${hostKeyPath}`,
        `PidFile ${join(dir, `sshd.${i}.pid`)}`,
        'UsePAM no',
        'StrictModes no',
        `PasswordAuthentication ${root ? 'yes' : 'no'}`,
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        `AllowUsers ${username}`,
        'PermitRootLogin no',
        // The bench opens 20 connections at once per address group; the default (10:30:100) drops some.
        'MaxStartups 400',
        'MaxSessions 100',
        'MaxAuthTries 3',
        'LoginGraceTime 30',
        'AllowTcpForwarding yes',
        'PrintMotd no',
        'Banner none',
        ...(env ? [`SetEnv ${env}`] : []),
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    return { path, addresses };
  });

  let children: ChildProcess[] = [];
  const start = async () => {
    children = configs.map(({ path }) => {
      const child = spawn(binary, ['-D', '-e', '-f', path], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr?.on('data', (d) => (err = (err + String(d)).slice(-2000)));
      child.once('exit', (code, signal) => {
        if (signal !== 'SIGTERM' && code !== 0) console.error(`sshd ${path} exited ${code ?? signal}: ${err.trim()}`);
      });
      return child;
    });
    for (const { addresses } of configs) {
      for (const a of addresses) await waitFor(`sshd on ${a}:${port}`, () => listening(a, port), 15_000);
    }
  };
  const stopChildren = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
          }),
      ),
    );
    children = [];
  };
  const onExit = () => children.forEach((c) => c.kill('SIGTERM'));
  process.on('exit', onExit);
  const removeUser = () => {
    if (!root) return;
    try {
      // -f: a session still closing (its client just hung up) must not keep the throwaway user alive.
      execFileSync('userdel', ['-f', username], { stdio: 'ignore' });
    } catch (err) {
      console.error(`could not remove throwaway user ${username}: ${String(err)}`);
    }
  };
  try {
    await start();
  } catch (err) {
    // Nothing is left behind when the fleet does not come up: no sshd, no user, no folder.
    await stopChildren();
    process.off('exit', onExit);
    removeUser();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const fleet: SshdFleet = {
    hosts: options.addresses.map((address) => ({ address, port })),
    port,
    username,
    password,
    privateKey: readFileSync(join(dir, 'client'), 'utf8'),
    hostPublicKey: readFileSync(`${hostKeyPath}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' '),
    hostFingerprint: '',
    dir,
    replaceHostKey: async () => {
      await stopChildren();
      keygen(hostKeyPath);
      fleet.hostPublicKey = readFileSync(`${hostKeyPath}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
      fleet.hostFingerprint = fingerprintOf(fleet.hostPublicKey);
      await start();
    },
    stop: async () => {
      await stopChildren();
      process.off('exit', onExit);
      removeUser();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  fleet.hostFingerprint = fingerprintOf(fleet.hostPublicKey);
  return fleet;
}

function fingerprintOf(openSshPublicKey: string): string {
  return sshKeyFingerprint(Buffer.from(openSshPublicKey.split(' ')[1], 'base64'));
}
