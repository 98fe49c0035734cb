import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AptHost, aptHost, buildAptRepo, setAptVersion } from '../../src/infra/testing/apt-host';
import { SshdFleet, loopbackAddresses, startSshdFleet } from '../../src/infra/testing/sshd-fleet';
import { jobRunWorkflowId } from '../../src/shared/job-messages';
import { waitUntil } from '../../test/support/workflow-input';
import type { FlowCase, FlowContext } from './flows';

/** P5 flows: job runs over real sshd endpoints on loopback addresses, and a schedule's firing. */

function must(res: { status: number; body: any }, status: number): any {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

let fixture: Promise<{ fleet: SshdFleet; servers: string[]; templateId: string; slowId: string }> | null = null;

/** One fleet of three endpoints, a credential, pinned keys, servers and two templates, shared by the job cases. */
function sshFixture(ctx: FlowContext) {
  fixture ??= (async () => {
    const { p, people: u } = ctx;
    const fleet = await startSshdFleet({ addresses: loopbackAddresses(3, 41) });
    process.on('exit', () => void fleet.stop());
    must(await p.call('POST', '/ssh/credentials', u.itManager.token, { name: 'histories-key', username: fleet.username, kind: 'key', privateKey: fleet.privateKey }), 201);
    const servers: string[] = [];
    for (const [i, h] of fleet.hosts.entries()) {
      must(await p.call('POST', '/ssh/host-keys', u.itManager.token, { host: h.address, port: h.port, publicKey: fleet.hostPublicKey }), 201);
      const item = must(
        await p.call('POST', '/cmdb/items', u.engineer.token, {
          type: 'server',
          name: `hist-app-${i}`,
          displayName: `应用服务器 ${i}`,
          attributes: { os: 'Debian 12', ip: h.address, sshPort: h.port, sshCredential: 'histories-key', environment: 'test' },
        }),
        201,
      );
      servers.push(item.id);
    }
    const down = must(await p.call('POST', '/cmdb/items', u.engineer.token, { type: 'server', name: 'hist-down', displayName: '停机', attributes: { os: 'Debian 12', ip: '127.0.42.1', sshPort: 9, sshCredential: 'histories-key', environment: 'test' } }), 201);
    servers.push(down.id);
    const tpl = must(await p.call('POST', '/jobs/templates', u.engineer.token, { name: 'hist-uname', shell: 'bash', readOnly: true, script: 'uname -s; echo "$note"', parameters: [{ name: 'note', type: 'string' }] }), 201);
    const slow = must(await p.call('POST', '/jobs/templates', u.engineer.token, { name: 'hist-slow', shell: 'bash', readOnly: true, script: 'sleep 1', parameters: [] }), 201);
    return { fleet, servers, templateId: tpl.id, slowId: slow.id };
  })();
  return fixture;
}

async function ended(ctx: FlowContext, runId: string): Promise<any> {
  return waitUntil(`run ${runId} to end`, async () => {
    const r = await ctx.p.call('GET', `/jobs/runs/${runId}`, ctx.people.engineer.token);
    return r.body.finishedAt ? r.body : null;
  }, 60_000);
}

export const JOB_CASES: FlowCase[] = [
  {
    // Two batches, parallelism 2; the stopped host is a result (unreachable), the run completes with failures.
    name: 'job-run/batches',
    produces: ['job-run/batches'],
    async run(ctx) {
      const f = await sshFixture(ctx);
      const run = must(
        await ctx.p.call('POST', '/jobs/runs', ctx.people.engineer.token, { templateId: f.templateId, parameters: { note: '巡检' }, targets: { itemIds: f.servers }, batch: { size: 2 }, parallelism: 2, connectTimeoutSeconds: 3 }),
        201,
      );
      await ended(ctx, run.id);
      return { 'job-run/batches': jobRunWorkflowId(run.number, run.id) };
    },
  },
  {
    name: 'job-run/paused-cancelled',
    produces: ['job-run/paused-cancelled'],
    async run(ctx) {
      const f = await sshFixture(ctx);
      const token = ctx.people.engineer.token;
      const run = must(await ctx.p.call('POST', '/jobs/runs', token, { templateId: f.slowId, targets: { itemIds: f.servers.slice(0, 3) }, batch: { size: 1 }, parallelism: 1 }), 201);
      must(await ctx.p.call('POST', `/jobs/runs/${run.id}/pause`, token, {}), 200);
      await new Promise((r) => setTimeout(r, 1500));
      must(await ctx.p.call('POST', `/jobs/runs/${run.id}/resume`, token, {}), 200);
      must(await ctx.p.call('POST', `/jobs/runs/${run.id}/cancel`, token, { reason: '演练' }), 200);
      await ended(ctx, run.id);
      return { 'job-run/paused-cancelled': jobRunWorkflowId(run.number, run.id) };
    },
  },
  {
    name: 'scheduled-job/fired',
    produces: ['scheduled-job/fired'],
    async run(ctx) {
      const f = await sshFixture(ctx);
      const s = must(
        await ctx.p.call('POST', '/jobs/schedules', ctx.people.engineer.token, { name: 'hist-daily', cron: '0 8 * * *', templateId: f.templateId, parameters: { note: '早班' }, targets: { itemIds: f.servers.slice(0, 2) } }),
        201,
      );
      await ctx.p.temporal.schedule.getHandle(s.scheduleId).trigger();
      const fired: any = await waitUntil('a scheduled run', async () => (await ctx.p.call('GET', `/jobs/schedules/${s.id}`, ctx.people.engineer.token)).body.recentRuns[0], 30_000);
      await ended(ctx, fired.id);
      const [{ workflow_id }] = await ctx.p.ds.query(`SELECT workflow_id FROM job_runs WHERE id = $1`, [fired.id]);
      const parentId = (await ctx.p.temporal.workflow.getHandle(workflow_id).describe()).parentExecution?.workflowId;
      if (!parentId) throw new Error('the scheduled run has no parent workflow');
      await ctx.p.temporal.workflow.getHandle(parentId).result();
      must(await ctx.p.call('DELETE', `/jobs/schedules/${s.id}`, ctx.people.itManager.token), 200);
      return { 'scheduled-job/fired': parentId };
    },
  },
];

const PKG = 'wl-hist-demo';
let aptFixture: Promise<{ base: string; hosts: AptHost[]; items: string[] }> | null = null;

/** Two apt hosts on private roots (src/infra/testing/apt-host.ts) as production servers, and an approved change. */
function aptFixtureOf(ctx: FlowContext) {
  aptFixture ??= (async () => {
    const { p, people: u } = ctx;
    const base = mkdtempSync(join(tmpdir(), 'wardline-hist-apt-'));
    chmodSync(base, 0o755);
    buildAptRepo(join(base, 'repo'), PKG);
    const hosts = [await aptHost(base, join(base, 'repo'), PKG, '127.0.43.1'), await aptHost(base, join(base, 'repo'), PKG, '127.0.44.1')];
    const items: string[] = [];
    for (const [i, h] of hosts.entries()) {
      must(await p.call('POST', '/ssh/credentials', u.itManager.token, { name: `hist-apt-${i}`, username: h.fleet.username, kind: 'key', privateKey: h.fleet.privateKey }), 201);
      must(await p.call('POST', '/ssh/host-keys', u.itManager.token, { host: h.fleet.hosts[0].address, port: h.fleet.port, publicKey: h.fleet.hostPublicKey }), 201);
      const item = must(
        await p.call('POST', '/cmdb/items', u.engineer.token, {
          type: 'server',
          name: `hist-db-${i}`,
          displayName: `数据库 ${i}`,
          attributes: { os: 'Debian 12', osFamily: 'debian', ip: h.fleet.hosts[0].address, sshPort: h.fleet.port, sshCredential: `hist-apt-${i}` },
        }),
        201,
      );
      items.push(item.id);
    }
    return { base, hosts, items };
  })();
  return aptFixture;
}

async function approvedChange(ctx: FlowContext): Promise<string> {
  const { p, people: u } = ctx;
  const c = must(
    await p.call('POST', '/changes', u.engineer.token, {
      systemId: 'SYS-11',
      kind: 'normal',
      title: '季度补丁',
      reason: '安全更新',
      dialect: 'postgresql',
      forwardScript: 'SELECT 1;',
      rollbackScript: '',
      objects: [],
      risk: 'low',
      window: { start: new Date(Date.now() - 3_600_000).toISOString(), end: new Date(Date.now() + 3_600_000).toISOString() },
    }),
    201,
  );
  must(await p.call('POST', `/changes/${c.number}/review`, u.reviewer.token, { decision: 'approve' }), 200);
  return c.number;
}

async function patchCase(ctx: FlowContext, verification: Record<string, unknown>): Promise<string> {
  const f = await aptFixtureOf(ctx);
  for (const h of f.hosts) await setAptVersion(h, PKG, '1.0.0');
  const changeId = await approvedChange(ctx);
  const run = must(await ctx.p.call('POST', '/patch/runs', ctx.people.engineer.token, { targets: { itemIds: f.items }, changeId, canaries: 1, batch: { size: 1 }, verification, commandTimeoutSeconds: 120 }), 201);
  await waitUntil(`patch run ${run.id}`, async () => (await ctx.p.call('GET', `/patch/runs/${run.id}`, ctx.people.engineer.token)).body.finishedAt, 120_000);
  const [{ workflow_id }] = await ctx.p.ds.query(`SELECT workflow_id FROM job_runs WHERE id = $1`, [run.id]);
  return workflow_id;
}

JOB_CASES.push(
  {
    name: 'patch-run/patched',
    produces: ['patch-run/patched'],
    async run(ctx) {
      return { 'patch-run/patched': await patchCase(ctx, { kind: 'command', script: `test "$(cat "$DPKG_ROOT/usr/share/${PKG}/VERSION")" = 1.1.0` }) };
    },
  },
  {
    name: 'patch-run/rolled-back',
    produces: ['patch-run/rolled-back'],
    async run(ctx) {
      return { 'patch-run/rolled-back': await patchCase(ctx, { kind: 'command', script: 'echo "service did not come back" >&2; exit 1' }) };
    },
  },
);

export async function stopSshFixture(): Promise<void> {
  if (fixture) await (await fixture).fleet.stop();
  fixture = null;
  if (aptFixture) {
    const f = await aptFixture;
    for (const h of f.hosts) await h.fleet.stop();
    rmSync(f.base, { recursive: true, force: true });
  }
  aptFixture = null;
}
