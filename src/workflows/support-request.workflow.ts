import { allHandlersFinished, condition, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import { SupportEvent, SupportInput, SupportProcess, isSupportTerminal } from '../domain/support/support-request';
import { supportCommandUpdate, supportViewQuery } from '../shared/support-messages';
import type { createSupportActivities } from '../activities/support.activities';
import { LOCAL_PROJECTION_OPTIONS, asFailure } from './domain-failure';

const { projectSupportRequest } = proxyLocalActivities<ReturnType<typeof createSupportActivities>>(LOCAL_PROJECTION_OPTIONS);

/**
 * One support request (S6): its clock (a timer to the due time the calendar gave at submission; the breach is
 * recorded once), and its steps as Updates with validators, each projected before the Update returns.
 */
export async function supportRequestWorkflow(input: SupportInput): Promise<void> {
  const req = new SupportProcess(input);
  let opened = false;
  let changes = 0;
  const record = (event: SupportEvent) => projectSupportRequest({ view: req.view(), event });

  setHandler(supportViewQuery, () => req.view());
  setHandler(
    supportCommandUpdate,
    async (command) => {
      const now = Date.now();
      // A breach that fell due before this command is recorded first, at its own time.
      const overdue = req.tick(now);
      const event = asFailure(() => req.apply(command, now));
      changes++;
      await condition(() => opened);
      if (overdue) await record(overdue);
      await record(event);
      return req.view();
    },
    { validator: (command) => asFailure(() => req.validate(command)) },
  );

  if (!input.openedOnRecord) await record(req.opened());
  opened = true;
  while (!isSupportTerminal(req.state)) {
    const seen = changes;
    const wakeAt = req.nextWakeAt();
    if (wakeAt === null) await condition(() => changes !== seen);
    else await condition(() => changes !== seen, Math.max(1, wakeAt - Date.now()));
    const breach = req.tick(Date.now());
    if (breach) await record(breach);
  }
  await condition(allHandlersFinished);
}
