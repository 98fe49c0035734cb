import { DataSource } from 'typeorm';
import type { IncidentClocks, IncidentView, TimelineEvent } from '../domain/incident-process';
import { writeIncidentProjection } from '../persistence/incident-projection';
import { projecting } from './projection-errors';

export interface IncidentActivityDeps {
  dataSource: DataSource;
}

export function createIncidentActivities(deps: IncidentActivityDeps) {
  return {
    /** The incident row and one timeline event; idempotent by (incident, seq). */
    async projectIncident(input: { view: IncidentView; clocks: IncidentClocks; event: TimelineEvent }): Promise<void> {
      // A write that can never succeed fails for good, and no retry logs the reporter's name or phone (issue 9).
      await projecting('projectIncident', () => writeIncidentProjection(deps.dataSource, input));
    },
  };
}
