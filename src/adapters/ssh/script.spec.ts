import { execFileSync } from 'node:child_process';
import { bashInvocation, powershellInvocation, psQuote, shQuote } from './script';

const HOSTILE = [`'; touch /tmp/x; echo '`, '$(id)', '`id`', '"; id; "', 'a\nb; id', "\\'", '${PATH}', '‘; Remove-Item C:\\ ’'];

describe('parameters reach the shell as literals (P5: no parameter injects a command)', () => {
  it.each(HOSTILE)('sh -c echoes %j back unchanged', (value) => {
    const out = execFileSync('sh', ['-c', `printf %s ${shQuote(value)}`], { encoding: 'utf8' });
    expect(out).toBe(value);
  });

  it('bash invocation passes values through the environment to the template script', () => {
    const inv = bashInvocation('printf "%s|%s" "$svc" "$n"', { svc: HOSTILE[0], n: '$(id)' });
    expect(execFileSync('sh', ['-c', inv.command], { encoding: 'utf8' })).toBe(`${HOSTILE[0]}|$(id)`);
    expect(inv.command.startsWith('env svc=')).toBe(true);
  });

  it('sudo goes in front when the credential needs it', () => {
    expect(bashInvocation('true', {}, 'sudo').command).toBe("sudo -n env bash -c 'true' wardline-job");
  });

  it('refuses parameter names that are not identifiers and values with NUL', () => {
    expect(() => bashInvocation('true', { 'a;b': 'x' })).toThrow(/identifier/);
    expect(() => shQuote('a\0b')).toThrow(/NUL/);
  });

  it('PowerShell doubles every quote form and hides the text in -EncodedCommand', () => {
    expect(psQuote(`it's`)).toBe(`'it''s'`);
    expect(psQuote('a\u2019b')).toBe(`'a\u2019\u2019b'`);
    const inv = powershellInvocation('Write-Output $env:kb', { kb: `KB1'; Stop-Computer; '` });
    const [, encoded] = inv.command.split('-EncodedCommand ');
    expect(/^[A-Za-z0-9+/=]+$/.test(encoded)).toBe(true);
    const text = Buffer.from(encoded, 'base64').toString('utf16le');
    expect(text).toContain(`$env:kb = 'KB1''; Stop-Computer; '''`);
    expect(text.endsWith('Write-Output $env:kb')).toBe(true);
  });
});
