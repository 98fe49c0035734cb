import { ActivityFailure, ActivityOptions, condition, continueAsNew, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { createNotifyActivities } from '../activities/notify.activities';
import { RobotOutboxInput, SEND_ROBOT_BATCH_TIMEOUT_MS, robotEnqueueSignal } from '../shared/notify-messages';

const { failRobotBatch } = proxyActivities<ReturnType<typeof createNotifyActivities>>({ startToCloseTimeout: '30 seconds' });
export const SEND_ROBOT_BATCH_OPTIONS: ActivityOptions & { startToCloseTimeout: number } = {
  startToCloseTimeout: SEND_ROBOT_BATCH_TIMEOUT_MS,
  // A robot that says "too many" (WeCom 45009, DingTalk 130101) is retried after the window moves on.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '60 seconds', maximumAttempts: 8 },
};
const { sendRobotBatch } = proxyActivities<ReturnType<typeof createNotifyActivities>>(SEND_ROBOT_BATCH_OPTIONS);

export type { RobotOutboxInput };

/**
 * One per robot: sends at most `limit` messages per window and folds a backlog into one digest, so a burst
 * of events reaches the group as fewer messages with nothing lost.
 */
export async function robotOutboxWorkflow(input: RobotOutboxInput): Promise<void> {
  const queue: string[] = [...(input.pending ?? [])];
  let sentAt: number[] = [...(input.sentAt ?? [])];
  setHandler(robotEnqueueSignal, (deliveryId) => {
    if (!queue.includes(deliveryId)) queue.push(deliveryId);
  });
  const send = async (deliveryIds: string[]) => {
    try {
      await sendRobotBatch({ channel: input.channel, ownerKind: input.ownerKind, ownerId: input.ownerId, deliveryIds });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      // The robot kept failing: recorded, and the messages fall back to the in-app record.
      await failRobotBatch({ deliveryIds, error: err.cause?.message ?? err.message });
    }
    sentAt.push(Date.now());
  };

  for (let rounds = 0; ; rounds++) {
    if (!(await condition(() => queue.length > 0, '10 minutes'))) return; // idle: the next message starts a new run
    const now = Date.now();
    sentAt = sentAt.filter((t) => t > now - input.windowMs);
    const room = input.limit - sentAt.length;
    if (room <= 0) {
      await sleep(sentAt[0] + input.windowMs - now);
      continue;
    }
    const batch = queue.splice(0, queue.length);
    if (batch.length <= room) {
      for (const id of batch) await send([id]);
    } else {
      // Keep one slot for the digest of everything that does not fit.
      for (const id of batch.slice(0, room - 1)) await send([id]);
      await send(batch.slice(room - 1));
    }
    if (workflowInfo().continueAsNewSuggested || rounds > 500) {
      await continueAsNew<typeof robotOutboxWorkflow>({ ...input, pending: queue, sentAt });
    }
  }
}
