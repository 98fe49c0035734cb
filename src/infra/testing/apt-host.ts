import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSsh } from '../../adapters/ssh/ssh-client';
import { SshdFleet, startSshdFleet } from './sshd-fleet';

/** One package in two versions (1.0.0 and 1.1.0) as .debs built with dpkg-deb, and the index apt reads. */
export function buildAptRepo(repo: string, PKG: string): void {
  mkdirSync(repo, { recursive: true });
  const dir = join(repo, '..');
  for (const version of ['1.0.0', '1.1.0']) {
    const src = join(dir, `src-${version}`);
    mkdirSync(join(src, 'DEBIAN'), { recursive: true });
    mkdirSync(join(src, 'usr', 'share', PKG), { recursive: true });
    writeFileSync(join(src, 'DEBIAN', 'control'), `Package: ${PKG}\nVersion: ${version}\nArchitecture: all\nMaintainer: Wardline tests <tests@wardline.invalid>\nDescription: Wardline patch test package\n`);
    writeFileSync(join(src, 'usr', 'share', PKG, 'VERSION'), `${version}\n`);
    execFileSync('dpkg-deb', ['--root-owner-group', '--build', src, join(repo, `${PKG}_${version}_all.deb`)], { stdio: 'ignore' });
    rmSync(src, { recursive: true, force: true });
  }
  // The index apt reads (what dpkg-scanpackages would write), made here so the test needs no dpkg-dev.
  const entries = readdirSync(repo)
    .filter((f) => f.endsWith('.deb'))
    .sort()
    .map((f) => {
      const bytes = readFileSync(join(repo, f));
      const control = execFileSync('dpkg-deb', ['-f', join(repo, f)], { encoding: 'utf8' }).trim();
      return `${control}\nFilename: ./${f}\nSize: ${bytes.length}\nSHA256: ${createHash('sha256').update(bytes).digest('hex')}\n`;
    });
  writeFileSync(join(repo, 'Packages'), entries.join('\n'));
}

export interface AptHost {
  fleet: SshdFleet;
  root: string;
  version(): string;
}

/**
 * An sshd endpoint whose sessions point apt and dpkg at a private root (APT_CONFIG, DPKG_ROOT, DPKG_ADMINDIR by
 * sshd's SetEnv), owned by the endpoint's user: apt really installs, upgrades and downgrades there, and the
 * machine's own package database is never touched.
 */
export async function aptHost(base: string, repo: string, PKG: string, address: string): Promise<AptHost> {
  const root = join(base, `root-${address}`);
  const env = { APT_CONFIG: join(root, 'apt.conf'), DPKG_ROOT: root, DPKG_ADMINDIR: join(root, 'var/lib/dpkg') };
  const fleet = await startSshdFleet({ addresses: [address], env });
  for (const d of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/lib/dpkg/triggers', 'var/cache/apt/archives/partial', 'var/lib/apt/lists/partial', 'var/log/apt', 'etc/apt/apt.conf.d', 'etc/apt/preferences.d', 'etc/apt/sources.list.d']) {
    mkdirSync(join(root, d), { recursive: true });
  }
  writeFileSync(join(root, 'var/lib/dpkg/status'), '');
  writeFileSync(join(root, 'etc/apt/sources.list'), `deb [trusted=yes] file:${repo} ./\n`);
  writeFileSync(
    env.APT_CONFIG,
    [
      `Dir "${root}/";`,
      `Dir::State::status "${root}/var/lib/dpkg/status";`,
      `Dir::Etc::SourceList "${root}/etc/apt/sources.list";`,
      `Dir::Etc::SourceParts "${root}/etc/apt/sources.list.d";`,
      `Dir::Etc::Parts "${root}/etc/apt/apt.conf.d";`,
      `Dir::Etc::Preferences "${root}/etc/apt/preferences";`,
      `Dir::Etc::PreferencesParts "${root}/etc/apt/preferences.d";`,
      `Dir::Cache "${root}/var/cache/apt";`,
      `Dir::Log "${root}/var/log/apt";`,
      'APT::Sandbox::User "root";',
      `DPkg::Options { "--root=${root}"; "--admindir=${root}/var/lib/dpkg"; "--force-not-root"; "--force-bad-path"; "--log=${root}/var/log/dpkg.log"; };`,
      '',
    ].join('\n'),
  );
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', fleet.username], { encoding: 'utf8' }).trim());
    const chownTree = (p: string) => {
      chownSync(p, uid, uid);
      if (statSync(p).isDirectory()) for (const e of readdirSync(p)) chownTree(join(p, e));
    };
    chownTree(root);
  }
  return { fleet, root, version: () => readFileSync(join(root, 'usr/share', PKG, 'VERSION'), 'utf8').trim() };
}

/** Puts the host at `version` of the package through its own apt, over SSH as its user (installs or downgrades). */
export async function setAptVersion(host: AptHost, pkg: string, version: string): Promise<void> {
  const r = await runSsh(
    { host: host.fleet.hosts[0].address, port: host.fleet.port, username: host.fleet.username, auth: { kind: 'key', privateKey: host.fleet.privateKey }, pinnedFingerprint: host.fleet.hostFingerprint },
    `apt-get -q update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get -y -q --allow-downgrades install ${pkg}=${version}`,
    { connectTimeoutMs: 10_000, commandTimeoutMs: 120_000 },
  );
  if (r.exitCode !== 0 || host.version() !== version) throw new Error(`could not set ${pkg} to ${version}: ${r.errorMessage} ${r.stderr.tail}`);
}
