import { allHandlersFinished, condition, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import { ProblemEvent, ProblemInput, ProblemProcess, isProblemTerminal } from '../domain/problems/problem';
import { problemCommandUpdate, problemViewQuery } from '../shared/problem-messages';
import type { createProblemActivities } from '../activities/problem.activities';
import { LOCAL_PROJECTION_OPTIONS, asFailure } from './domain-failure';

const { projectProblem } = proxyLocalActivities<ReturnType<typeof createProblemActivities>>(LOCAL_PROJECTION_OPTIONS);

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
  await condition(() => isProblemTerminal(problem.state));
  await condition(allHandlersFinished);
}
