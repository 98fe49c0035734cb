import { DataSource } from 'typeorm';
import type { ChangeDecision, ChangeView } from '../domain/change-process';
import type { ModificationEvent, ModificationView } from '../domain/modification';
import { projecting } from './projection-errors';

/** The change's queryable copy and its decision history, written once per decision (keyed by sequence). */
export function createChangeActivities(deps: { dataSource: DataSource }) {
  const ds = deps.dataSource;
  return {
    async projectChange(input: { view: ChangeView; decision: ChangeDecision }): Promise<void> {
      const v = input.view;
      const d = input.decision;
      await projecting('projectChange', () => ds.transaction(async (tx) => {
        await tx.query(
          `UPDATE changes SET state = $2, risk = $3, schema_change = $4, destructive = $5, current_revision = $6,
             approved_revision = $7, view = $8, projected_seq = $9, updated_at = now()
           WHERE id = $1 AND projected_seq < $9`,
          [v.changeId, v.state, v.risk, v.schemaChange, v.destructive, v.currentRevision, v.approvedRevision, JSON.stringify(v), v.seq],
        );
        await tx.query(
          `INSERT INTO change_events (change_id, seq, action, actor_id, actor_name, at, revision, from_state, to_state, comment, data)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (change_id, seq) DO NOTHING`,
          [v.changeId, d.seq, d.action, d.actor?.id ?? null, d.actor?.name ?? null, new Date(d.at), d.revision, d.fromState, d.toState, d.comment, JSON.stringify(d.data)],
        );
      }));
    },

    async projectModification(input: { view: ModificationView; event: ModificationEvent }): Promise<void> {
      const v = input.view;
      const e = input.event;
      const date = (ms: number | null) => (ms === null ? null : new Date(ms));
      await projecting('projectModification', () => ds.transaction(async (tx) => {
        await tx.query(
          `UPDATE modifications SET state = $2, delivery_due = $3, delivery_breached = $4, live_at = $5, acceptance_eligible_at = $6,
             accepted_at = $7, maintenance_ends_at = $8, view = $9, projected_seq = $10, updated_at = now()
           WHERE id = $1 AND projected_seq < $10`,
          [v.modificationId, v.state, date(v.delivery.deadline), v.delivery.breached, date(v.liveAt), date(v.acceptanceEligibleAt), date(v.acceptedAt), date(v.maintenanceEndsAt), JSON.stringify(v), v.seq],
        );
        await tx.query(
          `INSERT INTO modification_events (modification_id, seq, type, actor_id, actor_name, at, from_state, to_state, note, data)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (modification_id, seq) DO NOTHING`,
          [v.modificationId, e.seq, e.type, e.actor?.id ?? null, e.actor?.name ?? null, new Date(e.at), e.fromState, e.toState, e.note, JSON.stringify(e.data)],
        );
      }));
    },
  };
}
