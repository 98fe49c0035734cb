import { DataSource } from 'typeorm';
import type { EscalationContact, EscalationLevel } from '../domain/escalation';
import type { EscalationView } from '../shared/escalation-messages';
import { projecting } from './projection-errors';

export interface EscalationPlan {
  vendorId: string | null;
  vendorName: string | null;
  contacts: EscalationContact[];
}

export function createEscalationActivities(deps: { dataSource: DataSource }) {
  const ds = deps.dataSource;
  return {
    /** S7: the vendor that made the system and its active contacts by level. */
    async loadEscalationPlan(input: { systemId: string }): Promise<EscalationPlan> {
      const [vendor] = await ds.query(
        `SELECT v.id, v.name FROM vendors v JOIN vendor_systems vs ON vs.vendor_id = v.id WHERE vs.system_id = $1 ORDER BY v.name LIMIT 1`,
        [input.systemId],
      );
      if (!vendor) return { vendorId: null, vendorName: null, contacts: [] };
      const rows = await ds.query(`SELECT id, name, level FROM vendor_contacts WHERE vendor_id = $1 AND active ORDER BY level, name`, [vendor.id]);
      return {
        vendorId: vendor.id,
        vendorName: vendor.name,
        contacts: rows.map((r: { id: string; name: string; level: number }) => ({ id: r.id, name: r.name, level: r.level as EscalationLevel })),
      };
    },

    /** The queryable copy of an escalation; it only moves forward (a retried write changes nothing). */
    async projectEscalation(input: { view: EscalationView; vendorId?: string | null }): Promise<void> {
      const v = input.view;
      const seq = v.history.length + (v.endedAt ? 1 : 0);
      const date = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms));
      await projecting('projectEscalation', () => ds.query(
        `INSERT INTO escalations (id, incident_id, workflow_id, vendor_id, trigger, reason, status, level, started_at, acknowledged_at,
           acknowledged_by, promised_on_site_at, arrived_at, ended_at, projected_seq, history, share)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)
         ON CONFLICT (id) DO UPDATE SET vendor_id = COALESCE(EXCLUDED.vendor_id, escalations.vendor_id), status = EXCLUDED.status,
           level = EXCLUDED.level, acknowledged_at = EXCLUDED.acknowledged_at, acknowledged_by = EXCLUDED.acknowledged_by,
           promised_on_site_at = EXCLUDED.promised_on_site_at, arrived_at = EXCLUDED.arrived_at, ended_at = EXCLUDED.ended_at,
           projected_seq = EXCLUDED.projected_seq, history = EXCLUDED.history
         WHERE escalations.projected_seq <= EXCLUDED.projected_seq`,
        [
          v.escalationId,
          v.incidentId,
          v.workflowId,
          input.vendorId ?? null,
          v.trigger,
          v.reason,
          v.status,
          v.level,
          date(v.startedAt),
          date(v.acknowledgement?.at),
          // The vendor contact whose acknowledgement it is; staff who recorded it for them stay in the history.
          v.acknowledgement ? (v.acknowledgement.onBehalfOf?.name ?? v.acknowledgement.by.name) : null,
          date(v.acknowledgement?.promisedOnSiteAt),
          date(v.arrivedAt),
          date(v.endedAt),
          seq,
          JSON.stringify(v.history),
          v.share ?? null,
        ],
      ));
    },
  };
}
