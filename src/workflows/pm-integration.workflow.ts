import { ActivityFailure, ApplicationFailure, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createPmActivities } from '../activities/pm-platform/pm.activities';
import { PM_UNAVAILABLE, PmIntegrationInput, pmPollNowSignal, pmStatusQuery } from '../shared/pm-messages';

type PmActivities = ReturnType<typeof createPmActivities>;

/**
 * Polling and queuing touch the database and the platform; the platform being down is an answer, not a retry. A poll
 * makes at most about 30 platform calls (a page of items, each read with its journals) of at most 10 s each, so five
 * minutes hold it even when every call is slow.
 */
const { pmPoll, pmQueueProgress } = proxyActivities<PmActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

const ROUNDS_PER_RUN = 200;

/**
 * One integration with a hospital's project-management platform (S15), for as long as it is active: poll what
 * changed since the durable cursor (it lives here and goes on through continue-as-new), turn it into records and
 * commands, queue every state change of a linked record as progress, and deliver it in order. A platform that is
 * down delays progress (the outbox keeps it) and never loses it; each piece carries a key the adapter finds on the
 * platform, so it arrives exactly once when the platform is back.
 */
export async function pmIntegrationWorkflow(input: PmIntegrationInput): Promise<void> {
  const { pmDeliver } = proxyActivities<PmActivities>({
    startToCloseTimeout: '1 minute',
    retry: {
      initialInterval: input.delivery.initialIntervalMs,
      maximumInterval: input.delivery.maximumIntervalMs,
      maximumAttempts: input.delivery.maximumAttempts,
      backoffCoefficient: 2,
    },
  });
  let cursor = input.cursor;
  let wake = false;
  let rounds = 0;
  let lastError: string | null = null;
  setHandler(pmPollNowSignal, () => {
    wake = true;
  });
  setHandler(pmStatusQuery, () => ({ cursor, rounds, lastError }));

  for (;;) {
    wake = false;
    rounds++;
    let more = false;
    let pending: Awaited<ReturnType<PmActivities['pmQueueProgress']>> = [];
    try {
      const polled = await pmPoll({ integrationId: input.integrationId, cursor });
      if (!polled.active) return;
      cursor = polled.cursor;
      more = polled.more;
      lastError = polled.error;
      pending = await pmQueueProgress({ integrationId: input.integrationId });
    } catch (err) {
      // The integration was removed: nothing left to do. Anything else (the database away) waits for the next round.
      if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'NOT_FOUND') return;
      lastError = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
    }
    // Order matters per item (a resolution before its closure): a failed delivery holds back the rest of its item.
    const held = new Set<string>();
    for (const p of pending) {
      if (held.has(p.linkId)) continue;
      try {
        await pmDeliver({ outboxId: p.id });
      } catch (err) {
        held.add(p.linkId);
        const type = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause.type : null;
        lastError = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
        // Down for one is down for all: try again next round rather than hammer it now.
        if (type === PM_UNAVAILABLE) break;
      }
    }

    if (rounds >= (input.roundsPerRun ?? ROUNDS_PER_RUN) || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof pmIntegrationWorkflow>({ ...input, cursor });
    }
    if (!more) await condition(() => wake, input.pollIntervalMs);
  }
}
