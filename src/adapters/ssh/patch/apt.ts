import { shQuote } from '../script';
import { AvailableUpdate, InstalledVersion, PatchAdapter, checked } from './types';

/** Debian package names (policy §5.6.1) and versions (§5.6.12), the only text that may go back into a command. */
const NAME = /^[a-z0-9][a-z0-9+.-]{0,127}(:[a-z0-9]+)?$/;
const VERSION = /^[A-Za-z0-9.+~:-]{1,128}$/;
const pkg = (u: { name: string }) => checked(u.name, NAME, 'package name');
const ver = (v: string) => checked(v, VERSION, 'package version');

const APT = 'DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-confdef';

/** Debian/Ubuntu (and UOS/Deepin): apt-get, with a simulated dist-upgrade as the list and pinned versions to apply and roll back. */
export const aptAdapter: PatchAdapter = {
  family: 'debian',
  scan: () => ({ shell: 'bash', script: 'set -e\napt-get -q update >/dev/null\nLC_ALL=C apt-get -s -o Debug::NoLocking=1 dist-upgrade' }),
  /** `Inst name [old] (new suite [arch])`; a package new to the host has no `[old]`. */
  parseScan(stdout) {
    const out: AvailableUpdate[] = [];
    for (const line of stdout.split('\n')) {
      const m = /^Inst (\S+) (?:\[([^\]]+)\] )?\((\S+) ([^)]*)\)/.exec(line);
      if (!m) continue;
      const arch = /\[([^\]]+)\]/.exec(m[4]);
      out.push({ name: m[1], from: m[2] ?? null, to: m[3], detail: arch ? arch[1] : null });
    }
    return out;
  },
  installed: (names) => ({ shell: 'bash', script: `dpkg-query -W -f='\${Package}\\t\${Version}\\t\${db:Status-Abbrev}\\n' ${names.map((n) => shQuote(pkg({ name: n }))).join(' ')} 2>/dev/null || true` }),
  parseInstalled(stdout) {
    const out: InstalledVersion[] = [];
    for (const line of stdout.split('\n')) {
      const [name, version, status] = line.split('\t');
      if (name && version && (status ?? 'ii').startsWith('ii')) out.push({ name, version });
    }
    return out;
  },
  apply: (updates) => ({ shell: 'bash', script: `${APT} install --only-upgrade ${updates.map((u) => shQuote(`${pkg(u)}=${ver(u.to)}`)).join(' ')}` }),
  parseApply: () => ({ transactionId: null, rebootRequired: false }),
  /** Back to the versions recorded before: a pinned install that may downgrade. */
  rollback: (state) => ({ shell: 'bash', script: `${APT} install --allow-downgrades ${state.before.map((b) => shQuote(`${pkg(b)}=${ver(b.version)}`)).join(' ')}` }),
  rebootRequired: () => ({ shell: 'bash', script: 'if [ -f /var/run/reboot-required ]; then echo yes; else echo no; fi' }),
  parseRebootRequired: (stdout) => stdout.trim() === 'yes',
  reboot: () => ({ shell: 'bash', script: 'shutdown -r +0 "Wardline patch run" || systemctl reboot' }),
};
