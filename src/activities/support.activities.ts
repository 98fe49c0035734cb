import { DataSource } from 'typeorm';
import type { SupportEvent, SupportView } from '../domain/support/support-request';
import { writeSupportProjection } from '../persistence/support/support-store';
import { projecting } from './projection-errors';

/** S6: the support request's queryable copy, written once per event (keyed by sequence). */
export function createSupportActivities(deps: { dataSource: DataSource }) {
  return {
    async projectSupportRequest(input: { view: SupportView; event: SupportEvent }): Promise<void> {
      await projecting('projectSupportRequest', () => writeSupportProjection(deps.dataSource, input));
    },
  };
}
