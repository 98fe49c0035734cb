import { ActivityFailure, ActivityOptions, proxyActivities } from '@temporalio/workflow';
import type { createNotifyActivities } from '../activities/notify.activities';
import { SEND_DELIVERY_TIMEOUT_MS, type NotifyRequest, type PlannedDelivery } from '../shared/notify-messages';

const { planDeliveries, recordDeliveryFailure } = proxyActivities<ReturnType<typeof createNotifyActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Each channel gets a few tries with backoff; then the next channel in the person's list takes over. */
export const SEND_DELIVERY_OPTIONS: ActivityOptions & { startToCloseTimeout: number } = {
  startToCloseTimeout: SEND_DELIVERY_TIMEOUT_MS,
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 4,
    nonRetryableErrorTypes: ['CHANNEL_REJECTED', 'CHANNEL_MISCONFIGURED'],
  },
};
const { sendDelivery } = proxyActivities<ReturnType<typeof createNotifyActivities>>(SEND_DELIVERY_OPTIONS);

async function deliverWithFallback(request: NotifyRequest, delivery: PlannedDelivery): Promise<void> {
  let fallbackOf: string | null = null;
  for (const channel of delivery.channels) {
    try {
      await sendDelivery({ request, delivery, channel, fallbackOf });
      return;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      // Recorded as failed, then the next channel: a failing channel is never a silent drop.
      fallbackOf = await recordDeliveryFailure({ key: delivery.key, channel, error: err.cause?.message ?? err.message });
    }
  }
}

/** Notifies every recipient over their channels: planned (and logged) first, delivered with fallback after. */
export async function notifyAll(request: NotifyRequest): Promise<void> {
  const plan = await planDeliveries(request);
  await Promise.all(plan.map((delivery) => deliverWithFallback(request, delivery)));
}
