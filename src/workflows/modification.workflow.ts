import { allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import { ModificationEvent, ModificationInput, ModificationProcess } from '../domain/modification';
import { modificationCommandUpdate, modificationOpenedUpdate, modificationViewQuery } from '../shared/modification-messages';
import type { createChangeActivities } from '../activities/change.activities';
import { PROJECTION_ACTIVITY_OPTIONS, rethrowAsFailure } from './domain-failure';

const { projectModification } = proxyActivities<ReturnType<typeof createChangeActivities>>(PROJECTION_ACTIVITY_OPTIONS);


/** One modification request (S3, S11, S17): the 7-day delivery clock, acceptance after go-live, free maintenance. */
export async function modificationWorkflow(input: ModificationInput): Promise<void> {
  const mod = new ModificationProcess(input);
  let opened = false;
  let changes = 0;
  const record = (event: ModificationEvent) => projectModification({ view: mod.view(Date.now()), event });

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
      let event: ModificationEvent;
      try {
        event = mod.apply(command, now);
      } catch (err) {
        rethrowAsFailure(err);
      }
      changes++;
      await condition(() => opened);
      for (const e of due.events) await record(e);
      await record(event);
      return mod.view(Date.now());
    },
    {
      validator: (command) => {
        try {
          mod.check(command, Date.now());
        } catch (err) {
          rethrowAsFailure(err);
        }
      },
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
