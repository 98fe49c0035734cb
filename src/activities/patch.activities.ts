import { Context } from '@temporalio/activity';
import { DataSource } from 'typeorm';
import { PATCH_ADAPTERS, PROBE_SCRIPT, PatchAdapter, PatchScript, AvailableUpdate, InstalledVersion, familyFromProbe } from '../adapters/ssh/patch';
import { invocation } from '../adapters/ssh/script';
import { SshRunResult, runSsh } from '../adapters/ssh/ssh-client';
import type { HostSummary } from '../domain/jobs/job-run';
import { Verification, planUpdates, prometheusUp } from '../domain/jobs/patch';
import type { SecretVault } from '../infra/secrets';
import { claimHost, connectionFor, recordHostResult } from './jobs.activities';

export interface PatchActivityDeps {
  dataSource: DataSource;
  vault: SecretVault;
  outputHeadBytes?: number;
  outputTailBytes?: number;
}

export interface PatchHostRef {
  runId: string;
  runHostId: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

interface HostRow {
  id: string;
  status: string;
  address: string;
  port: number;
  os_family: string;
  credential_id: string | null;
  jump: any;
  exit_code: number | null;
  error_kind: HostSummary['errorKind'];
  duration_ms: number | null;
  data: {
    plan?: AvailableUpdate[];
    before?: InstalledVersion[];
    transactionId?: string | null;
    [k: string]: unknown;
  };
}

const ok = (r: SshRunResult, script: PatchScript) => r.errorKind === null || (r.errorKind === 'nonzero_exit' && (script.okExitCodes ?? []).includes(r.exitCode ?? -1));

/** Patch runs (P5): scan and plan, apply, verify, roll back and reboot one host over SSH; outputs stay in the database. */
export function createPatchActivities(deps: PatchActivityDeps) {
  const ds = deps.dataSource;
  const row = async (id: string): Promise<HostRow> => {
    const [r] = await ds.query(`SELECT id, status, address, port, os_family, credential_id, jump, exit_code, error_kind, duration_ms, data FROM job_run_hosts WHERE id = $1`, [id]);
    if (!r) throw new Error(`run host ${id} does not exist`);
    return r;
  };
  const merge = (id: string, data: Record<string, unknown>) => ds.query(`UPDATE job_run_hosts SET data = data || $2::jsonb WHERE id = $1`, [id, JSON.stringify(data)]);
  const run = async (ref: PatchHostRef, host: HostRow, script: PatchScript, commandTimeoutMs = ref.commandTimeoutMs) => {
    const { endpoint, become, jump } = await connectionFor(ds, deps.vault, host as any);
    const { command } = invocation(script.shell, script.script, {}, script.shell === 'bash' ? become : 'none');
    const result = await runSsh(endpoint, command, { connectTimeoutMs: ref.connectTimeoutMs, commandTimeoutMs, jump, headBytes: deps.outputHeadBytes, tailBytes: deps.outputTailBytes });
    return { result, ok: ok(result, script) };
  };
  const adapterOf = async (ref: PatchHostRef, host: HostRow): Promise<PatchAdapter | SshRunResult> => {
    if (host.os_family in PATCH_ADAPTERS) return PATCH_ADAPTERS[host.os_family as PatchAdapter['family']];
    // The CMDB does not say: ask the host.
    const probe = await run(ref, host, { shell: 'bash', script: PROBE_SCRIPT });
    const family = probe.ok ? familyFromProbe(probe.result.stdout.head) : null;
    if (!family) return { ...probe.result, errorKind: probe.result.errorKind ?? 'error', errorMessage: probe.result.errorMessage ?? 'could not tell the OS family (set osFamily on the CMDB item)' };
    await ds.query(`UPDATE job_run_hosts SET os_family = $2 WHERE id = $1`, [host.id, family]);
    return PATCH_ADAPTERS[family];
  };

  return {
    /** Lists what the host could install and keeps the plan (filtered by the run's include/exclude); a failure fails the host. */
    async patchScanHost(input: PatchHostRef & { include: string[] | null; exclude: string[] }): Promise<{ planned: number; failed: HostSummary | null }> {
      const host = await row(input.runHostId);
      if (host.status !== 'pending') return { planned: host.data.plan?.length ?? 0, failed: host.status === 'failed' ? { status: 'failed', exitCode: host.exit_code, errorKind: host.error_kind, durationMs: host.duration_ms ?? 0 } : null };
      const adapter = await adapterOf(input, host);
      if (!('family' in adapter)) return { planned: 0, failed: await recordHostResult(ds, host.id, adapter, { step: 'probe' }, true) };
      const scan = await run(input, host, adapter.scan());
      if (!scan.ok) return { planned: 0, failed: await recordHostResult(ds, host.id, scan.result, { step: 'scan' }, true) };
      let available: AvailableUpdate[];
      try {
        available = adapter.parseScan(scan.result.stdout.head + (scan.result.stdout.omittedBytes ? '' : scan.result.stdout.tail));
      } catch (err) {
        return { planned: 0, failed: await recordHostResult(ds, host.id, { ...scan.result, errorKind: 'error', errorMessage: `could not read the update list: ${(err as Error).message}` }, { step: 'scan' }, true) };
      }
      const plan = planUpdates(available, input.include, input.exclude).slice(0, 500);
      await merge(host.id, { available: available.slice(0, 500), plan });
      return { planned: plan.length, failed: null };
    },

    /** Applies the host's plan: versions recorded before and after, the transaction kept for the undo. */
    async patchApplyHost(input: PatchHostRef): Promise<{ summary: HostSummary; rebootRequired: boolean }> {
      const claimed = await claimHost(ds, input);
      if ('done' in claimed) return { summary: claimed.done, rebootRequired: false };
      const host = await row(input.runHostId);
      const adapter = PATCH_ADAPTERS[host.os_family as PatchAdapter['family']];
      const plan = host.data.plan ?? [];
      if (!adapter || plan.length === 0) {
        await ds.query(`UPDATE job_run_hosts SET status = 'succeeded', exit_code = 0, duration_ms = 0, error_message = NULL, finished_at = now(), data = data || '{"upToDate": true}'::jsonb WHERE id = $1`, [host.id]);
        return { summary: { status: 'succeeded', exitCode: 0, errorKind: null, durationMs: 0 }, rebootRequired: false };
      }
      const names = plan.map((u) => u.name);
      const before = await run(input, host, adapter.installed(names));
      if (!before.ok) return { summary: await recordHostResult(ds, host.id, before.result, { step: 'installed-before' }, true), rebootRequired: false };
      await merge(host.id, { before: adapter.parseInstalled(before.result.stdout.head) });
      const apply = await run(input, host, adapter.apply(plan));
      const parsed = adapter.parseApply(apply.result.stdout.head + apply.result.stdout.tail);
      await merge(host.id, { transactionId: parsed.transactionId });
      const after = await run(input, host, adapter.installed(names));
      const afterVersions = after.ok ? adapter.parseInstalled(after.result.stdout.head) : [];
      let rebootRequired = parsed.rebootRequired;
      if (apply.ok && !rebootRequired) {
        const reboot = await run(input, host, adapter.rebootRequired());
        rebootRequired = reboot.ok && adapter.parseRebootRequired(reboot.result.stdout.head, reboot.result.exitCode);
      }
      const summary = await recordHostResult(ds, host.id, apply.result, { step: 'apply', after: afterVersions, rebootRequired }, !apply.ok);
      return { summary, rebootRequired };
    },

    async patchVerifyHost(input: PatchHostRef & { verification: Verification }): Promise<{ ok: boolean; message: string }> {
      const host = await row(input.runHostId);
      const v = input.verification;
      let outcome: { ok: boolean; message: string };
      if (v.kind === 'none') outcome = { ok: true, message: 'no verification asked for' };
      else if (v.kind === 'command') {
        const adapter = PATCH_ADAPTERS[host.os_family as PatchAdapter['family']];
        const r = await run(input, host, { shell: adapter?.family === 'windows' ? 'powershell' : 'bash', script: v.script });
        outcome = { ok: r.ok, message: r.ok ? 'verification command passed' : `verification command failed: ${r.result.errorMessage} ${r.result.stderr.tail || r.result.stdout.tail}`.trim() };
      } else {
        const url = v.kind === 'http' ? v.url.replace(/\{ip\}/g, host.address) : `${v.url.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(`up{instance=~"${host.address.replace(/\./g, '\\\\.')}(:[0-9]+)?"}`)}`;
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(Math.min(input.commandTimeoutMs, 30_000)), redirect: 'manual' });
          if (v.kind === 'http') {
            const pass = v.expectStatus !== undefined ? res.status === v.expectStatus : res.status >= 200 && res.status < 300;
            outcome = { ok: pass, message: `GET ${v.url} answered ${res.status}` };
          } else {
            const up = prometheusUp(await res.json().catch(() => null));
            outcome = { ok: up.ok, message: up.why };
          }
        } catch (err) {
          outcome = { ok: false, message: `${v.kind} check failed: ${(err as Error).message}` };
        }
      }
      await merge(host.id, { verify: outcome });
      if (!outcome.ok) {
        await ds.query(`UPDATE job_run_hosts SET status = 'failed', error_kind = 'error', error_message = $2 WHERE id = $1`, [host.id, outcome.message.slice(0, 2000)]);
      }
      return outcome;
    },

    /** Undoes what the apply did (apt: the versions before; dnf/yum: the transaction; Windows: the KBs). */
    async patchRollbackHost(input: PatchHostRef): Promise<{ ok: boolean; message: string }> {
      const host = await row(input.runHostId);
      const adapter = PATCH_ADAPTERS[host.os_family as PatchAdapter['family']];
      if (!adapter || !(host.data.plan ?? []).length || host.data.upToDate) return { ok: true, message: 'nothing was applied' };
      let outcome: { ok: boolean; message: string };
      try {
        const r = await run(input, host, adapter.rollback({ before: host.data.before ?? [], transactionId: host.data.transactionId ?? null, updates: host.data.plan ?? [] }));
        const after = await run(input, host, adapter.installed((host.data.plan ?? []).map((u) => u.name)));
        await merge(host.id, { afterRollback: after.ok ? adapter.parseInstalled(after.result.stdout.head) : null });
        outcome = { ok: r.ok, message: r.ok ? 'rolled back' : `rollback failed: ${r.result.errorMessage} ${r.result.stderr.tail}`.trim() };
      } catch (err) {
        outcome = { ok: false, message: `rollback not possible: ${(err as Error).message}` };
      }
      await merge(host.id, { rollback: outcome });
      return outcome;
    },

    /** Reboots and waits for SSH to answer again within the limit (heartbeating while it waits). */
    async patchRebootHost(input: PatchHostRef & { timeoutMs: number }): Promise<{ ok: boolean; message: string }> {
      const host = await row(input.runHostId);
      const adapter = PATCH_ADAPTERS[host.os_family as PatchAdapter['family']];
      await run(input, host, adapter.reboot(), 15_000);
      const deadline = Date.now() + input.timeoutMs;
      // Give the host time to go down before the first check, or the old sshd may still answer.
      await new Promise((r) => setTimeout(r, Math.min(10_000, input.timeoutMs / 4)));
      while (Date.now() < deadline) {
        Context.current().heartbeat();
        const probe = await run(input, host, { shell: adapter.family === 'windows' ? 'powershell' : 'bash', script: adapter.family === 'windows' ? 'exit 0' : 'true' }, 10_000);
        if (probe.ok) {
          await merge(host.id, { reboot: { ok: true } });
          return { ok: true, message: 'back after reboot' };
        }
        await new Promise((r) => setTimeout(r, 3000));
      }
      const message = `did not come back within ${Math.round(input.timeoutMs / 1000)} s after the reboot`;
      await merge(host.id, { reboot: { ok: false, message } });
      await ds.query(`UPDATE job_run_hosts SET status = 'failed', error_kind = 'unreachable', error_message = $2 WHERE id = $1`, [host.id, message]);
      return { ok: false, message };
    },
  };
}
