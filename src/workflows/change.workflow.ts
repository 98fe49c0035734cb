import { allHandlersFinished, condition, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { ChangeCommand, ChangeDecision, ChangeInput, ChangeProcess } from '../domain/change-process';
import { changeCommandUpdate, changeOpenedUpdate, changeViewQuery } from '../shared/change-messages';
import type { ChangeNotice, RecipientRef } from '../shared/notify-messages';
import type { createChangeActivities } from '../activities/change.activities';
import { PROJECTION_ACTIVITY_OPTIONS, asFailure } from './domain-failure';
import { notifyAll } from './notify';

const { projectChange } = proxyActivities<ReturnType<typeof createChangeActivities>>(PROJECTION_ACTIVITY_OPTIONS);


/**
 * One change (S4): reviewed by the hospital's IT department before anything touches the schema. The review
 * clock reminds the reviewers after 1 working day and brings in the IT manager after 2; an emergency change is
 * implemented first and must be reviewed within 1 working day after.
 */
export async function changeWorkflow(input: ChangeInput): Promise<void> {
  // Issue 9: a standard change carrying a destructive statement goes to review; changes started before keep their rule.
  const change = new ChangeProcess(input, { destructiveForcesReview: patched('change-standard-destructive-review') });
  const workflowId = workflowInfo().workflowId;
  let opened = false;
  let changes = 0;

  const record = (decision: ChangeDecision) => projectChange({ view: change.view(), decision });
  const notify = (decision: ChangeDecision, kind: ChangeNotice['kind'], recipients: RecipientRef[]) => {
    const v = change.view();
    const subject: ChangeNotice = {
      kind,
      changeNumber: v.number,
      systemName: input.systemName,
      title: v.title,
      risk: v.risk,
      revision: v.currentRevision,
      decision: (decision.data.decision as string | undefined) ?? null,
      comment: decision.comment,
      dueAt: v.reviewDueAt,
    };
    return notifyAll({ processId: workflowId, step: `${decision.seq}:${kind}`, incidentId: null, recipients, subject, urgent: kind === 'change_review_escalated' });
  };
  const reviewers: RecipientRef[] = [{ kind: 'role', role: 'reviewer' }];

  setHandler(changeViewQuery, () => change.view());
  setHandler(changeOpenedUpdate, async () => {
    await condition(() => opened);
    return change.view();
  });
  setHandler(
    changeCommandUpdate,
    async (command: ChangeCommand) => {
      const decision = asFailure(() => change.apply(command, Date.now()));
      changes++;
      await condition(() => opened);
      await record(decision);
      if (command.action === 'review') {
        await notify(decision, 'change_review_decided', [{ kind: 'user', id: input.submittedBy.id }]);
      }
      if (command.action === 'revise') await notify(decision, 'change_review_requested', reviewers);
      if (command.action === 'implement' && input.kind === 'emergency' && !change.view().reviewed) {
        await notify(decision, 'change_review_requested', [...reviewers, { kind: 'role', role: 'it_manager' }]);
      }
      return change.view();
    },
    {
      validator: (command) => asFailure(() => change.validate(command, Date.now())),
    },
  );

  for (const decision of change.view().history) await record(decision);
  opened = true;
  if (change.state === 'in_review') {
    const first = change.view().history[0];
    await notify(first, 'change_review_requested', input.kind === 'emergency' ? [...reviewers, { kind: 'role', role: 'it_manager' }] : reviewers);
  }

  while (!change.terminal) {
    const seen = changes;
    const wakeAt = change.nextWakeAt();
    if (wakeAt === null) await condition(() => changes !== seen);
    else await condition(() => changes !== seen, Math.max(1, wakeAt - Date.now()));
    for (const d of change.tick(Date.now())) {
      await record(d);
      if (d.action === 'review_reminder') await notify(d, 'change_review_reminder', reviewers);
      else await notify(d, 'change_review_escalated', [{ kind: 'role', role: 'it_manager' }]);
    }
  }
  await condition(allHandlersFinished);
}
