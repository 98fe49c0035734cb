import type { ScriptShell } from '../script';

/**
 * Patching (补丁推送安装, P5): per OS family, the commands that list available updates, apply a chosen set and
 * roll it back, and the parsers of what those commands print. Package names and versions come from the host's
 * own output, so they are checked against strict patterns before they go back into a command (and are quoted).
 */
export interface AvailableUpdate {
  name: string;
  /** Installed version, when the tool prints it. */
  from: string | null;
  to: string;
  /** apt: the architecture; dnf: name.arch is kept in `name`; Windows: the KB's title. */
  detail: string | null;
}

export interface InstalledVersion {
  name: string;
  version: string;
}

/** What an applied set needs to be undone: the versions before (apt), the transaction (dnf/yum), the KBs (Windows). */
export interface AppliedState {
  before: InstalledVersion[];
  transactionId: string | null;
  updates: AvailableUpdate[];
}

export interface PatchScript {
  shell: ScriptShell;
  script: string;
  /** Exit codes that mean success besides 0 (dnf check-update: 100 = updates available; wusa: 3010 = reboot needed). */
  okExitCodes?: number[];
}

export interface PatchAdapter {
  family: 'debian' | 'rhel' | 'windows';
  scan(): PatchScript;
  parseScan(stdout: string): AvailableUpdate[];
  installed(names: string[]): PatchScript;
  parseInstalled(stdout: string): InstalledVersion[];
  apply(updates: AvailableUpdate[]): PatchScript;
  /** From the apply's output: a transaction to undo later, and whether the host asks for a reboot. */
  parseApply(stdout: string): { transactionId: string | null; rebootRequired: boolean };
  rollback(state: AppliedState): PatchScript;
  rebootRequired(): PatchScript;
  parseRebootRequired(stdout: string, exitCode: number | null): boolean;
  reboot(): PatchScript;
}

export class UnsafePackageText extends Error {}

export function checked(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new UnsafePackageText(`${what} ${JSON.stringify(value.slice(0, 80))} does not look like one; refusing to put it in a command`);
  return value;
}
