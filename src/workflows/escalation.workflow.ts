import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { levelsToCall } from '../domain/escalation';
import type { Actor, VendorEventType } from '../domain/incident-process';
import { MINUTE_MS } from '../domain/time';
import {
  OnBehalfOf,
  EscalationInput,
  EscalationView,
  escalationAcknowledgeUpdate,
  escalationProgressUpdate,
  escalationViewQuery,
  incidentSettledSignal,
  vendorEventSignal,
} from '../shared/escalation-messages';
import type { NotifySubject, RecipientRef } from '../shared/notify-messages';
import type { createEscalationActivities } from '../activities/escalation.activities';
import { notifyAll } from './notify';

const { loadEscalationPlan, projectEscalation } = proxyActivities<ReturnType<typeof createEscalationActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Patches (test/histories/README.md): escalations recorded before them replay as they ran. */
const TOLERATES_CLOSED_INCIDENT = 'escalation-tolerates-closed-incident';
const ENDS_ON_CANCEL = 'escalation-ends-on-cancel';

function illegal(message: string, view: EscalationView): never {
  throw ApplicationFailure.create({ type: 'ILLEGAL_TRANSITION', message, details: [{ status: view.status }], nonRetryable: true });
}

/**
 * S7: the original vendor, level by level. L1 support is told and given time to acknowledge; then L2 with the
 * hospital's IT manager; then L3. The acknowledgement's promised on-site time is checked by a timer too.
 * Resolving the incident ends the escalation and tells everyone who was told.
 */
export async function escalationWorkflow(input: EscalationInput): Promise<EscalationView> {
  const view: EscalationView = {
    escalationId: input.escalationId,
    workflowId: workflowInfo().workflowId,
    incidentId: input.incidentId,
    status: 'awaiting_ack',
    level: 0,
    trigger: input.trigger,
    reason: input.reason,
    share: input.share ?? null,
    startedAt: Date.now(),
    levelStartedAt: null,
    acknowledgement: null,
    arrivedAt: null,
    endedAt: null,
    history: [],
  };
  let settled: 'resolved' | 'cancelled' | null = null;
  /** The incident's workflow has closed: nothing more can be reported into its timeline. */
  let incidentClosed = false;
  let noContacts: { code: 'no_vendor' | 'no_active_contacts'; vendorName: string | null } | undefined;
  let vendorResolved = false;
  let arrivedBy: string | null = null;
  const managers: RecipientRef[] = [{ kind: 'role', role: 'project_manager' }];
  const told: RecipientRef[] = [];
  const incident = getExternalWorkflowHandle(input.incidentWorkflowId);

  /** `note` is a person's words only; what the system observed goes in `data` as codes, rendered at the edge. */
  const report = async (type: VendorEventType, actor: Actor | null, note: string | null, data: Record<string, unknown> = {}) => {
    const at = Date.now();
    const onBehalfOf = (data.onBehalfOf as OnBehalfOf | null | undefined) ?? null;
    view.history.push({ at, type, note, data, by: actor?.name ?? null, onBehalfOf });
    await projectEscalation({ view });
    if (incidentClosed) return;
    try {
      await incident.signal(vendorEventSignal, { type, at, actor, note, data: { escalationId: input.escalationId, level: view.level, ...data } });
    } catch (err) {
      // "Unable to signal external workflow": the incident closed first. The escalation still ends and tells people.
      if (isCancellation(err) || !patched(TOLERATES_CLOSED_INCIDENT)) throw err;
      incidentClosed = true;
    }
  };
  const subject = (kind: Extract<NotifySubject, { escalationId: string }>['kind']): NotifySubject => ({
    kind,
    escalationId: input.escalationId,
    incidentNumber: input.incidentNumber,
    systemName: input.systemName,
    title: input.title,
    level: view.level,
    reason: input.reason,
    trigger: input.trigger,
    share: input.share ?? input.policy.repairShare[input.priority] ?? null,
    levelStartedAt: view.levelStartedAt,
    linkTtlMinutes: input.policy.linkTtlMinutes,
    acknowledgedBy: view.acknowledgement?.by.name,
    promisedOnSiteAt: view.acknowledgement?.promisedOnSiteAt ?? null,
    arrivedBy: arrivedBy ?? undefined,
    noContacts,
    arrivedAt: view.arrivedAt,
  });
  const notify = async (step: string, kind: Parameters<typeof subject>[0], recipients: RecipientRef[], urgent = true) => {
    for (const r of recipients) if (!told.some((t) => JSON.stringify(t) === JSON.stringify(r))) told.push(r);
    await notifyAll({ processId: view.workflowId, step, incidentId: input.incidentId, recipients, subject: subject(kind), urgent });
  };

  setHandler(escalationViewQuery, () => view);
  setHandler(incidentSettledSignal, ({ outcome }) => {
    // The first word counts: a resolved incident closed later is not a cancelled one.
    settled ??= outcome;
  });
  setHandler(
    escalationAcknowledgeUpdate,
    async (ack) => {
      view.acknowledgement = { ...ack, at: Date.now() };
      view.status = 'acknowledged';
      await report('vendor_acknowledged', ack.by, ack.note ?? null, {
        via: ack.via,
        contactId: ack.contactId,
        promisedOnSiteAt: ack.promisedOnSiteAt,
        onBehalfOf: ack.onBehalfOf ?? null,
      });
      return view;
    },
    {
      validator: (ack) => {
        // Only the vendor acknowledges: its contact, or staff recording it on a named contact's behalf (actor kept).
        if (!ack.contactId) illegal('an acknowledgement names the vendor contact it stands for', view);
        if (view.acknowledgement) illegal(`already acknowledged by ${view.acknowledgement.by.name}`, view);
        if (view.status !== 'awaiting_ack' && view.status !== 'exhausted') illegal(`the escalation is ${view.status}`, view);
      },
    },
  );
  setHandler(
    escalationProgressUpdate,
    async ({ kind, by, note, contactId, onBehalfOf }) => {
      const firstArrival = kind === 'arrived' && view.arrivedAt === null;
      if (kind === 'arrived') {
        view.arrivedAt ??= Date.now();
        arrivedBy ??= onBehalfOf?.name ?? by.name;
        view.status = 'vendor_on_site';
      }
      if (kind === 'resolved') vendorResolved = true;
      const type: VendorEventType = kind === 'arrived' ? 'vendor_arrived' : kind === 'remote_session' ? 'vendor_remote_session' : 'vendor_resolved';
      await report(type, by, note ?? null, onBehalfOf || contactId ? { contactId: contactId ?? onBehalfOf?.contactId ?? null, onBehalfOf: onBehalfOf ?? null } : {});
      if (firstArrival) {
        const onSite: RecipientRef[] = [...managers, { kind: 'role', role: 'it_manager' }];
        if (input.assigneeId) onSite.push({ kind: 'user', id: input.assigneeId });
        await notify('arrived', 'vendor_on_site', onSite, false);
      }
      return view;
    },
    {
      validator: (progress) => {
        // The vendor's progress is the vendor's word: its contact's, or recorded by staff on a named contact's behalf.
        if (!progress.contactId && !progress.onBehalfOf) illegal('vendor progress names the vendor contact it stands for', view);
        if (!view.acknowledgement) illegal('the vendor has not acknowledged yet', view);
        if (view.endedAt !== null) illegal('the escalation has ended', view);
      },
    },
  );

  /** S7, level by level, until someone acknowledges or the incident settles. */
  const callTheVendor = async (): Promise<void> => {
    const plan = await loadEscalationPlan({ systemId: input.systemId });
    await projectEscalation({ view, vendorId: plan.vendorId });

    if (plan.contacts.length === 0) {
      // S7 needs someone to call: without vendor contacts the project manager hears why.
      view.status = 'no_contacts';
      noContacts = { code: plan.vendorName ? 'no_active_contacts' : 'no_vendor', vendorName: plan.vendorName };
      await notify('no-contacts', 'escalation_no_contacts', managers);
      await report('escalation_no_contacts', null, null, { reasonCode: noContacts.code, vendorName: plan.vendorName });
    } else {
      for (const level of levelsToCall(plan.contacts)) {
        if (view.acknowledgement || settled) break;
        view.level = level;
        view.levelStartedAt = Date.now();
        const recipients: RecipientRef[] = plan.contacts.filter((c) => c.level === level).map((c) => ({ kind: 'contact', id: c.id }));
        // From L2 on, the hospital's IT manager is told as well.
        if (level >= 2) recipients.push({ kind: 'role', role: 'it_manager' });
        recipients.push(...managers);
        await notify(`level-${level}`, 'escalated_to_vendor', recipients);
        await report('escalation_level', null, null, { contacts: plan.contacts.filter((c) => c.level === level).map((c) => c.name) });
        await condition(() => view.acknowledgement !== null || settled !== null, input.policy.ackTimeoutMinutes[level - 1] * MINUTE_MS);
      }
      if (!view.acknowledgement && !settled) {
        view.status = 'exhausted';
        await report('escalation_exhausted', null, null);
        await notify('exhausted', 'escalated_to_vendor', [...managers, { kind: 'role', role: 'it_manager' }]);
        await condition(() => view.acknowledgement !== null || settled !== null);
      }
      if (view.acknowledgement && !settled) {
        const ackRecipients: RecipientRef[] = [...managers, { kind: 'role', role: 'it_manager' }];
        if (input.assigneeId) ackRecipients.push({ kind: 'user', id: input.assigneeId });
        await notify('acknowledged', 'vendor_acknowledged', ackRecipients);
        const promised = view.acknowledgement.promisedOnSiteAt;
        if (promised !== null) {
          const kept = await condition(() => view.arrivedAt !== null || vendorResolved || settled !== null, Math.max(1, promised - Date.now()));
          if (!kept) {
            await report('vendor_promise_missed', null, null, { promisedOnSiteAt: promised });
            await notify('promise-missed', 'vendor_promise_missed', [...managers, { kind: 'role', role: 'it_manager' }]);
          }
        }
      }
    }
  };

  /** Settled: the escalation ends, and everyone it told hears why (resolved, or the incident cancelled). */
  const finish = async (): Promise<EscalationView> => {
    view.status = 'resolved';
    view.endedAt = Date.now();
    await report('escalation_ended', null, null, { outcome: settled });
    if (told.length > 0) await notify('ended', settled === 'cancelled' ? 'escalation_cancelled' : 'escalation_resolved', told, false);
    await condition(allHandlersFinished);
    return view;
  };

  try {
    await callTheVendor();
    await condition(() => settled !== null);
  } catch (err) {
    // Cancelled from outside (its incident closed under an older version, or an operator): still end properly.
    if (!isCancellation(err) || !patched(ENDS_ON_CANCEL)) throw err;
    settled ??= 'cancelled';
    return await CancellationScope.nonCancellable(finish);
  }
  return await finish();
}
