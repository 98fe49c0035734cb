import { allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { ModificationEvent, ModificationInput, ModificationProcess } from '../domain/modification';
import { modificationCommandUpdate, modificationOpenedUpdate, modificationViewQuery } from '../shared/modification-messages';
import type { createChangeActivities } from '../activities/change.activities';
import type { ModificationNotice } from '../shared/notify-messages';
import { PROJECTION_ACTIVITY_OPTIONS, asFailure } from './domain-failure';
import { notifyAll } from './notify';

const { projectModification } = proxyActivities<ReturnType<typeof createChangeActivities>>(PROJECTION_ACTIVITY_OPTIONS);


/** One modification request (S3, S11, S17): the 7-day delivery clock, acceptance after go-live, free maintenance. */
export async function modificationWorkflow(input: ModificationInput): Promise<void> {
  const mod = new ModificationProcess(input);
  let opened = false;
  let changes = 0;
  const workflowId = workflowInfo().workflowId;
  const NOTICES: Partial<Record<ModificationEvent['type'], ModificationNotice['kind']>> = {
    delivery_warning: 'modification_delivery_warning',
    delivery_breached: 'modification_delivery_breached',
    maintenance_ending: 'modification_maintenance_ending',
  };
  /** Records an event; warnings, the breach (S3, S11) and the end of free maintenance reach the PM and the IT manager too. */
  const record = async (event: ModificationEvent) => {
    await projectModification({ view: mod.view(Date.now()), event });
    const kind = NOTICES[event.type];
    if (!kind) return;
    const fraction = event.data.fraction;
    await notifyAll({
      processId: workflowId,
      step: `${event.seq}:${kind}`,
      incidentId: null,
      recipients: [
        { kind: 'role', role: 'project_manager' },
        { kind: 'role', role: 'it_manager' },
      ],
      subject: {
        kind,
        modificationNumber: input.number,
        systemName: input.systemName,
        title: input.title,
        deadline: (event.data.deadline as number | undefined) ?? (event.data.endsAt as number | undefined) ?? null,
        percent: typeof fraction === 'number' ? Math.round(fraction * 100) : null,
      },
      urgent: kind === 'modification_delivery_breached',
    });
  };

  setHandler(modificationViewQuery, () => mod.view(Date.now()));
  setHandler(modificationOpenedUpdate, async () => {
    await condition(() => opened);
    return mod.view(Date.now());
  });
  setHandler(
    modificationCommandUpdate,
    async (command) => {
      const now = Date.now();
      const due = mod.tick(now);
      const event = asFailure(() => mod.apply(command, now));
      changes++;
      await condition(() => opened);
      for (const e of due.events) await record(e);
      await record(event);
      return mod.view(Date.now());
    },
    {
      validator: (command) => asFailure(() => mod.validate(command, Date.now())),
    },
  );

  for (const e of mod.view(Date.now()).events) await record(e);
  opened = true;
  while (!mod.terminal) {
    const seen = changes;
    const wakeAt = mod.nextWakeAt();
    if (wakeAt === null) await condition(() => changes !== seen);
    else await condition(() => changes !== seen, Math.max(1, wakeAt - Date.now()));
    for (const e of mod.tick(Date.now()).events) await record(e);
  }
  await condition(allHandlersFinished);
}
