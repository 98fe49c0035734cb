import {
  ChildWorkflowHandle,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { isTerminal } from '../domain/incident';
import { Actor, IncidentInput, IncidentProcess, TimelineEvent, VendorEvent } from '../domain/incident-process';
import { EscalationTrigger } from '../domain/escalation';
import { escalationPolicyOf } from '../domain/sla-policy';
import { incidentSettledSignal, vendorEventSignal } from '../shared/escalation-messages';
import { incidentCommandUpdate, incidentOpenedUpdate, incidentViewQuery } from '../shared/incident-messages';
import { alertGroupSignal } from '../shared/alert-messages';
import type { AlertGroupNews } from '../domain/alerts/news';
import type { NotifySubject, RecipientRef } from '../shared/notify-messages';
import type { createIncidentActivities } from '../activities/incident.activities';
import { escalationWorkflow } from './escalation.workflow';
import { LOCAL_ACTIVITIES_PATCH, LOCAL_PROJECTION_OPTIONS, PROJECTION_ACTIVITY_OPTIONS, asFailure } from './domain-failure';
import { notifyAll } from './notify';

const { projectIncident } = proxyActivities<ReturnType<typeof createIncidentActivities>>(PROJECTION_ACTIVITY_OPTIONS);
const local = proxyLocalActivities<ReturnType<typeof createIncidentActivities>>(LOCAL_PROJECTION_OPTIONS);

/** Patches (test/histories/README.md): incidents that closed before their escalation finished keep replaying as they ran. */
const INCIDENT_AWAITS_ESCALATION = 'incident-awaits-escalation-end';
/** P3: news of the incident's alert group (new alerts, recovery, flapping); no history before it has such a signal. */
const INCIDENT_ALERT_NEWS = 'incident-alert-news';
/** Alert news may raise the incident's priority (a rising severity); news from before carries no such request. */
const INCIDENT_ALERT_PRIORITY = 'incident-alert-priority';
/**
 * The opening is taken before any handler is set: an Update delivered with the start (Update-with-Start, or an action
 * racing the dispatcher) runs when its handler is set, and used to be applied before the opening, which then reset
 * the timeline's seq to 1: the action's event collided with the intake's `opened` row and its projection was lost.
 */
const INCIDENT_OPENED_FIRST = 'incident-opened-first';


/** Who hears what (S10, S12): the engineer always; breaches and unassigned reports also the PM and the dispatchers. */
function recipientsFor(kind: NotifySubject['kind'], assigneeId: string | null): RecipientRef[] {
  const out: RecipientRef[] = assigneeId ? [{ kind: 'user', id: assigneeId }] : [];
  if (kind === 'sla_breached' || ((kind === 'incident_opened' || kind === 'incident_reopened') && !assigneeId)) {
    out.push({ kind: 'role', role: 'project_manager' }, { kind: 'role', role: 'dispatcher' });
  }
  return out;
}

/**
 * One incident, from report to close (P3, S10, S2, S14). The SLA clocks are timers here; every change is
 * projected to PostgreSQL by an idempotent activity before the Update that caused it returns. The original
 * vendor is escalated to (S7) as a child workflow, by itself after timeouts or when an engineer asks.
 */
export async function incidentWorkflow(input: IncidentInput): Promise<void> {
  const incident = new IncidentProcess(input);
  const workflowId = workflowInfo().workflowId;
  const openedFirst = patched(INCIDENT_OPENED_FIRST) ? incident.opened() : null;
  let opened = false;
  let changes = 0;
  const vendorEvents: VendorEvent[] = [];
  const alertNews: AlertGroupNews[] = [];
  let escalation: ChildWorkflowHandle<typeof escalationWorkflow> | null = null;

  // The projection is an idempotent upsert keyed by (incident, seq): as a local activity (at least once, like any
  // activity) it is as safe, and costs no workflow task of its own. Histories from before keep normal activities.
  const localActivities = patched(LOCAL_ACTIVITIES_PATCH);
  const project = localActivities ? local.projectIncident : projectIncident;
  const record = (event: TimelineEvent) => project({ view: incident.view(Date.now()), clocks: incident.snapshot().clocks, event });
  const notify = async (event: TimelineEvent, subject: NotifySubject, recipients: RecipientRef[]) => {
    // Nobody to tell (a warning on an unassigned incident): no planning round trip for an empty plan.
    if (localActivities && recipients.length === 0) return;
    await notifyAll({
      processId: workflowId,
      step: `${event.seq}:${subject.kind}`,
      incidentId: input.incidentId,
      recipients,
      subject,
      urgent: subject.kind === 'sla_breached',
    });
  };
  const assigneeId = () => incident.snapshot().assignee?.id ?? null;

  /** Records and announces the warnings and breaches that fell due by now, each once. */
  const announceDue = async (due: ReturnType<IncidentProcess['tick']>) => {
    for (const [i, event] of due.events.entries()) {
      const c = due.fired[i];
      await record(event);
      const kind = c.type === 'breach' ? 'sla_breached' : 'sla_warning';
      await notify(
        event,
        { kind, view: incident.view(Date.now()), systemName: input.systemName, clock: c.kind, fraction: c.type === 'warning' ? c.fraction : undefined, deadline: c.deadline },
        recipientsFor(kind, assigneeId()),
      );
    }
  };

  /** `reason`: the requester's words (manual); null when the system escalates, whose trigger and share say why. */
  const escalate = async (trigger: EscalationTrigger, reason: string | null, actor: Actor | null, share: number | null = null) => {
    const started = incident.beginEscalation(trigger, reason, actor, Date.now(), share);
    await record(started.event);
    escalation = await startChild(escalationWorkflow, {
      workflowId: started.workflowId,
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      args: [
        {
          escalationId: uuid4(),
          incidentId: input.incidentId,
          incidentNumber: input.number,
          incidentWorkflowId: workflowId,
          systemId: input.systemId,
          systemName: input.systemName,
          title: input.title,
          priority: incident.snapshot().priority,
          trigger,
          reason: reason ?? '',
          ...(share === null ? {} : { share }),
          requestedBy: actor,
          assigneeId: assigneeId(),
          policy: escalationPolicyOf(input.policy),
        },
      ],
    });
  };

  const settleEscalation = async (outcome: 'resolved' | 'cancelled') => {
    if (escalation && incident.snapshot().escalation?.active) await escalation.signal(incidentSettledSignal, { outcome });
  };

  /**
   * A closed incident must not leave its escalation behind: closing would cancel it (parent close policy) before it
   * tells the contacts it called that the incident ended, and its last report would find no incident to signal
   * (issue 9). So the incident waits for it to finish, recording what it still reports.
   */
  const awaitEscalation = async (child: ChildWorkflowHandle<typeof escalationWorkflow>) => {
    let closed = false;
    void child.result().then(
      () => (closed = true),
      () => (closed = true),
    );
    for (;;) {
      await condition(() => closed || vendorEvents.length > 0);
      for (const e of vendorEvents.splice(0)) await record(incident.vendorEvent(e));
      if (closed) break;
    }
  };

  /** The alert group changed (P3): record it; recovered → the dispatchers confirm; fired again → reported or reopened. */
  const takeAlertNews = async (batch: AlertGroupNews[]) => {
    for (const received of batch) {
      const news = received.raisePriority && !patched(INCIDENT_ALERT_PRIORITY) ? { ...received, raisePriority: undefined } : received;
      const from = incident.state;
      const events = incident.alertNews(news, Date.now());
      for (const event of events) await record(event);
      // A raised priority is no change of state: the notices below speak of the alerts' own events.
      const told = events.filter((e) => e.type !== 'change_priority');
      const last = told[told.length - 1];
      if (!last) continue;
      const view = incident.view(Date.now());
      if (incident.state === 'recovered' && from !== 'recovered') {
        const alerts = news.resolved.map((a) => a.summary).join('；');
        await notify(last, { kind: 'incident_recovered', view, systemName: input.systemName, alerts }, [{ kind: 'role', role: 'dispatcher' }, ...recipientsFor('incident_assigned', assigneeId())]);
      } else if (from !== incident.state) {
        await notify(last, { kind: 'incident_reopened', view, systemName: input.systemName, reason: last.note ?? told[0].note }, recipientsFor('incident_reopened', assigneeId()));
      }
    }
  };

  setHandler(incidentViewQuery, () => incident.view(Date.now()));
  setHandler(incidentOpenedUpdate, async () => {
    await condition(() => opened);
    return incident.view(Date.now());
  });
  setHandler(alertGroupSignal, (news) => {
    alertNews.push(news);
    changes++;
  });
  setHandler(vendorEventSignal, (event) => {
    vendorEvents.push(event);
    changes++;
  });
  setHandler(
    incidentCommandUpdate,
    async (command) => {
      // A breach that fell due before this command (say, while no worker ran) is recorded first, at its own time (S11).
      const now = Date.now();
      const overdue = incident.tick(now);
      const event = asFailure(() => incident.apply(command, now));
      changes++;
      await condition(() => opened);
      await announceDue(overdue);
      await record(event);
      if (command.action === 'assign') {
        await notify(event, { kind: 'incident_assigned', view: incident.view(Date.now()), systemName: input.systemName }, [
          { kind: 'user', id: command.assignee.id },
        ]);
      }
      if (command.action === 'escalate') await escalate('manual', command.reason, command.actor);
      if (command.action === 'resolve') {
        await settleEscalation('resolved');
        // The hospital confirms the fix (S14): its dispatchers hear that it is ready.
        await notify(event, { kind: 'incident_resolved', view: incident.view(Date.now()), systemName: input.systemName, reason: null }, [
          { kind: 'role', role: 'dispatcher' },
        ]);
      }
      if (command.action === 'reopen') {
        await notify(event, { kind: 'incident_reopened', view: incident.view(Date.now()), systemName: input.systemName, reason: command.reason }, recipientsFor('incident_reopened', assigneeId()));
      }
      if (command.action === 'cancel') await settleEscalation('cancelled');
      return incident.view(Date.now());
    },
    {
      validator: (command) => asFailure(() => incident.validate(command)),
    },
  );

  const openedEvent = openedFirst ?? incident.opened();
  // The intake committed the opening with the outbox entry that started this workflow (issue 10): not written twice.
  if (!input.openedOnRecord) await record(openedEvent);
  opened = true;
  // The opening is announced to whom it was assigned when it opened (an action delivered with the start may have
  // reassigned it already: that person hears of it through the action).
  const openedTo = openedFirst ? ((openedEvent.data as { assignee?: { id: string } | null }).assignee?.id ?? null) : assigneeId();
  await notify(openedEvent, { kind: 'incident_opened', view: incident.view(Date.now()), systemName: input.systemName }, recipientsFor('incident_opened', openedTo));

  while (!isTerminal(incident.state)) {
    const seen = changes;
    const wakeAt = incident.nextWakeAt();
    // Alert news that came while the incident was opening (or during an Update) is taken at once, not at the next wake.
    if (alertNews.length === 0) {
      if (wakeAt === null) await condition(() => changes !== seen);
      else await condition(() => changes !== seen, Math.max(1, wakeAt - Date.now()));
    }
    await announceDue(incident.tick(Date.now()));
    for (const e of vendorEvents.splice(0)) await record(incident.vendorEvent(e));
    if (alertNews.length > 0 && patched(INCIDENT_ALERT_NEWS)) await takeAlertNews(alertNews.splice(0));
    const due = incident.escalationDue(Date.now());
    if (due) await escalate(due.trigger, null, null, due.share);
  }
  await settleEscalation('cancelled');
  if (escalation && patched(INCIDENT_AWAITS_ESCALATION)) await awaitEscalation(escalation);
  await condition(allHandlersFinished);
}
