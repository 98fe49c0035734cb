import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import type { Connection } from 'mysql2/promise';
import { SshdFleet, loopbackAddresses, startSshdFleet } from '../src/infra/testing/sshd-fleet';
import { ThrowawayMariadb, startThrowawayMariadb } from '../src/infra/testing/mariadb';
import { freePort } from '../src/infra/net';
import { readWorkbook } from '../src/adapters/reports';
import { INSPECTION_SCHEDULE_IDS, ensureInspectionSchedules, loadInspectionConfig } from '../src/infra/inspection-schedule';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { waitUntil } from './support/workflow-input';

/**
 * P4 / S16 end to end on real components: a business system with a server (Debian's sshd on a loopback address,
 * a tmpfs the test fills), a PostgreSQL database (a second database on the test's embedded server, put into
 * states worth finding) and a MariaDB (Debian's mariadb-server, a throwaway instance on a free loopback port);
 * an unreachable server, a wrong database password and a check that errors are findings, never a failed run.
 * The report comes back as PDF (pdftotext/pdftoppm read it) and XLSX (exceljs reads it).
 */
describe('inspections on real components (P4, S16)', () => {
  let p: TestPlatform;
  let fleet: SshdFleet;
  let maria: ThrowawayMariadb;
  let mariaAdmin: Connection;
  let itManager: TestUser;
  let engineer: TestUser;
  let dispatcher: TestUser;
  let pm: TestUser;
  let qm: TestUser;
  const [address] = loopbackAddresses(1, 31);
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const work = mkdtempSync(join(tmpdir(), 'wardline-insp-'));
  const disk = join(work, 'disk');
  let mounted = false;
  let pgDbName: string;
  let pgUrl: URL;
  const pgClients: PgClient[] = [];
  const maConns: Connection[] = [];
  let first: any;
  let second: any;

  const post = async (path: string, token: string, body: unknown, status = 201) => {
    const res = await p.call('POST', path, token, body);
    if (res.status !== status) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 800)}`);
    return res.body;
  };
  const item = (type: string, name: string, attributes: Record<string, unknown>, criticality = 'medium') =>
    post('/cmdb/items', engineer.token, { type, name, displayName: name, criticality, attributes });
  const relate = (type: string, sourceId: string, targetId: string) => post('/cmdb/relations', engineer.token, { type, sourceId, targetId });
  const publish = (def: Record<string, unknown>) => post('/inspection-checks', itManager.token, def);
  const inspect = async (body: unknown) => {
    const started = await post('/inspections', engineer.token, body);
    return waitUntil(
      `inspection ${started.number} to finish`,
      async () => {
        const r = await p.call('GET', `/inspections/${started.id}`, engineer.token);
        return r.body.state !== 'running' ? r.body : null;
      },
      240_000,
    );
  };
  const fill = (percent: number) => {
    rmSync(join(disk, 'fill'), { force: true });
    const kb = Math.floor((8192 * percent) / 100);
    execFileSync('dd', ['if=/dev/zero', `of=${join(disk, 'fill')}`, 'bs=1k', `count=${kb}`], { stdio: 'ignore' });
  };

  beforeAll(async () => {
    // The SSH user is not the test's: it must be able to reach the mount point for df to list it.
    chmodSync(work, 0o755);
    mkdirSync(disk);
    if (root) {
      // A small filesystem the test fills: real `df` on the host sees it over SSH.
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', disk]);
      mounted = true;
    }
    [fleet, maria] = await Promise.all([startSshdFleet({ addresses: [address] }), startThrowawayMariadb()]);
    mariaAdmin = await maria.admin();
    p = await startPlatform();
    itManager = await p.user(['it_manager'], '信息科主任');
    engineer = await p.user(['engineer'], '驻场李工');
    dispatcher = await p.user(['dispatcher'], '调度王');
    pm = await p.user(['project_manager'], '项目经理张');
    qm = await p.user(['quality_manager'], '质量经理赵');

    // PostgreSQL: a second database on the test's server, inspected as a pg_monitor account.
    pgUrl = new URL(process.env.WARDLINE_TEST_DATABASE_URL!);
    pgDbName = `insp_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new PgClient({ connectionString: pgUrl.toString() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${pgDbName}`);
    await admin.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wl_monitor') THEN CREATE ROLE wl_monitor LOGIN PASSWORD 'monitor-pw' IN ROLE pg_monitor; END IF; END $$`);
    await admin.end();
    const dbUrl = new URL(pgUrl.toString());
    dbUrl.pathname = `/${pgDbName}`;
    const open = async () => {
      const c = new PgClient({ connectionString: dbUrl.toString() });
      await c.connect();
      pgClients.push(c);
      return c;
    };
    const setup = await open();
    await setup.query(`
      CREATE TABLE patients (id int PRIMARY KEY, name text);
      CREATE TABLE orders (id serial PRIMARY KEY, patient_id int REFERENCES patients(id), note text);
      INSERT INTO patients SELECT g, 'p' || g FROM generate_series(1, 200) g;
      INSERT INTO orders (patient_id, note) SELECT 1 + g % 200, 'n' FROM generate_series(1, 2000) g;
      CREATE TABLE audit_log (id int, payload text) WITH (autovacuum_enabled = false);
      INSERT INTO audit_log SELECT g, repeat('x', 50) FROM generate_series(1, 20000) g;
      DELETE FROM audit_log WHERE id % 4 <> 0;
      CREATE TABLE backup_log (finished_at timestamptz, status text);
      INSERT INTO backup_log VALUES (now() - interval '9 days', 'success'), (now() - interval '1 day', 'failed');
      GRANT SELECT ON backup_log TO wl_monitor;`);
    // A hot foreign key without an index: every lookup by patient scans the whole table.
    for (let i = 0; i < 120; i++) await setup.query(`SELECT count(*) FROM orders WHERE patient_id = $1`, [1 + (i % 200)]);
    await setup.query(`SELECT pg_stat_force_next_flush()`).catch(() => undefined);
    // A session left idle in a transaction holding a row lock, and another one waiting for that lock.
    const idle = await open();
    await idle.query(`BEGIN; UPDATE patients SET name = 'held' WHERE id = 1`);
    const waiter = await open();
    void waiter.query(`UPDATE patients SET name = 'waits' WHERE id = 1`).catch(() => undefined);

    // MariaDB in similar states.
    await mariaAdmin.query(`
      CREATE DATABASE lis;
      CREATE TABLE lis.results (id int AUTO_INCREMENT PRIMARY KEY, payload varchar(2000)) ENGINE=InnoDB;
      CREATE TABLE lis.import_stage (sample varchar(40), value varchar(40)) ENGINE=InnoDB;
      INSERT INTO lis.import_stage VALUES ('s1', '1'), ('s2', '2');
      CREATE TABLE mysql.backup_history (backup_id bigint, end_time datetime, exit_state varchar(20));
      INSERT INTO mysql.backup_history VALUES (1, NOW() - INTERVAL 5 DAY, 'SUCCESS'), (2, NOW() - INTERVAL 1 DAY, 'FAILURE');
      CREATE USER 'wl_monitor'@'127.0.0.1' IDENTIFIED BY 'monitor-pw';
      GRANT PROCESS, SELECT ON *.* TO 'wl_monitor'@'127.0.0.1';`);
    // Fragmentation: fill a table, then delete most of it.
    await mariaAdmin.query(`INSERT INTO lis.results (payload) SELECT REPEAT('r', 1900) FROM lis.seq_1_to_12000`);
    await mariaAdmin.query(`DELETE FROM lis.results WHERE id > 1200`);
    await mariaAdmin.query(`ANALYZE TABLE lis.results`);
    const open2 = await maria.admin();
    maConns.push(open2);
    await open2.query(`START TRANSACTION`);
    await open2.query(`UPDATE lis.import_stage SET value = 'held' WHERE sample = 's1'`);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(pgClients.map((c) => c.end().catch(() => undefined)));
    await Promise.all(maConns.map((c) => c.end().catch(() => undefined)));
    await mariaAdmin?.end().catch(() => undefined);
    for (const id of Object.values(INSPECTION_SCHEDULE_IDS)) await p?.temporal.schedule.getHandle(id).delete().catch(() => undefined);
    await p?.stop();
    await fleet?.stop();
    await maria?.stop();
    if (pgDbName) {
      const admin = new PgClient({ connectionString: pgUrl.toString() });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${pgDbName} WITH (FORCE)`);
      await admin.end();
    }
    if (mounted) execFileSync('umount', ['-l', disk]);
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('sets up the system: credentials sealed, a hospital check and tuned versions published as data', async () => {
    await post('/ssh/credentials', itManager.token, { name: 'insp-key', username: fleet.username, kind: 'key', privateKey: fleet.privateKey });
    await post('/ssh/host-keys', itManager.token, { host: address, port: fleet.port, publicKey: fleet.hostPublicKey });
    const cred = await post('/db-credentials', itManager.token, { name: 'pg-monitor', username: 'wl_monitor', password: 'monitor-pw' });
    expect(cred).toEqual({ id: expect.any(String), name: 'pg-monitor', username: 'wl_monitor', createdAt: expect.any(String) });
    expect((await p.call('POST', '/db-credentials', engineer.token, { name: 'x', username: 'y', password: 'z' })).status).toBe(403);
    await post('/db-credentials', itManager.token, { name: 'pg-wrong', username: 'wl_monitor', password: 'not-the-password' });
    await post('/db-credentials', itManager.token, { name: 'maria-monitor', username: 'wl_monitor', password: 'monitor-pw' });
    expect(JSON.stringify((await p.call('GET', '/db-credentials', engineer.token)).body)).not.toContain('monitor-pw');

    const catalogue = (await p.call('GET', '/inspection-checks', engineer.token)).body.items;
    expect(catalogue.length).toBeGreaterThanOrEqual(25);
    const idle = catalogue.find((c: any) => c.id === 'pg.idle_in_transaction');
    expect(idle).toMatchObject({ version: 1, source: 'shipped', title: { zh: '事务中空闲的会话' } });
    // The hospital's own thresholds (its sessions may not idle at all) are a new version; version 1 stays.
    const tuned = await publish({ ...idle, thresholds: [{ op: '>=', value: 1, severity: 'medium' }], version: undefined, source: undefined, createdBy: undefined, createdAt: undefined });
    expect(tuned).toMatchObject({ id: 'pg.idle_in_transaction', version: 2, source: 'hospital', createdBy: '信息科主任' });
    const lockWaits = catalogue.find((c: any) => c.id === 'pg.lock_waits');
    await publish({ ...strip(lockWaits), thresholds: [{ op: '>=', value: 1, severity: 'medium' }] });
    const longTx = catalogue.find((c: any) => c.id === 'mysql.long_transactions');
    await publish({ ...strip(longTx), thresholds: [{ op: '>=', value: 1, severity: 'medium' }] });
    expect((await p.call('GET', '/inspection-checks/pg.idle_in_transaction', engineer.token)).body.versions.map((v: any) => v.version)).toEqual([1, 2]);
    // A check the hospital adds without code: its backup tool's own log table.
    await publish({
      id: 'pg.backup_log_age',
      collector: 'postgresql',
      appliesTo: { itemTypes: ['database'], engines: ['postgresql'] },
      profiles: ['quarterly', 'monthly'],
      precondition: `SELECT 1 FROM pg_tables WHERE tablename = 'backup_log'`,
      query: `SELECT 'backup_log' AS subject, round(extract(epoch FROM now() - max(finished_at)) / 3600) AS value FROM backup_log WHERE status = 'success'`,
      unit: 'h',
      basis: 'value',
      thresholds: [{ op: '>=', value: 26, severity: 'medium' }, { op: '>=', value: 48, severity: 'high' }],
      onNull: 'high',
      severity: 'high',
      title: { zh: '备份日志：最近一次成功备份', en: 'Backup log: last successful backup' },
      explanation: { zh: '院内备份脚本写入的备份日志', en: "The hospital's backup script's log" },
      advice: { zh: '检查备份脚本并补做备份', en: 'Check the backup script and back up now' },
    });
    // And one that is broken: it must become a finding of its own, not a failed run.
    await publish({ ...strip(idle), id: 'pg.custom_broken', query: 'SELECT no_such_column FROM no_such_table', title: { zh: '坏的检查', en: 'A broken check' } });
    // The validator names the field.
    const bad = await p.call('POST', '/inspection-checks', itManager.token, { ...strip(idle), id: 'x.y', thresholds: [{ op: '>=', value: 1, severity: 'critical' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('thresholds[0].severity');
    expect((await p.call('POST', '/inspection-checks', engineer.token, strip(idle))).status).toBe(403);

    const server = await item('server', 'lis-app-01', { os: 'Debian GNU/Linux 12', osFamily: 'debian', ip: address, sshPort: fleet.port, sshCredential: 'insp-key', environment: 'test' }, 'high');
    const down = await item('server', 'lis-app-02', { os: 'Debian GNU/Linux 12', ip: '127.0.32.1', sshPort: await freePort(), sshCredential: 'insp-key', environment: 'test' }, 'low');
    const pg = await item('database', 'lis-pg', { engine: 'postgresql', host: '127.0.0.1', port: Number(pgUrl.port), dbName: pgDbName, dbCredential: 'pg-monitor' }, 'critical');
    const pgWrong = await item('database', 'lis-pg-replica', { engine: 'postgresql', host: '127.0.0.1', port: Number(pgUrl.port), dbName: pgDbName, dbCredential: 'pg-wrong' }, 'medium');
    const my = await item('database', 'lis-maria', { engine: 'mysql', host: '127.0.0.1', port: maria.port, dbCredential: 'maria-monitor' }, 'critical');
    const backup = await item('backup_job', 'lis-nightly', { schedule: '0 1 * * *', lastSuccessAt: new Date(Date.now() - 3 * 86_400_000).toISOString() });
    await relate('runs_on', 'SYS-12', server.id);
    await relate('runs_on', 'SYS-12', down.id);
    await relate('uses_database', 'SYS-12', pg.id);
    await relate('uses_database', 'SYS-12', pgWrong.id);
    await relate('uses_database', 'SYS-12', my.id);
    await relate('backed_up_by', pg.id, backup.id);
  }, 60_000);

  it('an on-demand inspection of the system finds the planted problems, and the bad paths are findings', async () => {
    fill(10);
    // The planted sessions must be older than the tuned thresholds (>= 1 s) when the collectors look. MariaDB counts
    // whole seconds (TIMESTAMPDIFF over INNODB_TRX.trx_started), so a transaction opened moments before reads 0 s and
    // is rightly no finding: on a fast machine the set-up above takes under a second. Wait until the servers
    // themselves report every planted state at least 2 s old, instead of hoping the set-up took long enough.
    const [held] = maConns;
    await waitUntil(
      'the planted transactions and lock wait to be 2 s old',
      async () => {
        const [rows] = await mariaAdmin.query(`SELECT TIMESTAMPDIFF(SECOND, trx_started, NOW()) AS age FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = ?`, [held.threadId]);
        const maria = Number((rows as { age: string }[])[0]?.age ?? -1);
        const pg = await pgClients[0].query(
          `SELECT count(*) FILTER (WHERE state = 'idle in transaction') AS idle, count(*) FILTER (WHERE wait_event_type = 'Lock') AS waits,
                  coalesce(min(extract(epoch FROM now() - state_change)), 0) AS age
             FROM pg_stat_activity WHERE datname = current_database() AND (state = 'idle in transaction' OR wait_event_type = 'Lock')`,
        );
        const r = pg.rows[0];
        return maria >= 2 && Number(r.idle) === 1 && Number(r.waits) === 1 && Number(r.age) >= 2;
      },
      30_000,
    );
    first = await inspect({ scope: { system: 'SYS-12' } });
    expect(first).toMatchObject({ state: 'completed', phase: 'done', profile: 'quarterly', trigger: 'on_demand', error: null });
    expect(first.progress).toMatchObject({ total: 7, done: 7, running: 0, pending: 0 });
    const findings = (await p.call('GET', `/inspections/${first.id}/findings`, engineer.token)).body.items;
    const of = (itemName: string, checkId: string) => findings.filter((f: any) => f.itemName === itemName && f.checkId === checkId);
    // PostgreSQL, read-only as pg_monitor.
    expect(of('lis-pg', 'pg.idle_in_transaction')).toEqual([expect.objectContaining({ severity: 'medium', checkVersion: 2, evidence: expect.objectContaining({ query: expect.stringContaining('idle in transaction'), detail: expect.stringContaining("UPDATE patients SET name = 'held'") }) })]);
    expect(of('lis-pg', 'pg.lock_waits')).toEqual([expect.objectContaining({ evidence: expect.objectContaining({ detail: expect.stringContaining('blocked by') }) })]);
    expect(of('lis-pg', 'pg.table_bloat')).toEqual([expect.objectContaining({ subject: 'public.audit_log', severity: 'high', value: 75 })]);
    expect(of('lis-pg', 'pg.missing_fk_index')).toEqual([expect.objectContaining({ subject: 'orders (patient_id)', severity: 'medium' })]);
    expect(of('lis-pg', 'pg.missing_fk_index')[0].value).toBeGreaterThanOrEqual(100);
    expect(of('lis-pg', 'pg.backup_log_age')).toEqual([expect.objectContaining({ severity: 'high', unit: 'h' })]);
    expect(of('lis-pg', 'pg.backup_log_age')[0].value).toBeGreaterThanOrEqual(9 * 24);
    expect(of('lis-pg', 'pg.custom_broken')).toEqual([expect.objectContaining({ status: 'error', severity: 'low', evidence: expect.objectContaining({ message: expect.stringContaining('no_such_table') }) })]);
    expect(of('lis-nightly', 'backup.last_success')).toEqual([expect.objectContaining({ severity: 'high' })]);
    // A wrong password: one finding saying so.
    expect(of('lis-pg-replica', 'collector.postgresql')).toEqual([expect.objectContaining({ status: 'error', severity: 'high', evidence: expect.objectContaining({ errorKind: 'auth' }) })]);
    // MariaDB.
    expect(of('lis-maria', 'mysql.long_transactions').length).toBeGreaterThanOrEqual(1);
    expect(of('lis-maria', 'mysql.fragmentation')).toEqual([expect.objectContaining({ subject: 'lis.results' })]);
    expect(of('lis-maria', 'mysql.no_primary_key')).toEqual([expect.objectContaining({ subject: 'lis.import_stage', severity: 'low' })]);
    expect(of('lis-maria', 'mysql.backup_history')).toEqual([expect.objectContaining({ severity: 'high' })]);
    expect(of('lis-maria', 'mysql.binlog')).toEqual([expect.objectContaining({ severity: 'medium' })]);
    // The unreachable server: one finding, the run went on.
    expect(of('lis-app-02', 'collector.ssh')).toEqual([expect.objectContaining({ severity: 'high', evidence: expect.objectContaining({ errorKind: 'unreachable' }) })]);
    // The reachable server ran its OS checks over SSH; the 10 % full disk is no finding.
    const all = (await p.call('GET', `/inspections/${first.id}/findings?all=true&itemId=${findings.find((f: any) => f.itemName === 'lis-pg').itemId}`, engineer.token)).body.items;
    expect(all.some((r: any) => r.status === 'passed')).toBe(true);
    const serverResults = (await p.call('GET', `/inspections/${first.id}/findings?all=true`, engineer.token)).body.items.filter((r: any) => r.itemName === 'lis-app-01');
    const fs = serverResults.filter((r: any) => r.checkId === 'os.fs.usage' && r.subject === disk);
    if (mounted) {
      expect(fs).toEqual([expect.objectContaining({ status: 'passed', severity: null })]);
      expect(fs[0].value).toBeGreaterThanOrEqual(10);
      expect(fs[0].value).toBeLessThan(20);
    }
    expect(serverResults.filter((r: any) => r.checkId === 'os.memory.used')).toEqual([expect.objectContaining({ evidence: expect.objectContaining({ collector: 'ssh', command: expect.stringContaining('/proc/meminfo') }) })]);
    // No secret anywhere in what the API answers.
    expect(JSON.stringify(findings)).not.toContain('monitor-pw');
  }, 300_000);

  it('scores items and the system, explaining which findings took what', async () => {
    const items = (await p.call('GET', `/inspections/${first.id}/items`, engineer.token)).body.items;
    expect(items).toHaveLength(7);
    for (const it of items.filter((i: any) => i.score !== null)) {
      const taken = it.explanation.deductions.reduce((s: number, d: any) => s + d.points, 0);
      expect(it.score).toBe(Math.max(0, Math.round(100 - taken)));
    }
    const pg = items.find((i: any) => i.name === 'lis-pg');
    expect(pg.score).toBeLessThan(60);
    expect(pg.explanation.deductions.map((d: any) => d.checkId)).toEqual(expect.arrayContaining(['pg.table_bloat', 'pg.idle_in_transaction', 'pg.backup_log_age']));
    expect(items.find((i: any) => i.name === 'SYS-12').score).toBeNull();
    const systems = (await p.call('GET', `/inspections/${first.id}/systems`, engineer.token)).body.items;
    expect(systems).toHaveLength(1);
    const sys = systems[0];
    expect(sys).toMatchObject({ name: 'SYS-12', trend: { direction: 'new' } });
    const critical = items.filter((i: any) => ['critical', 'high'].includes(i.criticality) && i.score !== null);
    const weakest = Math.min(...critical.map((i: any) => i.score));
    expect(sys.explanation.weakestCritical.score).toBe(weakest);
    expect(sys.score).toBe(Math.round(0.6 * weakest + 0.4 * sys.explanation.mean));
    expect(sys.explanation.rule.zh).toContain('最弱关键依赖');
  });

  it('ranks the top risks and raises an incident, a change and a problem from them in one call each', async () => {
    const risks = (await p.call('GET', `/inspections/${first.id}/risks`, engineer.token)).body.items;
    expect(risks.length).toBeGreaterThanOrEqual(5);
    expect(risks.map((r: any) => r.rank)).toEqual(risks.map((_: any, i: number) => i + 1));
    for (let i = 1; i < risks.length; i++) expect(risks[i - 1].riskScore).toBeGreaterThanOrEqual(risks[i].riskScore);
    const top = risks[0];
    expect(top.finding.advice.zh).toMatch(/[\u4e00-\u9fff]/);
    const path = `/inspections/${first.id}/risks/${top.finding.id}/raise`;
    expect((await p.call('POST', path, engineer.token, { kind: 'incident' })).status).toBe(403);
    const incident = await post(path, dispatcher.token, { kind: 'incident' });
    expect(incident).toEqual({ kind: 'incident', ref: expect.stringMatching(/^INC-/), created: true });
    const again = await post(path, dispatcher.token, { kind: 'incident' });
    expect(again).toEqual({ kind: 'incident', ref: incident.ref, created: false });
    const inc = await p.call('GET', `/incidents/${incident.ref}`, dispatcher.token);
    expect(inc.body.title).toContain(first.number);
    expect(inc.body.description).toContain('证据 / evidence');
    const change = await post(path, engineer.token, { kind: 'change' });
    expect(change.ref).toMatch(/^CHG-/);
    // S1: the risk's root cause is worth a problem of its own; it starts investigating with the evidence.
    const problem = await post(path, engineer.token, { kind: 'problem' });
    expect(problem).toEqual({ kind: 'problem', ref: expect.stringMatching(/^PRB-/), created: true });
    expect((await post(path, engineer.token, { kind: 'problem' })).ref).toBe(problem.ref);
    const prb = await p.call('GET', `/problems/${problem.ref}`, engineer.token);
    expect(prb.status).toBe(200);
    expect(prb.body).toMatchObject({ state: 'investigating' });
    expect(prb.body.title).toContain(first.number);
    expect(prb.body.description).toContain('证据 / evidence');
    const after = (await p.call('GET', `/inspections/${first.id}/risks`, engineer.token)).body.items[0];
    expect(after.raised.map((r: any) => r.kind).sort()).toEqual(['change', 'incident', 'problem']);
  }, 60_000);

  it('a second, monthly inspection compares with the first and calls out what worsened', async () => {
    if (mounted) fill(98);
    // The idle session ends: its finding and the lock wait are gone next time.
    await pgClients[1].query('ROLLBACK');
    second = await inspect({ scope: { system: 'SYS-12' }, profile: 'monthly' });
    expect(second).toMatchObject({ state: 'completed', profile: 'monthly', previousId: first.id });
    const findings = (await p.call('GET', `/inspections/${second.id}/findings`, engineer.token)).body.items;
    expect(findings.filter((f: any) => f.checkId === 'pg.idle_in_transaction')).toHaveLength(0);
    // The lighter monthly profile skips quarterly-only checks such as table bloat.
    expect(findings.filter((f: any) => f.checkId === 'pg.table_bloat')).toHaveLength(0);
    const items = (await p.call('GET', `/inspections/${second.id}/items`, engineer.token)).body.items;
    const server = items.find((i: any) => i.name === 'lis-app-01');
    expect(server.previousScore).toBe((await p.call('GET', `/inspections/${first.id}/items`, engineer.token)).body.items.find((i: any) => i.name === 'lis-app-01').score);
    if (mounted) {
      expect(findings.filter((f: any) => f.checkId === 'os.fs.usage' && f.subject === disk)).toEqual([expect.objectContaining({ severity: 'critical', value: expect.any(Number) })]);
      expect(server.trend).toMatchObject({ direction: 'worse', worsening: true });
    }
    const sys = (await p.call('GET', `/inspections/${second.id}/systems`, engineer.token)).body.items[0];
    expect(sys.previousScore).toBe((await p.call('GET', `/inspections/${first.id}/systems`, engineer.token)).body.items[0].score);
  }, 300_000);

  it('stores the zh-CN report as PDF and XLSX; the PDF holds the system, its score and the findings', async () => {
    const list = (await p.call('GET', '/inspection-reports', engineer.token)).body.items;
    expect(list).toHaveLength(2);
    const report = list.find((r: any) => r.inspectionId === second.id);
    expect(report).toMatchObject({ state: 'awaiting_signoff', version: 1, periodStart: first.startedAt, periodEnd: second.startedAt, pdf: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    const periodOnly = (await p.call('GET', `/inspection-reports?from=${encodeURIComponent(second.startedAt)}`, engineer.token)).body.items;
    expect(periodOnly.map((r: any) => r.id)).toEqual([report.id]);
    const pdfRes = await fetch(`${p.baseUrl}/inspection-reports/${report.id}/pdf`, { headers: { authorization: `Bearer ${engineer.token}` } });
    expect(pdfRes.status).toBe(200);
    expect(pdfRes.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await pdfRes.arrayBuffer());
    const pdfPath = join(work, 'report.pdf');
    writeFileSync(pdfPath, pdf);
    const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
    const sys = (await p.call('GET', `/inspections/${second.id}/systems`, engineer.token)).body.items[0];
    expect(text).toContain('系统巡检报告');
    expect(text).toContain('Inspection report');
    expect(text).toContain(second.number);
    expect(text).toContain('SYS-12');
    expect(text).toMatch(new RegExp(`SYS-12[^\\n]*\\s${sys.score}\\s`));
    expect(text).toContain('数据库环境');
    expect(text.indexOf('数据库环境')).toBeLessThan(text.indexOf('服务器及其他配置项'));
    expect(text).toContain('lis-pg');
    expect(text).toContain('与上次巡检相比');
    if (mounted) expect(text).toContain(disk);
    // The first page as an image (what a person opens first).
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', pdfPath, join(work, 'page')]);
    const png = readFileSync(join(work, 'page-1.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const firstPage = execFileSync('pdftotext', ['-f', '1', '-l', '1', pdfPath, '-'], { encoding: 'utf8' });
    expect(firstPage).toContain('SYS-12');

    const xlsxRes = await fetch(`${p.baseUrl}/inspection-reports/${report.id}/xlsx`, { headers: { authorization: `Bearer ${engineer.token}` } });
    expect(xlsxRes.status).toBe(200);
    const sheets = await readWorkbook(Buffer.from(await xlsxRes.arrayBuffer()));
    const rows = sheets.get('全部发现 Findings')!;
    const findings = (await p.call('GET', `/inspections/${second.id}/findings`, engineer.token)).body.items;
    expect(rows.length - 1).toBe(findings.length);
    expect(rows[0][0]).toContain('严重程度');
    expect(rows.slice(1).map((r) => r[4]).sort()).toEqual(findings.map((f: any) => f.checkId).sort());
  }, 60_000);

  it('is signed off by the project manager and the quality manager through the API', async () => {
    const report = (await p.call('GET', '/inspection-reports', engineer.token)).body.items[0];
    expect((await p.call('POST', `/inspection-reports/${report.id}/sign-off`, engineer.token, {})).status).toBe(403);
    const one = await post(`/inspection-reports/${report.id}/sign-off`, pm.token, { note: '已核对' }, 200);
    expect(one).toMatchObject({ state: 'awaiting_signoff', signOffs: [{ role: 'project_manager', by: '项目经理张', note: '已核对' }] });
    const twice = await p.call('POST', `/inspection-reports/${report.id}/sign-off`, pm.token, {});
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('ALREADY_SIGNED');
    const both = await post(`/inspection-reports/${report.id}/sign-off`, qm.token, {}, 200);
    expect(both.state).toBe('signed_off');
    expect(both.signOffs.map((s: any) => s.role)).toEqual(['project_manager', 'quality_manager']);
  });

  it('keeps the quarterly and monthly schedules as Temporal Schedules', async () => {
    // The schedules have fixed ids on the shared test server, and a compiled worker another test file started
    // (src/worker.ts ensures them at every start) may have made them: start from none.
    for (const id of Object.values(INSPECTION_SCHEDULE_IDS)) await p.temporal.schedule.getHandle(id).delete().catch(() => undefined);
    expect((await p.call('GET', '/inspection-schedules', engineer.token)).body.items.every((s: any) => s.exists === false)).toBe(true);
    await ensureInspectionSchedules(p.temporal, { taskQueue: p.config.taskQueue, timeZone: 'Asia/Shanghai', config: loadInspectionConfig({}) });
    // Idempotent: the worker calls it at every start.
    await ensureInspectionSchedules(p.temporal, { taskQueue: p.config.taskQueue, timeZone: 'Asia/Shanghai', config: loadInspectionConfig({}) });
    const schedules = (await p.call('GET', '/inspection-schedules', engineer.token)).body.items;
    expect(schedules).toEqual([
      expect.objectContaining({ profile: 'quarterly', exists: true, paused: false, cron: ['0 2 1 1,4,7,10 *'], timeZone: 'Asia/Shanghai' }),
      expect.objectContaining({ profile: 'monthly', exists: true, cron: ['0 2 1 2,3,5,6,8,9,11,12 *'] }),
    ]);
    // The next quarterly run is at 02:00 Asia/Shanghai on the first day of a quarter.
    const next = new Date(schedules[0].nextRuns[0]);
    const local = new Date(next.getTime() + 8 * 3_600_000);
    expect([local.getUTCDate(), local.getUTCHours(), [0, 3, 6, 9].includes(local.getUTCMonth())]).toEqual([1, 2, true]);
  });

  it('refuses bad input with bilingual errors naming the field', async () => {
    const none = await p.call('POST', '/inspections', engineer.token, { scope: {} });
    expect(none.status).toBe(400);
    expect(none.body.errors[0].field).toBe('scope');
    const unknown = await p.call('POST', '/inspections', engineer.token, { scope: { system: 'SYS-999' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.messageZh).toContain('SYS-999');
    expect((await p.call('POST', '/inspections', engineer.token, { scope: { all: true }, sneaky: 1 })).status).toBe(400);
    expect((await p.call('POST', '/inspections', dispatcher.token, { scope: { all: true } })).status).toBe(403);
    expect((await p.call('GET', '/inspections/INS-19990101-0001', engineer.token)).status).toBe(404);
  });
});

function strip(def: any) {
  const { version: _v, source: _s, createdBy: _c, createdAt: _a, ...rest } = def;
  return rest;
}
