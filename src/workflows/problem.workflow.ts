import { allHandlersFinished, condition, patched, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { ProblemEvent, ProblemInput, ProblemProcess, isProblemTerminal } from '../domain/problems/problem';
import { problemCommandUpdate, problemViewQuery } from '../shared/problem-messages';
import type { createProblemActivities } from '../activities/problem.activities';
import { LOCAL_PROJECTION_OPTIONS, asFailure } from './domain-failure';
import { notifyAll } from './notify';

const { projectProblem } = proxyLocalActivities<ReturnType<typeof createProblemActivities>>(LOCAL_PROJECTION_OPTIONS);

/** Patch (test/histories/README.md): a problem proposed by recurring faults is announced to the managers who decide on it. */
export const PROBLEM_PROPOSED_NOTICE = 'problem-proposed-notice';

/**
 * One problem (S1): investigate → root cause → known error with a workaround → fixed by a change → closed, with
 * the incidents it explains linked as they recur. Every step is an Update with a validator (409 for an illegal one)
 * and is projected (row, timeline, links) before the Update returns.
 */
export async function problemWorkflow(input: ProblemInput): Promise<void> {
  const problem = new ProblemProcess(input);
  let opened = false;
  const record = (event: ProblemEvent) => projectProblem({ view: problem.view(), event });

  setHandler(problemViewQuery, () => problem.view());
  setHandler(
    problemCommandUpdate,
    async (command) => {
      const event = asFailure(() => problem.apply(command, Date.now()));
      await condition(() => opened);
      await record(event);
      return problem.view();
    },
    { validator: (command) => asFailure(() => problem.validate(command)) },
  );

  if (!input.openedOnRecord) await record(problem.opened());
  opened = true;
  if (input.origin.kind === 'recurrence' && patched(PROBLEM_PROPOSED_NOTICE)) {
    // S1: found by itself, so nobody knows of it yet: the vendor's project and quality managers, who accept or
    // reject it (as the hospital's IT manager may), hear of it over their channels.
    await notifyAll({
      processId: workflowInfo().workflowId,
      step: 'proposed',
      incidentId: null,
      recipients: [
        { kind: 'role', role: 'project_manager' },
        { kind: 'role', role: 'quality_manager' },
        { kind: 'role', role: 'it_manager' },
      ],
      subject: {
        kind: 'problem_proposed',
        number: input.number,
        systemName: input.systemName,
        title: input.title,
        summary: input.origin.summary,
        incidents: input.incidents.map((i) => i.number),
      },
      urgent: false,
    });
  }
  await condition(() => isProblemTerminal(problem.state));
  await condition(allHandlersFinished);
}
