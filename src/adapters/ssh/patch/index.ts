import { aptAdapter } from './apt';
import { dnfAdapter } from './dnf';
import { PatchAdapter } from './types';
import { windowsAdapter } from './windows';

export * from './types';

export const PATCH_ADAPTERS: Record<PatchAdapter['family'], PatchAdapter> = { debian: aptAdapter, rhel: dnfAdapter, windows: windowsAdapter };

/** When the CMDB does not say, the host says: /etc/os-release on Unix-likes; a Windows shell prints neither. */
export const PROBE_SCRIPT = 'if [ -r /etc/os-release ]; then . /etc/os-release; echo "ID=$ID"; echo "ID_LIKE=$ID_LIKE"; else uname -s; fi';

export function familyFromProbe(stdout: string): PatchAdapter['family'] | null {
  const text = stdout.toLowerCase();
  if (/id(_like)?=.*(debian|ubuntu|uos|deepin)/.test(text)) return 'debian';
  if (/id(_like)?=.*(rhel|centos|fedora|kylin|openeuler|anolis|rocky|almalinux|ol)\b/.test(text)) return 'rhel';
  return null;
}
