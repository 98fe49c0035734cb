import { psQuote } from '../script';
import { AvailableUpdate, InstalledVersion, PatchAdapter, checked } from './types';

const KB = /^KB[0-9]{6,8}$/;

/** PowerShell 5's ConvertTo-Json prints one object, not an array, for a single item; null for none. */
function jsonList<T>(stdout: string): T[] {
  const text = stdout.trim().replace(/^\uFEFF/, '');
  if (!text || text === 'null') return [];
  const parsed = JSON.parse(text);
  return Array.isArray(parsed) ? parsed : [parsed];
}

const SEARCH = `$session = New-Object -ComObject Microsoft.Update.Session
$result = $session.CreateUpdateSearcher().Search("IsInstalled=0 and IsHidden=0 and Type='Software'")`;

/**
 * Windows Server over OpenSSH with PowerShell: the Windows Update Agent's COM API lists and installs (no module to
 * install on the server), wusa.exe uninstalls a KB to roll back. Not yet run against a real Windows host: tested on
 * the scripts it produces and on recorded JSON outputs.
 */
export const windowsAdapter: PatchAdapter = {
  family: 'windows',
  scan: () => ({
    shell: 'powershell',
    script: `${SEARCH}
@($result.Updates | ForEach-Object { [pscustomobject]@{ kb = ('KB' + ($_.KBArticleIDs | Select-Object -First 1)); title = $_.Title; severity = $_.MsrcSeverity; rebootRequired = $_.RebootRequired } }) | ConvertTo-Json -Compress`,
  }),
  parseScan(stdout) {
    return jsonList<{ kb: string; title: string }>(stdout)
      .filter((u) => KB.test(u.kb))
      .map((u) => ({ name: u.kb, from: null, to: u.kb, detail: u.title }));
  },
  installed: (names) => ({
    shell: 'powershell',
    script: `@(Get-HotFix -Id ${names.map((n) => psQuote(checked(n, KB, 'KB'))).join(',')} -ErrorAction SilentlyContinue | ForEach-Object { [pscustomobject]@{ name = $_.HotFixID; version = $_.HotFixID } }) | ConvertTo-Json -Compress`,
  }),
  parseInstalled: (stdout) => jsonList<InstalledVersion>(stdout).filter((h) => KB.test(h.name)),
  apply: (updates: AvailableUpdate[]) => ({
    shell: 'powershell',
    script: `$wanted = @(${updates.map((u) => psQuote(checked(u.name, KB, 'KB'))).join(',')})
${SEARCH}
$chosen = New-Object -ComObject Microsoft.Update.UpdateColl
foreach ($u in $result.Updates) { if ($wanted -contains ('KB' + ($u.KBArticleIDs | Select-Object -First 1))) { if (-not $u.EulaAccepted) { $u.AcceptEula() }; [void]$chosen.Add($u) } }
if ($chosen.Count -ne $wanted.Count) { throw "only $($chosen.Count) of $($wanted.Count) planned updates are still offered" }
$downloader = $session.CreateUpdateDownloader(); $downloader.Updates = $chosen; [void]$downloader.Download()
$installer = $session.CreateUpdateInstaller(); $installer.Updates = $chosen; $r = $installer.Install()
[pscustomobject]@{ resultCode = $r.ResultCode; rebootRequired = $r.RebootRequired } | ConvertTo-Json -Compress
if ($r.ResultCode -ne 2) { exit 1 }`,
  }),
  /** OperationResultCode 2 = succeeded; RebootRequired as the installer reports it. */
  parseApply(stdout) {
    const line = stdout.trim().split('\n').pop() ?? '';
    try {
      const r = JSON.parse(line);
      return { transactionId: null, rebootRequired: r.rebootRequired === true };
    } catch {
      return { transactionId: null, rebootRequired: false };
    }
  },
  rollback: (state) => ({
    shell: 'powershell',
    script: `$codes = @()
foreach ($kb in @(${state.updates.map((u) => psQuote(checked(u.name, KB, 'KB'))).join(',')})) {
  $p = Start-Process -FilePath wusa.exe -ArgumentList ('/uninstall', ('/kb:' + $kb.Substring(2)), '/quiet', '/norestart') -Wait -PassThru
  $codes += $p.ExitCode
}
# 0 done, 3010 done but a reboot is needed, 2359303 the KB was not installed.
if ($codes | Where-Object { $_ -ne 0 -and $_ -ne 3010 -and $_ -ne 2359303 }) { Write-Error "wusa exit codes: $codes"; exit 1 }
Write-Output "wusa exit codes: $codes"`,
  }),
  rebootRequired: () => ({ shell: 'powershell', script: `if ((New-Object -ComObject Microsoft.Update.SystemInfo).RebootRequired) { 'yes' } else { 'no' }` }),
  parseRebootRequired: (stdout) => stdout.trim() === 'yes',
  reboot: () => ({ shell: 'powershell', script: 'Restart-Computer -Force' }),
};
