import { INestApplication } from '@nestjs/common';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from '../src/api/app.module';
import { loadConfig } from '../src/config';
import { freePort } from '../src/infra/net';
import { loopbackAddresses, startSshdFleet } from '../src/infra/testing/sshd-fleet';
import { startTemporalDevServer } from '../src/infra/temporal-dev-server';
import { openDatabase } from '../src/persistence/data-source';
import { issueToken } from '../src/persistence/users-store';
import { WorkerHandle, createWardlineWorker } from '../src/worker';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Cleanup, benchDatabase, intEnv, printTable, runBench } from './support';

/**
 * `npm run bench:ssh` (P5): the same read-only command on N loopback SSH endpoints (Debian's sshd, one throwaway
 * user and key), by Wardline (a job run through the API: workflow, activities, ssh2, every host's result in
 * PostgreSQL) and by Ansible (Debian's `ansible`, ad-hoc `shell` module), with the same inventory, the same pinned
 * host key and the same parallelism, in one run. Prints hosts per minute for both and their ratio.
 *
 *   WARDLINE_BENCH_SSH_HOSTS   endpoints (default 200)
 *   WARDLINE_BENCH_SSH_FORKS   parallelism for both (default 20)
 */
const HOSTS = intEnv('WARDLINE_BENCH_SSH_HOSTS', 200, 1);
const FORKS = intEnv('WARDLINE_BENCH_SSH_FORKS', 20, 1);
const COMMAND = 'uname -a; df -P; uptime';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

void runBench(async (cleanups: Cleanup[]) => {
  // The worker's state changes at INFO would bury the figures.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  const fleet = await startSshdFleet({ addresses: loopbackAddresses(HOSTS, 51) });
  cleanups.push({ name: 'stop the sshd fleet', run: () => fleet.stop() });
  const work = mkdtempSync(join(tmpdir(), 'wardline-bench-ssh-'));
  cleanups.push({ name: 'remove the bench folder', run: async () => rmSync(work, { recursive: true, force: true }) });

  // ---------- Wardline: the platform in this process ----------
  const { dbUrl } = await benchDatabase(cleanups, 'ssh');
  let temporalAddress = process.env.TEMPORAL_ADDRESS || undefined;
  if (!temporalAddress) {
    const t = await startTemporalDevServer({ port: await freePort() });
    cleanups.push({ name: 'stop Temporal dev server', run: () => t.stop() });
    temporalAddress = t.address;
  }
  const ds: DataSource = await openDatabase(dbUrl, { migrate: true, poolSize: 30 });
  cleanups.push({ name: 'close the DataSource', run: async () => ds.isInitialized && ds.destroy() });
  const config = { ...loadConfig({}), databaseUrl: dbUrl, temporalAddress, taskQueue: `bench-ssh-${randomUUID()}`, port: 0, dataDir: join(work, 'data') };
  const connection = await Connection.connect({ address: temporalAddress });
  cleanups.push({ name: 'close the Temporal client', run: () => connection.close() });
  const temporal = new TemporalClient({ connection, namespace: config.temporalNamespace });
  const app: INestApplication = await createApp({ config, dataSource: ds, temporal }, { logger: false });
  await app.listen(0, '127.0.0.1');
  cleanups.push({ name: 'close the API', run: () => app.close() });
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const worker: WorkerHandle = await createWardlineWorker(config, { dataSource: ds });
  const running = worker.run();
  cleanups.push({
    name: 'shut the worker down',
    run: async () => {
      worker.worker.shutdown();
      await running;
      await worker.close();
    },
  });
  const [user] = await ds.query(`INSERT INTO users (username, display_name, roles) VALUES ($1, '基准运维', $2) RETURNING id`, [`bench-ops-${randomUUID().slice(0, 8)}`, ['it_manager', 'engineer']]);
  const { token } = await issueToken(ds, user.id, 'bench');
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json()) as any;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
    return json;
  };
  await call('POST', '/ssh/credentials', { name: 'bench-key', username: fleet.username, kind: 'key', privateKey: fleet.privateKey });
  for (const h of fleet.hosts) {
    await call('POST', '/ssh/host-keys', { host: h.address, port: h.port, publicKey: fleet.hostPublicKey });
    await call('POST', '/cmdb/items', { type: 'server', name: `bench-${h.address}`, displayName: h.address, attributes: { os: 'Debian 12', ip: h.address, sshPort: h.port, sshCredential: 'bench-key', environment: 'test', rack: 'bench' } });
  }
  const tpl = await call('POST', '/jobs/templates', { name: 'bench-uname', shell: 'bash', readOnly: true, script: COMMAND, parameters: [] });
  const wardline = async () => {
    const started = process.hrtime.bigint();
    const r = await call('POST', '/jobs/runs', { templateId: tpl.id, targets: { attributes: { rack: 'bench' } }, parallelism: FORKS, connectTimeoutSeconds: 30, commandTimeoutSeconds: 60 });
    for (;;) {
      const [row] = await ds.query(`SELECT finished_at FROM job_runs WHERE id = $1`, [r.id]);
      if (row.finished_at) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const [counts] = await ds.query(
      `SELECT count(*) FILTER (WHERE status = 'succeeded' AND stdout_head LIKE 'Linux %')::int AS ok, count(*)::int AS total FROM job_run_hosts WHERE run_id = $1`,
      [r.id],
    );
    return { seconds, ok: counts.ok as number, total: counts.total as number };
  };

  // ---------- Ansible: same hosts, user, key, pinned host key, parallelism ----------
  const keyFile = join(work, 'id_ed25519');
  writeFileSync(keyFile, fleet.privateKey, { mode: 0o600 });
  const knownHosts = join(work, 'known_hosts');
  writeFileSync(knownHosts, fleet.hosts.map((h) => `[${h.address}]:${h.port} ${fleet.hostPublicKey}`).join('\n') + '\n');
  const inventory = join(work, 'inventory.ini');
  writeFileSync(
    inventory,
    [
      '[bench]',
      ...fleet.hosts.map((h) => `${h.address} ansible_port=${h.port}`),
      '[bench:vars]',
      `ansible_user=${fleet.username}`,
      `ansible_ssh_private_key_file=${keyFile}`,
      'ansible_python_interpreter=/usr/bin/python3',
      `ansible_ssh_common_args='-o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes'`,
      '',
    ].join('\n'),
  );
  const ansibleEnv = { ...process.env, ANSIBLE_HOST_KEY_CHECKING: 'True', ANSIBLE_LOCAL_TEMP: join(work, 'ansible-local'), ANSIBLE_SSH_CONTROL_PATH_DIR: join(work, 'cp'), ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: 'False' };
  const ansible = async (limit = HOSTS) => {
    const started = process.hrtime.bigint();
    const only = limit < HOSTS ? ['--limit', fleet.hosts.slice(0, limit).map((h) => h.address).join(',')] : [];
    const r = await run('ansible', ['bench', '-i', inventory, ...only, '-m', 'shell', '-a', COMMAND, '-f', String(FORKS), '-o'], ansibleEnv);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const ok = r.stdout.split('\n').filter((l) => / \| CHANGED \| rc=0 \| \(stdout\) Linux /.test(l)).length;
    if (ok < limit) console.error(`ansible: ${limit - ok} hosts without a result; exit ${r.code}; ${(r.stderr || r.stdout).split('\n').filter(Boolean).slice(0, 5).join(' | ')}`);
    return { seconds, ok, total: limit };
  };

  // Warm-up, not counted: sshd's first forks, Python's bytecode cache, the JIT, the workflow cache.
  await ansible(Math.min(HOSTS, FORKS));
  await wardline();
  const w = await wardline();
  const a = await ansible();
  const perMin = (x: { seconds: number; ok: number }) => (x.ok / x.seconds) * 60;
  console.log(`\nSSH bench: "${COMMAND}" on ${HOSTS} loopback sshd endpoints (${Math.ceil(HOSTS / 16)} sshd processes, one user, one key, pinned host key), parallelism ${FORKS}`);
  console.log(`load average at start: ${load} (2 cores shared; final figures need a quiet machine)\n`);
  printTable([
    ['', 'hosts ok', 'seconds', 'hosts/min'],
    ['Wardline (API → workflow → ssh2, results in PostgreSQL)', `${w.ok}/${w.total}`, w.seconds.toFixed(2), perMin(w).toFixed(0)],
    ['Ansible ad-hoc shell (Debian ansible-core)', `${a.ok}/${a.total}`, a.seconds.toFixed(2), perMin(a).toFixed(0)],
  ]);
  const ratio = perMin(w) / perMin(a);
  console.log(`\nratio Wardline / Ansible: ${ratio.toFixed(2)}× (target ≥ 2×)`);
  console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  return w.ok === HOSTS && w.total === HOSTS && a.ok === HOSTS;
});
