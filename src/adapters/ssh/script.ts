/**
 * How a job template's script and its typed parameters reach a host (P5) so that no parameter can become a
 * command: the script is the template's own text; each parameter is an environment variable whose value is a
 * single-quoted literal (POSIX) or a single-quoted PowerShell string, never spliced into the script.
 */
export type ScriptShell = 'bash' | 'powershell';
export type Become = 'none' | 'sudo';

const NAME = /^[a-z][a-z0-9_]{0,39}$/;

/** POSIX shell single quotes: nothing inside is special except the quote itself, closed, escaped and reopened. */
export function shQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a shell value cannot contain NUL');
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** PowerShell single-quoted string: the quote (and its typographic forms, which PowerShell also accepts) is doubled. */
export function psQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a PowerShell value cannot contain NUL');
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

function checkNames(params: Record<string, string>): void {
  for (const name of Object.keys(params)) if (!NAME.test(name)) throw new Error(`parameter name ${name} is not a lower-case identifier`);
}

export interface Invocation {
  /** The command line the remote login shell runs. */
  command: string;
}

/**
 * bash: `env name='value' … bash -c '<script>' wardline-job`. The login shell on the host sees only quoted
 * literals; bash then runs the template's script with the values in its environment (`"$name"`).
 */
export function bashInvocation(script: string, params: Record<string, string>, become: Become = 'none'): Invocation {
  checkNames(params);
  const env = Object.entries(params).map(([k, v]) => `${k}=${shQuote(v)}`);
  const parts = [...(become === 'sudo' ? ['sudo', '-n'] : []), 'env', ...env, 'bash', '-c', shQuote(script), 'wardline-job'];
  return { command: parts.join(' ') };
}

/**
 * PowerShell over Windows' OpenSSH: the values are set as `$env:name = '…'` and the whole text is passed as
 * -EncodedCommand (base64 of UTF-16LE), so cmd.exe or PowerShell as the login shell sees only base64.
 */
export function powershellInvocation(script: string, params: Record<string, string>): Invocation {
  checkNames(params);
  const prelude = Object.entries(params).map(([k, v]) => `$env:${k} = ${psQuote(v)}`);
  const text = [...prelude, "$ErrorActionPreference = 'Stop'", script].join('\r\n');
  const encoded = Buffer.from(text, 'utf16le').toString('base64');
  return { command: `powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${encoded}` };
}

export function invocation(shell: ScriptShell, script: string, params: Record<string, string>, become: Become = 'none'): Invocation {
  return shell === 'powershell' ? powershellInvocation(script, params) : bashInvocation(script, params, become);
}
