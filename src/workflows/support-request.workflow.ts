import { allHandlersFinished, condition, patched, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { SupportEvent, SupportInput, SupportProcess, isSupportTerminal } from '../domain/support/support-request';
import type { SupportClockNotice } from '../shared/notify-messages';
import { supportCommandUpdate, supportViewQuery } from '../shared/support-messages';
import type { createSupportActivities } from '../activities/support.activities';
import { LOCAL_PROJECTION_OPTIONS, asFailure } from './domain-failure';
import { notifyAll } from './notify';

const { projectSupportRequest } = proxyLocalActivities<ReturnType<typeof createSupportActivities>>(LOCAL_PROJECTION_OPTIONS);

/** Patch (test/histories/README.md): the clock's warning and breach reach the assignee and the project manager. */
export const SUPPORT_CLOCK_NOTICES = 'support-clock-notices';

/**
 * One support request (S6): its clock (a timer to the due time the calendar gave at submission; the breach is
 * recorded once), and its steps as Updates with validators, each projected before the Update returns. Behind
 * SUPPORT_CLOCK_NOTICES the clock also warns (at the input's warnAt) and both the warning and the breach are sent
 * to whoever accepted the request and to the project manager.
 */
export async function supportRequestWorkflow(input: SupportInput): Promise<void> {
  const req = new SupportProcess(input);
  const notices = patched(SUPPORT_CLOCK_NOTICES);
  let opened = false;
  let changes = 0;
  const record = (event: SupportEvent) => projectSupportRequest({ view: req.view(), event });
  /** Clock notices waiting to be sent by the main loop (an Update does not wait on channels). */
  const pending: { kind: SupportClockNotice['kind']; step: string; percent: number }[] = [];
  const send = async () => {
    while (pending.length > 0) {
      const n = pending.shift()!;
      const assignee = req.assignee;
      await notifyAll({
        processId: workflowInfo().workflowId,
        step: n.step,
        incidentId: null,
        recipients: [...(assignee ? [{ kind: 'user' as const, id: assignee.id }] : []), { kind: 'role', role: 'project_manager' }],
        subject: {
          kind: n.kind,
          number: input.number,
          systemName: input.systemName ?? '',
          title: input.title,
          type: input.type,
          dueAt: input.dueAt,
          percent: n.percent,
          assigneeName: assignee?.name ?? null,
        },
        urgent: n.kind === 'support_breached',
      });
    }
  };
  const breached = (e: SupportEvent) => {
    if (notices) pending.push({ kind: 'support_breached', step: `${e.seq}:support_breached`, percent: 100 });
  };

  setHandler(supportViewQuery, () => req.view());
  setHandler(
    supportCommandUpdate,
    async (command) => {
      const now = Date.now();
      // A breach that fell due before this command is recorded first, at its own time.
      const overdue = req.tick(now);
      const event = asFailure(() => req.apply(command, now));
      if (overdue) breached(overdue);
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
    const wakeAt = req.nextWakeAt(notices);
    if (wakeAt === null) await condition(() => changes !== seen || pending.length > 0);
    else await condition(() => changes !== seen || pending.length > 0, Math.max(1, wakeAt - Date.now()));
    const now = Date.now();
    const breach = req.tick(now);
    if (breach) {
      breached(breach);
      await record(breach);
    }
    const warning = notices ? req.warning(now) : null;
    if (warning) pending.push({ kind: 'support_warning', step: `warning:${Math.round(warning.fraction * 100)}`, percent: Math.round(warning.fraction * 100) });
    await send();
  }
  await send();
  await condition(allHandlersFinished);
}
