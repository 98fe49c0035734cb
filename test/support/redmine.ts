import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from '../../src/infra/net';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..');
const PREPARE = join(ROOT, 'scripts', 'redmine', 'prepare.rb');

/** What scripts/redmine/prepare.rb made in the instance: keys of three accounts, the project, the catalogue. */
export interface RedmineSeed {
  adminKey: string;
  wardlineKey: string;
  hospitalKey: string;
  wardlineUserId: number;
  hospitalUserId: number;
  projectId: number;
  projectIdentifier: string;
  wardlineFieldId: number;
  trackers: { id: number; name: string }[];
  statuses: { id: number; name: string }[];
  priorities: { id: number; name: string }[];
}

export interface RedmineServer extends RedmineSeed {
  url: string;
  /** The instance folder (REDMINE_INSTANCE): config, SQLite database, files, logs. */
  instanceDir: string;
  /** Stops WEBrick (the instance stays); `start` serves it again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes the instance. */
  close(): Promise<void>;
  /** A REST call as one of the accounts; the body and answer are JSON. */
  api<T = any>(who: 'admin' | 'hospital' | 'wardline', method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  id(kind: 'trackers' | 'statuses' | 'priorities', name: string): number;
}

/**
 * A real Redmine (Debian's `redmine` 5.0.4 on SQLite) on a loopback port, for the PM-platform tests (S15).
 * Debian's Redmine keeps one "instance" (config, database, files, logs) under <redmine>/instances/$REDMINE_INSTANCE;
 * the name is joined onto that folder, so a relative name that climbs to / (lexically and through the
 * instances → /var/lib/redmine link alike) puts a fresh instance in a temp folder without touching the system's.
 * The package's Gemfile has no web server: an overlay Gemfile adds WEBrick. A prepared database is cached under
 * ~/.cache/wardline, keyed by the Redmine version and the preparation script, so later starts take seconds.
 */
export async function startRedmine(): Promise<RedmineServer> {
  const redmineDir = (await run('bash', [join(ROOT, 'scripts', 'ensure-redmine.sh')], { maxBuffer: 1 << 24 })).stdout.trim().split('\n').pop()!;
  const base = mkdtempSync(join(tmpdir(), 'wardline-redmine-'));
  const instanceDir = join(base, 'instance');
  for (const d of ['config', 'files', 'log', 'tmp']) mkdirSync(join(instanceDir, d), { recursive: true });
  const database = join(instanceDir, 'db.sqlite3');
  writeFileSync(join(instanceDir, 'config', 'database.yml'), `production:\n  adapter: sqlite3\n  database: ${database}\n  timeout: 10000\n`);
  writeFileSync(join(instanceDir, 'config', 'secret_key.txt'), createHash('sha256').update(base).digest('hex'));
  const gemfile = join(base, 'Gemfile');
  writeFileSync(gemfile, `# Debian's Redmine plus a web server for the tests\neval_gemfile ${JSON.stringify(join(redmineDir, 'Gemfile'))}\ngem 'webrick'\n`);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BUNDLE_GEMFILE: gemfile,
    REDMINE_INSTANCE: `${'../'.repeat(12)}${instanceDir.replace(/^\/+/, '')}`,
    RAILS_ENV: 'production',
    // Redmine stores local times in SQLite; one zone for every process that touches the file.
    TZ: 'UTC',
    RAILS_LOG_TO_STDOUT: '',
  };
  const ruby = (args: string[]) => run('bundle', ['exec', ...args], { cwd: redmineDir, env, maxBuffer: 1 << 26, timeout: 600_000 });

  const version = existsSync(join(redmineDir, 'lib', 'redmine', 'version.rb')) ? readFileSync(join(redmineDir, 'lib', 'redmine', 'version.rb'), 'utf8') : '';
  const key = createHash('sha256').update(version).update(readFileSync(PREPARE)).update(redmineDir).digest('hex').slice(0, 16);
  const cacheDir = join(homedir(), '.cache', 'wardline', `redmine-${key}`);
  let seed: RedmineSeed;
  if (existsSync(join(cacheDir, 'seed.json')) && existsSync(join(cacheDir, 'db.sqlite3'))) {
    copyFileSync(join(cacheDir, 'db.sqlite3'), database);
    if (existsSync(join(cacheDir, 'Gemfile.lock'))) copyFileSync(join(cacheDir, 'Gemfile.lock'), join(base, 'Gemfile.lock'));
    seed = JSON.parse(readFileSync(join(cacheDir, 'seed.json'), 'utf8'));
  } else {
    await ruby(['rake', 'db:migrate']);
    const out = (await ruby(['rails', 'runner', PREPARE])).stdout.trim().split('\n');
    seed = JSON.parse(out[out.length - 1]);
    // Several test processes may prepare at once: each writes its own files and renames them into place.
    mkdirSync(cacheDir, { recursive: true });
    const tag = `${process.pid}-${Date.now()}`;
    copyFileSync(database, join(cacheDir, `db.sqlite3.${tag}`));
    renameSync(join(cacheDir, `db.sqlite3.${tag}`), join(cacheDir, 'db.sqlite3'));
    if (existsSync(join(base, 'Gemfile.lock'))) {
      copyFileSync(join(base, 'Gemfile.lock'), join(cacheDir, `Gemfile.lock.${tag}`));
      renameSync(join(cacheDir, `Gemfile.lock.${tag}`), join(cacheDir, 'Gemfile.lock'));
    }
    writeFileSync(join(cacheDir, `seed.json.${tag}`), JSON.stringify(seed));
    renameSync(join(cacheDir, `seed.json.${tag}`), join(cacheDir, 'seed.json'));
  }

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const keys = { admin: seed.adminKey, hospital: seed.hospitalKey, wardline: seed.wardlineKey };

  const api = async (who: keyof typeof keys, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'x-redmine-api-key': keys[who], ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as any };
  };

  const start = async () => {
    if (child) return;
    const proc = spawn('bundle', ['exec', 'ruby', 'bin/rails', 'server', '-u', 'webrick', '-b', '127.0.0.1', '-p', String(port), '-P', join(base, 'server.pid')], {
      cwd: redmineDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const log: string[] = [];
    const keep = (b: Buffer) => {
      log.push(b.toString());
      if (log.length > 200) log.shift();
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    child = proc;
    exited = new Promise((done) => proc.once('exit', () => done()));
    let gone = false;
    void exited.then(() => {
      gone = true;
    });
    await waitFor(
      'Redmine (WEBrick)',
      async () => {
        if (gone) throw new Error(`Redmine exited: ${log.join('').slice(-2000)}`);
        const res = await api('wardline', 'GET', '/users/current.json');
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      },
      180_000,
    );
  };

  const stop = async () => {
    const proc = child;
    if (!proc) return;
    child = null;
    try {
      process.kill(-proc.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 15_000);
    await exited;
    clearTimeout(timer);
    rmSync(join(base, 'server.pid'), { force: true });
  };

  await start();
  return {
    ...seed,
    url,
    instanceDir,
    start,
    stop,
    close: async () => {
      await stop();
      rmSync(base, { recursive: true, force: true });
    },
    api,
    id: (kind, name) => {
      const found = seed[kind].find((x) => x.name === name);
      if (!found) throw new Error(`no Redmine ${kind} named ${name}`);
      return found.id;
    },
  };
}
