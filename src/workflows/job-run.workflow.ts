import { allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import { HostSummary, JobRunInput, JobRunProcess } from '../domain/jobs/job-run';
import { hostActivityTimeoutMs, jobRunCommandUpdate, jobRunViewQuery } from '../shared/job-messages';
import type { createJobActivities } from '../activities/jobs.activities';
import { PROJECTION_ACTIVITY_OPTIONS, asFailure } from './domain-failure';

const { projectJobRun, markHostFailed } = proxyActivities<ReturnType<typeof createJobActivities>>(PROJECTION_ACTIVITY_OPTIONS);

/** Runs `work` for each item with at most `parallelism` at once, starting the next only while `mayStart()` says so. */
export async function pool<T>(items: T[], parallelism: number, mayStart: () => Promise<boolean>, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const lanes = Array.from({ length: Math.max(1, Math.min(parallelism, queue.length)) }, async () => {
    while (queue.length) {
      if (!(await mayStart())) return;
      const item = queue.shift();
      if (item === undefined) return;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

/**
 * One job run (P5): the template's script on every target host, in rolling batches, `parallelism` hosts at a
 * time; a failure threshold stops it; people pause, resume or cancel it by Update. A paused run finishes the
 * hosts already started and starts no more until resumed. Per-host output is written by the activity to the
 * database, so the history holds only summaries (and never a credential: activities get ids).
 */
export async function jobRunWorkflow(input: JobRunInput): Promise<void> {
  const run = new JobRunProcess(input, Date.now());
  const { runJobHost } = proxyActivities<ReturnType<typeof createJobActivities>>({
    startToCloseTimeout: hostActivityTimeoutMs(input.connectTimeoutMs, input.commandTimeoutMs),
    retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
  });
  const project = (final = false, skipped: string[] = []) => projectJobRun({ view: run.view(), skipped, final });

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
  const mayStart = async () => {
    await condition(() => !run.paused);
    return run.mayStart(Date.now());
  };
  for (let b = 0; b < run.batches.length; b++) {
    if (!(await mayStart())) break;
    run.beginBatch(b, Date.now());
    await project();
    await pool(run.batches[b], input.parallelism, mayStart, async (host) => {
      run.started(host);
      let result: HostSummary;
      try {
        result = await runJobHost({ runId: input.runId, runHostId: host, connectTimeoutMs: input.connectTimeoutMs, commandTimeoutMs: input.commandTimeoutMs });
      } catch (err) {
        // Retries spent (the database or worker kept failing): the host is a failed result, the run goes on.
        result = await markHostFailed({ runHostId: host, message: `could not run: ${(err as Error).message}` });
      }
      run.finished(host, result, Date.now());
    });
    run.endBatch(b, Date.now());
    await project();
  }
  const skipped = run.finish(Date.now());
  await project(true, skipped);
  await condition(allHandlersFinished);
}
