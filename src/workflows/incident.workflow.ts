import { ApplicationFailure, allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import { DomainError } from '../domain/errors';
import { isTerminal } from '../domain/incident';
import { IncidentInput, IncidentProcess, TimelineEvent } from '../domain/incident-process';
import { incidentCommandUpdate, incidentOpenedUpdate, incidentViewQuery } from '../shared/incident-messages';
import type { createIncidentActivities } from '../activities/incident.activities';

const { projectIncident, notifyIncident } = proxyActivities<ReturnType<typeof createIncidentActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Domain errors become non-retryable failures whose type is the error code; the API maps them to 409/400. */
function rethrow(err: unknown): never {
  if (err instanceof DomainError) {
    throw ApplicationFailure.create({ type: err.code, message: err.message, details: [err.details], nonRetryable: true });
  }
  throw err;
}

/**
 * One incident, from report to close (P3, S10, S2, S14). The SLA clocks are timers here; every change is
 * projected to PostgreSQL by an idempotent activity before the Update that caused it returns.
 */
export async function incidentWorkflow(input: IncidentInput): Promise<void> {
  const incident = new IncidentProcess(input);
  let opened = false;
  let changes = 0;

  const record = (event: TimelineEvent) =>
    projectIncident({ view: incident.view(Date.now()), clocks: incident.snapshot().clocks, event });
  const recipient = () => incident.snapshot().assignee?.id ?? null;

  /** Records and announces the warnings and breaches that fell due by now, each once. */
  const announceDue = async (due: ReturnType<IncidentProcess['tick']>) => {
    for (const [i, event] of due.events.entries()) {
      const clockEvent = due.fired[i];
      await record(event);
      await notifyIncident({
        event: clockEvent.type === 'breach' ? 'sla_breached' : 'sla_warning',
        seq: event.seq,
        view: incident.view(Date.now()),
        systemName: input.systemName,
        recipientId: recipient(),
        clock: clockEvent.kind,
        fraction: clockEvent.type === 'warning' ? clockEvent.fraction : undefined,
        deadline: clockEvent.deadline,
      });
    }
  };

  setHandler(incidentViewQuery, () => incident.view(Date.now()));
  setHandler(incidentOpenedUpdate, async () => {
    await condition(() => opened);
    return incident.view(Date.now());
  });
  setHandler(
    incidentCommandUpdate,
    async (command) => {
      // A breach that fell due before this command (say, while no worker ran) is recorded first, at its own time (S11).
      const now = Date.now();
      const overdue = incident.tick(now);
      let event: TimelineEvent;
      try {
        event = incident.apply(command, now);
      } catch (err) {
        rethrow(err);
      }
      changes++;
      await condition(() => opened);
      await announceDue(overdue);
      await record(event);
      if (command.action === 'assign') {
        await notifyIncident({
          event: 'incident_assigned',
          seq: event.seq,
          view: incident.view(Date.now()),
          systemName: input.systemName,
          recipientId: command.assignee.id,
        });
      }
      return incident.view(Date.now());
    },
    {
      validator: (command) => {
        try {
          incident.check(command);
        } catch (err) {
          rethrow(err);
        }
      },
    },
  );

  const openedEvent = incident.opened();
  await record(openedEvent);
  opened = true;
  await notifyIncident({
    event: 'incident_opened',
    seq: openedEvent.seq,
    view: incident.view(Date.now()),
    systemName: input.systemName,
    recipientId: recipient(),
  });

  while (!isTerminal(incident.state)) {
    const seen = changes;
    const wakeAt = incident.nextWakeAt();
    if (wakeAt === null) await condition(() => changes !== seen);
    else await condition(() => changes !== seen, Math.max(1, wakeAt - Date.now()));
    await announceDue(incident.tick(Date.now()));
  }
  await condition(allHandlersFinished);
}
