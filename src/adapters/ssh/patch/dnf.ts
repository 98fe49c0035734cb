import { shQuote } from '../script';
import { AvailableUpdate, InstalledVersion, PatchAdapter, checked } from './types';

/** RPM name.arch and [epoch:]version-release as dnf/yum print them. */
const NAME_ARCH = /^[A-Za-z0-9_+.-]{1,200}\.(x86_64|aarch64|noarch|i686|ppc64le|s390x|loongarch64|mips64el|src)$/;
const EVR = /^([0-9]+:)?[A-Za-z0-9._+~^]+-[A-Za-z0-9._+~^]+$/;
const TX = /^[0-9]{1,10}$/;

/** dnf where it exists, else yum (CentOS 7): the same verbs, the same output shapes for what is parsed here. */
const TOOL = 'if command -v dnf >/dev/null 2>&1; then PM=dnf; else PM=yum; fi';

/**
 * RHEL/CentOS/Kylin/openEuler/Anolis: `check-update` lists, `upgrade name-evr.arch` applies, `history undo <id>`
 * rolls back. Not yet run against a real RPM host: tested on the commands it produces and on recorded outputs.
 */
export const dnfAdapter: PatchAdapter = {
  family: 'rhel',
  // check-update exits 100 when updates exist, 0 when none, 1 on error.
  scan: () => ({ shell: 'bash', script: `${TOOL}\nLC_ALL=C $PM -q check-update`, okExitCodes: [100] }),
  /** Lines `name.arch  version-release  repo`; long names wrap the rest onto the next line; a blank line or "Obsoleting" ends the list. */
  parseScan(stdout) {
    const out: AvailableUpdate[] = [];
    const tokens: string[] = [];
    for (const raw of stdout.split('\n')) {
      const line = raw.trim();
      if (/^(Obsoleting|Security:|Last metadata|Loaded plugins|Loading mirror)/.test(line)) {
        if (line.startsWith('Obsoleting')) break;
        continue;
      }
      if (!line) continue;
      tokens.push(...line.split(/\s+/));
      while (tokens.length >= 3) {
        const [name, evr, repo] = tokens.splice(0, 3);
        if (NAME_ARCH.test(name) && EVR.test(evr)) out.push({ name, from: null, to: evr, detail: repo });
      }
    }
    return out;
  },
  installed: (names) => ({
    shell: 'bash',
    script: `rpm -q --qf '%{NAME}.%{ARCH}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n' ${names.map((n) => shQuote(checked(n, NAME_ARCH, 'package').replace(/\.[^.]+$/, ''))).join(' ')} 2>/dev/null | grep -v 'is not installed' || true`,
  }),
  parseInstalled(stdout) {
    return stdout
      .split('\n')
      .map((l) => l.split('\t'))
      .filter(([n, v]) => n && v)
      .map(([name, version]) => ({ name, version: version.replace(/^0:/, '') }));
  },
  /** `name-evr.arch` pins the exact build the plan chose; the transaction id is printed after for the undo. */
  apply: (updates) => ({
    shell: 'bash',
    script: [
      TOOL,
      'set -e',
      `$PM -y upgrade ${updates.map((u) => {
        const name = checked(u.name, NAME_ARCH, 'package');
        const arch = name.slice(name.lastIndexOf('.') + 1);
        const evr = checked(u.to, EVR, 'version').replace(/^[0-9]+:/, '');
        return shQuote(`${name.slice(0, name.lastIndexOf('.'))}-${evr}.${arch}`);
      }).join(' ')}`,
      'echo "WARDLINE-TRANSACTION: $(LC_ALL=C $PM history info last 2>/dev/null | sed -n \'s/^Transaction ID *: *\\([0-9]*\\).*/\\1/p\')"',
    ].join('\n'),
  }),
  parseApply(stdout) {
    const m = /WARDLINE-TRANSACTION: ([0-9]+)/.exec(stdout);
    return { transactionId: m ? m[1] : null, rebootRequired: false };
  },
  rollback: (state) => {
    if (!state.transactionId) throw new Error('no transaction id was recorded for this host: nothing can be undone safely');
    return { shell: 'bash', script: `${TOOL}\n$PM -y history undo ${checked(state.transactionId, TX, 'transaction id')}` };
  },
  // needs-restarting -r (dnf-utils / yum-utils): exit 1 means a reboot is needed.
  rebootRequired: () => ({ shell: 'bash', script: 'if command -v needs-restarting >/dev/null 2>&1; then needs-restarting -r >/dev/null 2>&1 && echo no || echo yes; else echo unknown; fi' }),
  parseRebootRequired: (stdout) => stdout.trim() === 'yes',
  reboot: () => ({ shell: 'bash', script: 'shutdown -r +0 "Wardline patch run" || systemctl reboot' }),
};
