import { ActivityFailure, ActivityOptions, patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createNotifyActivities } from '../activities/notify.activities';
import { SEND_DELIVERY_TIMEOUT_MS, type DeliveryChannel, type NotifyRequest, type PlannedDelivery } from '../shared/notify-messages';
import { LOCAL_ACTIVITIES_PATCH } from './domain-failure';
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

/**
 * Planning (who, by which channels: database reads only) and the in-app copy (a keyed insert) run as local activities:
 * both are idempotent and touch nothing but PostgreSQL, so they run inside the workflow task rather than costing three
 * history events and a workflow task each. Outbound channels (email, SMS, robots, webhooks) stay normal activities:
 * they call other systems, with their own timeouts and retries, and must survive a worker's death mid-call.
 * Behind the same patch as the incident's local projection (LOCAL_ACTIVITIES_PATCH).
 */
const local = proxyLocalActivities<ReturnType<typeof createNotifyActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
const localInApp = proxyLocalActivities<ReturnType<typeof createNotifyActivities>>(SEND_DELIVERY_OPTIONS);

/** Patch (test/histories/README.md): a vendor contact nobody could reach is reported to the project manager. */
const CONTACT_UNREACHABLE = 'contact-unreachable-tells-pm';

async function deliverWithFallback(request: NotifyRequest, delivery: PlannedDelivery, useLocal: boolean): Promise<void> {
  let fallbackOf: string | null = null;
  const tried: DeliveryChannel[] = [];
  const send = (channel: DeliveryChannel) =>
    (useLocal && channel === 'in_app' ? localInApp.sendDelivery : sendDelivery)({ request, delivery, channel, fallbackOf });
  for (const channel of delivery.channels) {
    try {
      const status = await send(channel);
      if (status === 'undeliverable' && patched(CONTACT_UNREACHABLE)) await tellProjectManagers(request, delivery, tried);
      return;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      // Recorded as failed, then the next channel: a failing channel is never a silent drop.
      tried.push(channel);
      fallbackOf = await recordDeliveryFailure({ key: delivery.key, channel, error: err.cause?.message ?? err.message });
    }
  }
}

/**
 * A vendor contact cannot read Wardline's in-app record, so when no channel reached them nothing did: the project
 * manager hears it at once, over their own channels, to phone the vendor (S7, issue 9).
 */
async function tellProjectManagers(request: NotifyRequest, delivery: PlannedDelivery, tried: DeliveryChannel[]): Promise<void> {
  if (request.subject.kind === 'contact_unreachable') return;
  await notifyAll({
    processId: request.processId,
    step: `${request.step}:unreachable:${delivery.recipient.id}`,
    incidentId: request.incidentId,
    recipients: [{ kind: 'role', role: 'project_manager' }],
    subject: { kind: 'contact_unreachable', contact: { id: delivery.recipient.id, label: delivery.recipient.label }, tried, original: request.subject },
    urgent: true,
  });
}

/** Notifies every recipient over their channels: planned (and logged) first, delivered with fallback after. */
export async function notifyAll(request: NotifyRequest): Promise<void> {
  const useLocal = patched(LOCAL_ACTIVITIES_PATCH);
  const plan = await (useLocal ? local.planDeliveries : planDeliveries)(request);
  await Promise.all(plan.map((delivery) => deliverWithFallback(request, delivery, useLocal)));
}
