import { DataSource } from 'typeorm';
import type { IncidentClocks, IncidentView, TimelineEvent } from '../domain/incident-process';
import { writeIncidentProjection } from '../persistence/incident-projection';

export interface IncidentActivityDeps {
  dataSource: DataSource;
}

export function createIncidentActivities(deps: IncidentActivityDeps) {
  return {
    /** The incident row and one timeline event; idempotent by (incident, seq). */
    async projectIncident(input: { view: IncidentView; clocks: IncidentClocks; event: TimelineEvent }): Promise<void> {
      await writeIncidentProjection(deps.dataSource, input);
    },
  };
}
