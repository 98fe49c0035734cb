import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ItemSummary, createInspectionActivities } from '../activities/inspection/inspection.activities';
import { InspectionProgress, InspectionWorkflowInput, inspectionProgressQuery, itemActivityTimeoutMs } from '../shared/inspection-messages';
import { pool } from './job-run.workflow';

type Acts = ReturnType<typeof createInspectionActivities>;

const { prepareInspection, scoreInspection, finishInspection } = proxyActivities<Acts>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});
// Chromium renders the PDF; a large inspection's report takes a while, and a stuck browser is retried.
const { renderInspectionReport } = proxyActivities<Acts>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

/**
 * One inspection (P4, S16): every item of its scope inspected with the applicable checks, `parallelism` at a time;
 * then scores, trend and top risks; then the report. Started on demand by the API or by a Temporal Schedule
 * (quarterly, and a lighter monthly one). Each item's results are stored by its activity, so a run resumed after a
 * crash (worker or server) replays to where it was and inspects only the items not done yet. What an inspected
 * system does wrong (unreachable, refused password, a failing check) is a finding, never a failed run.
 */
export async function inspectionWorkflow(input: InspectionWorkflowInput): Promise<InspectionProgress> {
  const progress: InspectionProgress = { inspectionId: input.inspectionId ?? null, phase: 'preparing', total: 0, done: 0, findings: 0 };
  setHandler(inspectionProgressQuery, () => progress);
  const { inspectItem } = proxyActivities<Acts>({
    startToCloseTimeout: itemActivityTimeoutMs(input.connectTimeoutMs, input.queryTimeoutMs),
    heartbeatTimeout: input.connectTimeoutMs * 2 + input.queryTimeoutMs + 60_000,
    retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 3 },
  });
  const prepared = await prepareInspection({
    workflowId: workflowInfo().workflowId,
    inspectionId: input.inspectionId,
    profile: input.profile,
    scope: input.scope,
    trigger: input.trigger,
    requestedBy: input.requestedBy,
  });
  progress.inspectionId = prepared.inspectionId;
  progress.total = prepared.itemIds.length;
  progress.phase = 'collecting';
  try {
    await pool(prepared.itemIds, input.parallelism, async () => true, async (itemId) => {
      let summary: ItemSummary | null = null;
      try {
        summary = await inspectItem({ inspectionId: prepared.inspectionId, itemId, connectTimeoutMs: input.connectTimeoutMs, queryTimeoutMs: input.queryTimeoutMs });
      } catch {
        // Retries spent on one item (its activity kept dying): the run goes on; scoring sees it was not inspected.
        summary = null;
      }
      progress.done++;
      progress.findings += summary?.findings ?? 0;
    });
    progress.phase = 'scoring';
    await scoreInspection({ inspectionId: prepared.inspectionId });
    progress.phase = 'reporting';
    let reportError: string | undefined;
    try {
      await renderInspectionReport({ inspectionId: prepared.inspectionId });
    } catch (err) {
      // The findings and scores stand without the report; it can be rendered again through the API.
      reportError = `report not rendered: ${(err as Error).message}`;
    }
    await finishInspection({ inspectionId: prepared.inspectionId, state: 'completed', error: reportError });
    progress.phase = 'done';
  } catch (err) {
    progress.phase = 'failed';
    await finishInspection({ inspectionId: prepared.inspectionId, state: 'failed', error: (err as Error).message });
    throw err;
  }
  return progress;
}
