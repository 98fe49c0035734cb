import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * S9: which incidents are outages of their business system. A flag beside the incident, not in its workflow: set at
 * report or later by the hospital's dispatch desk, with who and when, and an optional correction of when the outage
 * began. Revenue per hour stays where it is kept as data: cmdb_items.revenue_per_hour of the business system's item.
 */
export class IncidentOutages1764850000000 implements MigrationInterface {
  name = 'IncidentOutages1764850000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE incident_outages (
        incident_id uuid PRIMARY KEY REFERENCES incidents(id),
        outage boolean NOT NULL,
        started_at timestamptz,
        note text,
        set_by_id text NOT NULL,
        set_by_name text NOT NULL,
        set_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX incident_outages_flagged ON incident_outages (incident_id) WHERE outage`);
    // Every change of the flag, for the evidence (who said it was, or was not, an outage).
    await q.query(`
      CREATE TABLE incident_outage_history (
        id bigserial PRIMARY KEY,
        incident_id uuid NOT NULL REFERENCES incidents(id),
        outage boolean NOT NULL,
        started_at timestamptz,
        note text,
        set_by_id text NOT NULL,
        set_by_name text NOT NULL,
        set_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX incident_outage_history_incident ON incident_outage_history (incident_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE incident_outage_history`);
    await q.query(`DROP TABLE incident_outages`);
  }
}
