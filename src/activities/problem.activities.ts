import { DataSource } from 'typeorm';
import type { ProblemEvent, ProblemView } from '../domain/problems/problem';
import { writeProblemProjection } from '../persistence/problems/problem-store';
import { projecting } from './projection-errors';

/** S1: the problem's queryable copy, written once per event (keyed by sequence). */
export function createProblemActivities(deps: { dataSource: DataSource }) {
  return {
    async projectProblem(input: { view: ProblemView; event: ProblemEvent }): Promise<void> {
      await projecting('projectProblem', () => writeProblemProjection(deps.dataSource, input));
    },
  };
}
