import { allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import { HostSummary, JobRunProcess } from '../domain/jobs/job-run';
import { PatchRunInput } from '../domain/jobs/patch';
import { hostActivityTimeoutMs, jobRunCommandUpdate, jobRunViewQuery } from '../shared/job-messages';
import type { createJobActivities } from '../activities/jobs.activities';
import type { createPatchActivities } from '../activities/patch.activities';
import { PROJECTION_ACTIVITY_OPTIONS, asFailure } from './domain-failure';
import { pool } from './job-run.workflow';

const { projectJobRun, markHostFailed } = proxyActivities<ReturnType<typeof createJobActivities>>(PROJECTION_ACTIVITY_OPTIONS);

/**
 * One patch run (补丁推送安装, P5): scan → plan → wait for the approved change's window (S4) → canaries → verify →
 * batches → verify each; a failed apply or verification rolls that batch back and stops the run. Pause, resume and
 * cancel are the same Updates as a job run's. The change id stays on the run, so alerts on these hosts can be
 * matched to its maintenance window.
 */
export async function patchRunWorkflow(input: PatchRunInput): Promise<void> {
  // Any failed host stops a patch run (the stop is explicit below: its batch is rolled back first).
  const run = new JobRunProcess({ ...input, threshold: {} }, Date.now());
  const hostTimeout = hostActivityTimeoutMs(input.connectTimeoutMs, input.commandTimeoutMs);
  // Scans, plans and verifications may retry; apply and rollback are guarded by the host row's state.
  const acts = proxyActivities<ReturnType<typeof createPatchActivities>>({
    startToCloseTimeout: 5 * hostTimeout,
    retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3 },
  });
  const reboots = proxyActivities<ReturnType<typeof createPatchActivities>>({
    startToCloseTimeout: input.rebootTimeoutMs + 2 * hostTimeout,
    heartbeatTimeout: '1 minute',
    retry: { maximumAttempts: 1 },
  });
  const project = (final = false, skipped: string[] = []) => projectJobRun({ view: run.view(), skipped, final });
  const ref = (host: string) => ({ runId: input.runId, runHostId: host, connectTimeoutMs: input.connectTimeoutMs, commandTimeoutMs: input.commandTimeoutMs });
  const fail = async (host: string, err: unknown): Promise<HostSummary> => markHostFailed({ runHostId: host, message: `could not patch: ${(err as Error).message}` });

  setHandler(jobRunViewQuery, () => run.view());
  setHandler(
    jobRunCommandUpdate,
    async (command) => {
      asFailure(() => run.apply(command, Date.now()));
      await project();
      return run.view();
    },
    { validator: (command) => asFailure(() => run.check(command)) },
  );
  await project();

  // Scan and plan every host before anything changes anywhere; a host that cannot be scanned stops the run.
  const failedScans: string[] = [];
  await pool(input.hosts, input.parallelism, async () => !run.terminal, async (host) => {
    try {
      const scanned = await acts.patchScanHost({ ...ref(host), include: input.include, exclude: input.exclude });
      if (scanned.failed) failedScans.push(host);
    } catch (err) {
      await fail(host, err);
      failedScans.push(host);
    }
  });
  for (const host of failedScans) run.finished(host, { status: 'failed', exitCode: null, errorKind: 'error', durationMs: 0 }, Date.now());
  if (failedScans.length) run.stop('stopped_threshold', `${failedScans.length} host(s) could not be scanned; nothing was applied`, Date.now());
  await project();

  // S4: nothing is applied before the approved window opens; a cancel while waiting ends the run.
  if (!run.terminal && Date.now() < input.windowStart) await condition(() => run.terminal, input.windowStart - Date.now());

  const mayStart = async () => {
    await condition(() => !run.paused);
    return run.mayStart(Date.now());
  };
  for (let b = 0; b < run.batches.length && !run.terminal; b++) {
    if (!(await mayStart())) break;
    run.beginBatch(b, Date.now());
    await project();
    const touched: string[] = [];
    const failedHere: string[] = [];
    // Once a host of this batch failed, no other host of it starts.
    await pool(run.batches[b], input.parallelism, async () => failedHere.length === 0 && (await mayStart()), async (host) => {
      run.started(host);
      touched.push(host);
      let result: HostSummary;
      try {
        const applied = await acts.patchApplyHost(ref(host));
        result = applied.summary;
        if (result.status === 'succeeded' && applied.rebootRequired && input.allowReboot) {
          const back = await reboots.patchRebootHost({ ...ref(host), timeoutMs: input.rebootTimeoutMs });
          if (!back.ok) result = { ...result, status: 'failed', errorKind: 'unreachable' };
        }
        if (result.status === 'succeeded') {
          const verified = await acts.patchVerifyHost({ ...ref(host), verification: input.verification });
          if (!verified.ok) result = { ...result, status: 'failed', errorKind: 'error' };
        }
      } catch (err) {
        result = await fail(host, err);
      }
      if (result.status === 'failed') failedHere.push(host);
      run.finished(host, result, Date.now());
    });
    if (failedHere.length) {
      // Back out every host of this batch that was touched, then stop: the next batches are skipped.
      const outcomes = await Promise.all(touched.map((host) => acts.patchRollbackHost(ref(host)).catch((err: Error) => ({ ok: false, message: err.message }))));
      const failedRollbacks = outcomes.filter((o) => !o.ok).length;
      run.stop('rolled_back', `batch ${b} failed on ${failedHere.length} host(s) and was rolled back${failedRollbacks ? `; ${failedRollbacks} rollback(s) FAILED, see the hosts` : ''}`, Date.now());
    }
    run.endBatch(b, Date.now());
    await project();
  }
  const skipped = run.finish(Date.now());
  await project(true, skipped);
  await condition(allHandlersFinished);
}
