import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection, createConnection } from 'mysql2/promise';
import { freePort, waitFor } from '../net';

/**
 * A throwaway MariaDB for the inspection tests: Debian's mariadbd with `--no-defaults` (the machine's my.cnf and
 * its running server on 3306 are never read or touched), its own data folder under the temp dir, a free port on
 * 127.0.0.1 only, no socket anyone else uses. Stopped and deleted by `stop()`, and killed if the process exits.
 */
export interface ThrowawayMariadb {
  host: string;
  port: number;
  /** root without a password, from 127.0.0.1 only (the data folder is throwaway). */
  admin(): Promise<Connection>;
  dir: string;
  stop(): Promise<void>;
}

function tools(): { mariadbd: string; installDb: string } {
  const script = [join(__dirname, '..', '..', '..', 'scripts'), join(__dirname, '..', '..', '..', '..', 'scripts')]
    .map((dir) => join(dir, 'ensure-mariadb.sh'))
    .find((path) => existsSync(path));
  if (!script) throw new Error('scripts/ensure-mariadb.sh not found');
  const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const found = Object.fromEntries(out.trim().split('\n').map((l) => l.split('=') as [string, string]));
  return { mariadbd: found.mariadbd, installDb: found.install_db };
}

export async function startThrowawayMariadb(): Promise<ThrowawayMariadb> {
  const { mariadbd, installDb } = tools();
  const dir = mkdtempSync(join(tmpdir(), 'wardline-mariadb-'));
  const data = join(dir, 'data');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const userArgs = root ? ['--user=root'] : [];
  execFileSync(installDb, ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...userArgs], { stdio: 'ignore' });
  const port = await freePort();
  const child: ChildProcess = spawn(
    mariadbd,
    [
      '--no-defaults',
      `--datadir=${data}`,
      ...userArgs,
      '--bind-address=127.0.0.1',
      `--port=${port}`,
      `--socket=${join(dir, 'mariadb.sock')}`,
      `--pid-file=${join(dir, 'mariadb.pid')}`,
      `--log-error=${join(dir, 'error.log')}`,
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=32M',
      '--performance-schema=OFF',
      '--max-connections=40',
    ],
    { stdio: 'ignore' },
  );
  const onExit = () => child.kill('SIGKILL');
  process.on('exit', onExit);
  const admin = () => createConnection({ host: '127.0.0.1', port, user: 'root', multipleStatements: true, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
  const stop = async () => {
    process.off('exit', onExit);
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(`mariadb on 127.0.0.1:${port}`, async () => {
      if (child.exitCode !== null) throw new Error(`mariadbd exited ${child.exitCode}: ${existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8').slice(-1000) : ''}`);
      const c = await admin();
      await c.end();
    }, 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { host: '127.0.0.1', port, admin, dir, stop };
}
