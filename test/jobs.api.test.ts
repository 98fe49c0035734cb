import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { format } from 'node:util';
import { SshdFleet, loopbackAddresses, startSshdFleet } from '../src/infra/testing/sshd-fleet';
import { freePort } from '../src/infra/net';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { waitUntil } from './support/workflow-input';

/**
 * P5 end to end: credentials and pinned host keys, job templates with typed parameters, job runs in batches over
 * real sshd endpoints on loopback addresses, pause/resume/cancel, the failure threshold, the S4 change rule,
 * schedules, the audit trail, and no credential in workflow history, logs or answers.
 */
describe('jobs over SSH', () => {
  let p: TestPlatform;
  let fleet: SshdFleet;
  let itManager: TestUser;
  let engineer: TestUser;
  let reviewer: TestUser;
  let downPort: number;
  const addresses = loopbackAddresses(6, 21);
  const unpinned = '127.0.22.1';
  const logged: string[] = [];
  const restore: (() => void)[] = [];
  const hour = 3_600_000;
  const marker = `/tmp/wardline-job-pwned-${randomBytes(4).toString('hex')}`;

  const server = async (name: string, ip: string, attributes: Record<string, unknown> = {}) => {
    const res = await p.call('POST', '/cmdb/items', engineer.token, {
      type: 'server',
      name,
      displayName: name,
      attributes: { os: 'Debian GNU/Linux 12', ip, sshPort: fleet.port, sshCredential: 'fleet-key', environment: 'test', ...attributes },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const runUntilDone = async (id: string): Promise<any> =>
    waitUntil(`run ${id} to end`, async () => {
      const r = await p.call('GET', `/jobs/runs/${id}`, engineer.token);
      // finishedAt is set by the run's last projection (after a cancel, the state is cancelled a moment earlier).
      return r.body.finishedAt ? r.body : null;
    }, 60_000);

  beforeAll(async () => {
    // Everything the platform logs in this process is kept, to search for secrets at the end.
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        logged.push(String(chunk));
        return (write as any)(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => (stream.write = write));
    }
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const original = console[level];
      console[level] = (...args: unknown[]) => {
        logged.push(format(...args));
        original(...args);
      };
      restore.push(() => (console[level] = original));
    }
    fleet = await startSshdFleet({ addresses: [...addresses, unpinned] });
    p = await startPlatform();
    itManager = await p.user(['it_manager'], '信息科主任');
    engineer = await p.user(['engineer'], '驻场李工');
    reviewer = await p.user(['reviewer'], '信息科评审');
    downPort = await freePort();
  });
  afterAll(async () => {
    await p?.stop();
    await fleet?.stop();
    restore.forEach((r) => r());
  });

  it('stores a credential sealed and never answers it back; only IT managers (and admin) may add one', async () => {
    const body = { name: 'fleet-key', username: fleet.username, kind: 'key', privateKey: fleet.privateKey };
    expect((await p.call('POST', '/ssh/credentials', engineer.token, body)).status).toBe(403);
    const bad = await p.call('POST', '/ssh/credentials', itManager.token, { ...body, privateKey: 'not a key' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('privateKey');
    const unknownField = await p.call('POST', '/ssh/credentials', itManager.token, { ...body, sneaky: 1 });
    expect(unknownField.status).toBe(400);
    const created = await p.call('POST', '/ssh/credentials', itManager.token, body);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), name: 'fleet-key', username: fleet.username, kind: 'key', become: 'none', createdAt: expect.any(String) });
    if (fleet.password) {
      const pw = await p.call('POST', '/ssh/credentials', itManager.token, { name: 'fleet-password', username: fleet.username, kind: 'password', password: fleet.password });
      expect(pw.status).toBe(201);
    }
    const wrong = await p.call('POST', '/ssh/credentials', itManager.token, { name: 'wrong-password', username: fleet.username, kind: 'password', password: 'definitely-wrong' });
    expect(wrong.status).toBe(201);
    // Sealed in the shared vault: the row holds an id, the ciphertext no plaintext.
    const [row] = await p.ds.query(`SELECT s.kind, s.ciphertext FROM ssh_credentials c JOIN secrets s ON s.id = c.secret_id WHERE c.name = 'fleet-key'`);
    expect(row.kind).toBe('ssh.private_key');
    expect(Buffer.from(row.ciphertext).includes(Buffer.from('PRIVATE KEY'))).toBe(false);
    const dup = await p.call('POST', '/ssh/credentials', itManager.token, body);
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 'DUPLICATE', messageZh: expect.stringContaining('凭据'), messageEn: expect.stringContaining('fleet-key') });
    const list = await p.call('GET', '/ssh/credentials', engineer.token);
    expect(list.body.items).toHaveLength(fleet.password ? 3 : 2);
    expect(JSON.stringify(list.body)).not.toContain('PRIVATE KEY');
  });

  it('pins host keys only when an IT manager accepts a scanned key or imports one', async () => {
    const scan = await p.call('POST', '/ssh/host-keys/scan', engineer.token, { host: addresses[0], port: fleet.port });
    expect(scan.status).toBe(200);
    expect(scan.body).toMatchObject({ status: 'not_pinned', pinned: null, presented: { fingerprint: fleet.hostFingerprint, publicKey: fleet.hostPublicKey } });
    expect((await p.call('POST', '/ssh/host-keys', engineer.token, { host: addresses[0], port: fleet.port, fingerprint: fleet.hostFingerprint })).status).toBe(403);
    const wrongPrint = await p.call('POST', '/ssh/host-keys', itManager.token, { host: addresses[0], port: fleet.port, fingerprint: `SHA256:${'A'.repeat(43)}` });
    expect(wrongPrint.status).toBe(409);
    const accepted = await p.call('POST', '/ssh/host-keys', itManager.token, { host: addresses[0], port: fleet.port, fingerprint: fleet.hostFingerprint });
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({ source: 'scan', state: 'accepted', fingerprint: fleet.hostFingerprint, acceptedBy: '信息科主任' });
    for (const a of addresses.slice(1)) {
      const imported = await p.call('POST', '/ssh/host-keys', itManager.token, { host: a, port: fleet.port, publicKey: `${fleet.hostPublicKey} root@${a}` });
      expect(imported.status).toBe(201);
    }
    const other = await p.call('POST', '/ssh/host-keys', itManager.token, { host: addresses[1], port: fleet.port, publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl' });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('HOST_KEY_PINNED');
    const keys = await p.call('GET', '/ssh/host-keys?state=accepted', engineer.token);
    expect(keys.body.items).toHaveLength(addresses.length);
  });

  let templateId: string;
  let ids: string[];

  it('runs a template on CMDB servers in batches; every host is a result, failures by kind', async () => {
    ids = [];
    for (const [i, a] of addresses.entries()) ids.push(await server(`app-${i}`, a));
    const down = await server('down-1', '127.0.23.1', { sshPort: downPort });
    const noPin = await server('nopin-1', unpinned);
    const badAuth = await server('badauth-1', addresses[5], { sshCredential: 'wrong-password' });
    const tpl = await p.call('POST', '/jobs/templates', engineer.token, {
      name: 'hello',
      shell: 'bash',
      readOnly: true,
      script: 'printf "%s|" "$greeting"; uname -s; [ "$fail" = "yes" ] && exit 7; exit 0',
      parameters: [
        { name: 'greeting', type: 'string' },
        { name: 'fail', type: 'enum', values: ['yes', 'no'], default: 'no' },
      ],
    });
    expect(tpl.status).toBe(201);
    expect(tpl.body).toMatchObject({ currentVersion: 1, versions: [{ version: 1, scriptSha256: expect.stringMatching(/^[0-9a-f]{64}$/) }] });
    templateId = tpl.body.id;

    const hostile = `'; touch ${marker}; echo '$(touch ${marker})`;
    const res = await p.call('POST', '/jobs/runs', engineer.token, {
      templateId,
      parameters: { greeting: hostile },
      targets: { itemIds: [...ids.slice(0, 5), `server:down-1`, noPin, badAuth] },
      batch: { size: 3 },
      parallelism: 2,
      failureThreshold: { maxFailures: 5 },
      connectTimeoutSeconds: 5,
      commandTimeoutSeconds: 30,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'running', readOnly: true, production: false, change: null, template: { name: 'hello', version: 1 } });
    expect(res.body.number).toMatch(/^JOB-\d{8}-\d{4}$/);
    expect(res.body.hosts.map((h: any) => h.batch)).toEqual([0, 0, 0, 1, 1, 1, 2, 2]);
    const done = await runUntilDone(res.body.id);
    expect(done.state).toBe('completed_with_failures');
    expect(done.counts).toEqual({ total: 8, pending: 0, running: 0, succeeded: 5, failed: 3, skipped: 0 });
    expect(done.byErrorKind).toEqual({ unreachable: 1, host_key: 1, auth: 1 });
    expect(done.hosts).toHaveLength(8);
    const byName = Object.fromEntries(done.hosts.map((h: any) => [h.name, h]));
    expect(byName['app-0']).toMatchObject({ status: 'succeeded', exitCode: 0, errorKind: null, stdout: { head: `${hostile}|Linux\n`, omittedBytes: 0 } });
    expect(byName['down-1']).toMatchObject({ status: 'failed', errorKind: 'unreachable' });
    expect(byName['nopin-1']).toMatchObject({ status: 'failed', errorKind: 'host_key', data: { hostKeyProblem: { reason: 'unknown' } } });
    expect(byName['badauth-1']).toMatchObject({ status: 'failed', errorKind: 'auth' });
    expect(existsSync(marker)).toBe(false);
    void down;

    const audit = await p.call('GET', `/jobs/runs/${done.id}/audit`, engineer.token);
    expect(audit.body.items.map((e: any) => e.action)).toEqual(['run_requested', 'run_finished']);
    expect(audit.body.items[0]).toMatchObject({ actor: '驻场李工', data: { template: { name: 'hello', version: 1, scriptSha256: tpl.body.versions[0].scriptSha256 }, parameters: { greeting: hostile } } });
    expect(audit.body.items[0].data.hosts).toHaveLength(8);
    expect(audit.body.items[1].data.counts).toMatchObject({ succeeded: 5, failed: 3 });
  });

  it('honours Idempotency-Key on run creation: the same key and body make one run', async () => {
    const body = { templateId, parameters: { greeting: 'once' }, targets: { itemIds: [ids[0]] } };
    const send = (b: unknown) =>
      fetch(`${p.baseUrl}/jobs/runs`, { method: 'POST', headers: { authorization: `Bearer ${engineer.token}`, 'content-type': 'application/json', 'idempotency-key': 'run-once-1' }, body: JSON.stringify(b) });
    const [a, b] = await Promise.all([send(body), send(body)]);
    const [ja, jb] = [(await a.json()) as any, (await b.json()) as any];
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(ja.id).toBe(jb.id);
    const other = await send({ ...body, parameters: { greeting: 'twice' } });
    expect(other.status).toBe(422);
    await runUntilDone(ja.id);
  });

  it('refuses bad parameters and targets with the field named', async () => {
    const bad = await p.call('POST', '/jobs/runs', engineer.token, { templateId, parameters: { greeting: 'x', fail: 'maybe', extra: 1 }, targets: { itemIds: ids } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('parameters.fail');
    expect(bad.body.message).toContain('parameters.extra');
    const both = await p.call('POST', '/jobs/runs', engineer.token, { templateId, parameters: { greeting: 'x' }, targets: { itemIds: ids, system: 'SYS-11' } });
    expect(both.status).toBe(400);
    const notServer = await p.call('POST', '/jobs/runs', engineer.token, { templateId, parameters: { greeting: 'x' }, targets: { itemIds: ['SYS-11'] } });
    expect(notServer.status).toBe(400);
    expect(notServer.body.message).toContain('not a server');
    const badBatch = await p.call('POST', '/jobs/runs', engineer.token, { templateId, parameters: { greeting: 'x' }, targets: { itemIds: ids }, batch: { size: 2, percent: 50 } });
    expect(badBatch.status).toBe(400);
    expect((await p.call('POST', '/jobs/runs', reviewer.token, { templateId, parameters: { greeting: 'x' }, targets: { itemIds: ids } })).status).toBe(403);
  });

  it('stops at the failure threshold and skips the rest; targets by attributes', async () => {
    const res = await p.call('POST', '/jobs/runs', engineer.token, {
      templateId,
      parameters: { greeting: 'hi', fail: 'yes' },
      targets: { attributes: { sshCredential: 'fleet-key', environment: 'test' } },
      batch: { size: 2 },
      parallelism: 2,
      failureThreshold: { maxFailures: 1 },
    });
    expect(res.status).toBe(201);
    const done = await runUntilDone(res.body.id);
    expect(done.state).toBe('stopped_threshold');
    expect(done.counts.failed).toBe(2);
    expect(done.counts.succeeded).toBe(0);
    expect(done.counts.skipped).toBe(done.counts.total - 2);
    expect(done.hosts.find((h: any) => h.status === 'failed')).toMatchObject({ errorKind: 'nonzero_exit', exitCode: 7 });
  });

  it('pauses, resumes and cancels by Update; an illegal action is a 409 naming what is allowed', async () => {
    const slow = await p.call('POST', '/jobs/templates', engineer.token, { name: 'slow', shell: 'bash', readOnly: true, script: 'sleep 1; echo done', parameters: [] });
    expect(slow.status).toBe(201);
    const res = await p.call('POST', '/jobs/runs', engineer.token, { templateId: slow.body.id, targets: { itemIds: ids }, batch: { size: 1 }, parallelism: 1 });
    expect(res.status).toBe(201);
    const id = res.body.id;
    const illegal = await p.call('POST', `/jobs/runs/${id}/resume`, engineer.token, {});
    expect({ status: illegal.status, body: illegal.status === 409 ? null : illegal.body }).toEqual({ status: 409, body: null });
    expect(illegal.body.allowedActions).toEqual(['pause', 'cancel']);
    const paused = await p.call('POST', `/jobs/runs/${id}/pause`, engineer.token, {});
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ state: 'paused', allowedActions: ['resume', 'cancel'] });
    // Paused: the host already started finishes, no other starts.
    const settled: any = await waitUntil('paused run to settle', async () => {
      const r = await p.call('GET', `/jobs/runs/${id}`, engineer.token);
      return r.body.counts.running === 0 ? r.body : null;
    }, 20_000);
    const finishedWhilePaused = settled.counts.succeeded;
    expect(finishedWhilePaused).toBeLessThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await p.call('GET', `/jobs/runs/${id}`, engineer.token)).body.counts.succeeded).toBe(finishedWhilePaused);
    expect((await p.call('POST', `/jobs/runs/${id}/resume`, engineer.token, {})).body.state).toBe('running');
    await waitUntil('a host after resume', async () => ((await p.call('GET', `/jobs/runs/${id}`, engineer.token)).body.counts.succeeded > finishedWhilePaused ? true : null), 20_000);
    const cancelled = await p.call('POST', `/jobs/runs/${id}/cancel`, engineer.token, { reason: '变更窗口调整' });
    expect(cancelled.status).toBe(200);
    const done = await runUntilDone(id);
    expect(done).toMatchObject({ state: 'cancelled', stopReason: '变更窗口调整' });
    expect(done.counts.skipped).toBeGreaterThan(0);
    expect(done.counts.succeeded + done.counts.skipped).toBe(ids.length);
    expect((await p.call('POST', `/jobs/runs/${id}/pause`, engineer.token, {})).status).toBe(409);
    const audit = await p.call('GET', `/jobs/runs/${id}/audit`, engineer.token);
    expect(audit.body.items.map((e: any) => e.action)).toEqual(['run_requested', 'run_pause', 'run_resume', 'run_cancel', 'run_finished']);
  });

  it('S4: a run that can change production servers needs an approved change with an open window, and records it', async () => {
    const prod = await server('his-prod-1', addresses[0], { environment: 'production' });
    const unstated = await server('his-prod-2', addresses[1], { environment: undefined });
    const change = await p.call('POST', '/jobs/templates', engineer.token, {
      name: 'restart-service',
      shell: 'bash',
      readOnly: false,
      script: 'echo "restart $service"',
      parameters: [{ name: 'service', type: 'string', pattern: '[a-z0-9-]+' }],
    });
    const body = { templateId: change.body.id, parameters: { service: 'his-app' }, targets: { itemIds: [prod, unstated] } };
    const without = await p.call('POST', '/jobs/runs', engineer.token, body);
    expect(without.status).toBe(400);
    expect(without.body.errors[0].field).toBe('changeId');
    expect(without.body.messageZh).toContain('变更');
    const chg = await p.call('POST', '/changes', engineer.token, {
      systemId: 'SYS-11',
      kind: 'normal',
      title: '重启 HIS 应用服务',
      reason: '内存泄漏',
      dialect: 'postgresql',
      forwardScript: 'SELECT 1;',
      rollbackScript: '',
      objects: [],
      risk: 'low',
      window: { start: new Date(Date.now() - hour).toISOString(), end: new Date(Date.now() + hour).toISOString() },
    });
    expect(chg.status).toBe(201);
    const notApproved = await p.call('POST', '/jobs/runs', engineer.token, { ...body, changeId: chg.body.number });
    expect(notApproved.status).toBe(409);
    expect(notApproved.body.message).toContain('not approved');
    expect((await p.call('POST', `/changes/${chg.body.number}/review`, reviewer.token, { decision: 'approve' })).body.state).toBe('approved');
    const ok = await p.call('POST', '/jobs/runs', engineer.token, { ...body, changeId: chg.body.number });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ production: true, readOnly: false, change: { id: chg.body.id, number: chg.body.number } });
    const done = await runUntilDone(ok.body.id);
    expect(done.state).toBe('succeeded');
    expect(done.hosts[0].stdout.head).toBe('restart his-app\n');
    const invalid = await p.call('POST', '/jobs/runs', engineer.token, { ...body, parameters: { service: 'his; reboot' }, changeId: chg.body.number });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toContain('parameters.service');
  });

  it('schedules daily operations as Temporal Schedules: listed, fired, paused', async () => {
    const res = await p.call('POST', '/jobs/schedules', engineer.token, {
      name: 'daily-hello',
      cron: '0 8 * * *',
      overlap: 'skip',
      templateId,
      parameters: { greeting: '早上好' },
      targets: { itemIds: ids.slice(0, 2) },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'daily-hello', cron: '0 8 * * *', timeZone: 'Asia/Shanghai', overlap: 'skip', paused: false });
    expect(res.body.nextRuns[0]).toMatch(/T08:00:00\+08:00$/);
    await p.temporal.schedule.getHandle(res.body.scheduleId).trigger();
    const fired: any = await waitUntil('a scheduled run', async () => {
      const s = await p.call('GET', `/jobs/schedules/${res.body.id}`, engineer.token);
      return s.body.recentRuns.length ? s.body.recentRuns[0] : null;
    }, 30_000);
    const run = await runUntilDone(fired.id);
    expect(run).toMatchObject({ state: 'succeeded', scheduleId: res.body.id, parameters: { greeting: '早上好' } });
    expect(run.hosts[0].stdout.head).toBe('早上好|Linux\n');
    const paused = await p.call('POST', `/jobs/schedules/daily-hello/pause`, engineer.token, { note: '节假日停用' });
    expect(paused.body).toMatchObject({ paused: true, note: '节假日停用' });
    const list = await p.call('GET', '/jobs/schedules', engineer.token);
    expect(list.body.items).toHaveLength(1);
    expect((await p.call('POST', '/jobs/schedules', engineer.token, { name: 'bad-cron', cron: 'every day', templateId, parameters: { greeting: 'x' }, targets: { itemIds: ids } })).status).toBe(400);
    expect((await p.call('DELETE', '/jobs/schedules/daily-hello', engineer.token)).status).toBe(403);
    expect((await p.call('DELETE', '/jobs/schedules/daily-hello', itManager.token)).status).toBe(200);
  });

  it('a changed host key refuses the host and says so', async () => {
    await fleet.replaceHostKey();
    const res = await p.call('POST', '/jobs/runs', engineer.token, { templateId, parameters: { greeting: 'x' }, targets: { itemIds: [ids[0]] } });
    const done = await runUntilDone(res.body.id);
    expect(done.hosts[0]).toMatchObject({ status: 'failed', errorKind: 'host_key', data: { hostKeyProblem: { reason: 'changed', presented: { fingerprint: fleet.hostFingerprint } } } });
    expect(done.hosts[0].errorMessage).toContain('CHANGED');
    const scan = await p.call('POST', '/ssh/host-keys/scan', engineer.token, { item: ids[0] });
    expect(scan.body.status).toBe('changed');
  });

  it('no credential reaches workflow history, logs or API answers', async () => {
    const secrets = [fleet.privateKey.split('\n').slice(1, 3).join('\n'), fleet.privateKey.split('\n')[2], 'definitely-wrong', ...(fleet.password ? [fleet.password] : [])];
    const runs = await p.ds.query(`SELECT workflow_id FROM job_runs`);
    expect(runs.length).toBeGreaterThanOrEqual(5);
    let history = '';
    for (const r of runs) history += JSON.stringify(await p.temporal.workflow.getHandle(r.workflow_id).fetchHistory());
    expect(history.length).toBeGreaterThan(10_000);
    const answers = JSON.stringify([(await p.call('GET', '/ssh/credentials', itManager.token)).body, (await p.call('GET', '/jobs/runs', itManager.token)).body]);
    const audit = JSON.stringify(await p.ds.query(`SELECT data FROM ops_audit`));
    for (const s of secrets) {
      expect(s.length).toBeGreaterThan(8);
      expect(history).not.toContain(s);
      expect(logged.join('')).not.toContain(s);
      expect(answers).not.toContain(s);
      expect(audit).not.toContain(s);
    }
  });
});
