import { DataSource } from 'typeorm';
import type { ChangeDecision, ChangeView } from '../domain/change-process';
import type { ModificationEvent, ModificationView } from '../domain/modification';
import { projecting } from './projection-errors';
import { onChangeDecision, onModificationEvent } from '../persistence/records/hooks';
import { changeWorkflowId } from '../shared/change-messages';
import { modificationWorkflowId } from '../shared/modification-messages';

/**
 * The change's queryable copy and its decision history, written once per decision (keyed by sequence). The
 * workflow writes the row itself, first of all (as incidents do): the API starts the workflow before anything is
 * stored, so a crash between the two can never leave a row without a process.
 */
export function createChangeActivities(deps: { dataSource: DataSource }) {
  const ds = deps.dataSource;
  return {
    async projectChange(input: { view: ChangeView; decision: ChangeDecision }): Promise<void> {
      const v = input.view;
      const d = input.decision;
      await projecting('projectChange', () => ds.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO changes (id, number, workflow_id, system_id, kind, title, state, risk, schema_change, destructive, current_revision,
             approved_revision, window_start, window_end, submitted_by, implementer_id, linked_incident_id, view, projected_seq)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)
           ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, risk = EXCLUDED.risk, schema_change = EXCLUDED.schema_change,
             destructive = EXCLUDED.destructive, current_revision = EXCLUDED.current_revision, approved_revision = EXCLUDED.approved_revision,
             view = EXCLUDED.view, projected_seq = EXCLUDED.projected_seq, updated_at = now()
           WHERE changes.projected_seq < EXCLUDED.projected_seq`,
          [
            v.changeId,
            v.number,
            changeWorkflowId(v.number, v.changeId),
            v.systemId,
            v.kind,
            v.title,
            v.state,
            v.risk,
            v.schemaChange,
            v.destructive,
            v.currentRevision,
            v.approvedRevision,
            new Date(v.window.start),
            new Date(v.window.end),
            v.submittedBy.id,
            v.implementer?.id ?? null,
            v.linkedIncidentId ?? null,
            JSON.stringify(v),
            v.seq,
          ],
        );
        const inserted: unknown[] = await tx.query(
          `INSERT INTO change_events (change_id, seq, action, actor_id, actor_name, at, revision, from_state, to_state, comment, data)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (change_id, seq) DO NOTHING RETURNING id`,
          [v.changeId, d.seq, d.action, d.actor?.id ?? null, d.actor?.name ?? null, new Date(d.at), d.revision, d.fromState, d.toState, d.comment, JSON.stringify(d.data)],
        );
        // S14: an implemented change becomes a maintenance record, once.
        if (inserted.length > 0) await onChangeDecision(tx, v, d);
      }));
    },

    async projectModification(input: { view: ModificationView; event: ModificationEvent }): Promise<void> {
      const v = input.view;
      const e = input.event;
      const date = (ms: number | null) => (ms === null ? null : new Date(ms));
      await projecting('projectModification', () => ds.transaction(async (tx) => {
        // Views from workflows started before the row was theirs to write lack the submission fields; their row exists.
        await tx.query(
          `INSERT INTO modifications (id, number, workflow_id, system_id, type, title, description, department, state, submitted_by, submitted_at,
             delivery_due, delivery_breached, live_at, acceptance_eligible_at, accepted_at, maintenance_ends_at, view, projected_seq)
           SELECT $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19 WHERE $10::uuid IS NOT NULL
           ON CONFLICT (id) DO NOTHING`,
          [
            v.modificationId,
            v.number,
            modificationWorkflowId(v.number, v.modificationId),
            v.systemId,
            v.type,
            v.title,
            v.description ?? '',
            v.department ?? '',
            v.state,
            v.submittedBy?.id ?? null,
            date(v.submittedAt ?? null),
            date(v.delivery.deadline),
            v.delivery.breached,
            date(v.liveAt),
            date(v.acceptanceEligibleAt),
            date(v.acceptedAt),
            date(v.maintenanceEndsAt),
            JSON.stringify(v),
            v.seq,
          ],
        );
        await tx.query(
          `UPDATE modifications SET state = $2, delivery_due = $3, delivery_breached = $4, live_at = $5, acceptance_eligible_at = $6,
             accepted_at = $7, maintenance_ends_at = $8, view = $9, projected_seq = $10, updated_at = now()
           WHERE id = $1 AND projected_seq < $10`,
          [v.modificationId, v.state, date(v.delivery.deadline), v.delivery.breached, date(v.liveAt), date(v.acceptanceEligibleAt), date(v.acceptedAt), date(v.maintenanceEndsAt), JSON.stringify(v), v.seq],
        );
        const inserted: unknown[] = await tx.query(
          `INSERT INTO modification_events (modification_id, seq, type, actor_id, actor_name, at, from_state, to_state, note, data)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (modification_id, seq) DO NOTHING RETURNING id`,
          [v.modificationId, e.seq, e.type, e.actor?.id ?? null, e.actor?.name ?? null, new Date(e.at), e.fromState, e.toState, e.note, JSON.stringify(e.data)],
        );
        // S14: a delivered modification becomes a maintenance record, once.
        if (inserted.length > 0) await onModificationEvent(tx, v, e);
      }));
    },
  };
}
