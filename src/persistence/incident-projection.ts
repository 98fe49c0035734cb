import { DataSource } from 'typeorm';
import type { IncidentClocks, IncidentView, TimelineEvent } from '../domain/incident-process';
import { incidentWorkflowId } from '../shared/incident-messages';
import { onIncidentEvent } from './records/hooks';

export interface IncidentProjection {
  view: IncidentView;
  clocks: IncidentClocks;
  event: TimelineEvent;
}

const date = (ms: number | null | undefined): Date | null => (ms === null || ms === undefined ? null : new Date(ms));

/**
 * Writes an incident's row and one timeline event. Idempotent: the event is keyed by (incident, seq) and the
 * row only moves forward in seq, so a retried or replayed activity never writes twice or goes back in time.
 */
export async function writeIncidentProjection(ds: DataSource, p: IncidentProjection): Promise<void> {
  const v = p.view;
  const breachedClocks = Object.values(v.clocks)
    .filter((c) => c.breached)
    .map((c) => c.kind);
  await ds.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO incidents (id, number, workflow_id, system_id, title, description, reporter_name, reporter_department,
         reporter_phone, priority, channel, state, tier, reported_at, opened_by_id, opened_by_name, assignee_id, assignee_name,
         respond_due, on_site_due, repair_due, acknowledged_at, on_site_at, resolved_at, confirmed_at, closed_at, cancelled_at,
         cancel_reason, resolution, breached, breached_clocks, clocks, policy_version, projected_seq, calendar_provisional, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30,$31,$32,$33,$34,$35, now())
       ON CONFLICT (id) DO UPDATE SET
         state = EXCLUDED.state, priority = EXCLUDED.priority, assignee_id = EXCLUDED.assignee_id,
         assignee_name = EXCLUDED.assignee_name, respond_due = EXCLUDED.respond_due, on_site_due = EXCLUDED.on_site_due,
         repair_due = EXCLUDED.repair_due, acknowledged_at = EXCLUDED.acknowledged_at, on_site_at = EXCLUDED.on_site_at,
         resolved_at = EXCLUDED.resolved_at, confirmed_at = EXCLUDED.confirmed_at, closed_at = EXCLUDED.closed_at,
         cancelled_at = EXCLUDED.cancelled_at, cancel_reason = EXCLUDED.cancel_reason, resolution = EXCLUDED.resolution,
         breached = EXCLUDED.breached, breached_clocks = EXCLUDED.breached_clocks, clocks = EXCLUDED.clocks,
         policy_version = EXCLUDED.policy_version, projected_seq = EXCLUDED.projected_seq,
         calendar_provisional = EXCLUDED.calendar_provisional, updated_at = now()
       WHERE incidents.projected_seq < EXCLUDED.projected_seq`,
      [
        v.incidentId,
        v.number,
        incidentWorkflowId(v.number, v.incidentId),
        v.systemId,
        v.title,
        v.description,
        v.reporter.name,
        v.reporter.department,
        v.reporter.phone,
        v.priority,
        v.channel,
        v.state,
        v.tier,
        date(v.reportedAt),
        v.openedBy.id,
        v.openedBy.name,
        v.assignee?.id ?? null,
        v.assignee?.name ?? null,
        date(v.clocks.respond.deadline),
        date(v.clocks.on_site.deadline),
        date(v.clocks.repair.deadline),
        date(v.milestones.acknowledgedAt),
        date(v.milestones.onSiteAt),
        date(v.milestones.resolvedAt),
        date(v.milestones.confirmedAt),
        date(v.milestones.closedAt),
        date(v.milestones.cancelledAt),
        v.cancelReason,
        v.resolution ? JSON.stringify(v.resolution) : null,
        breachedClocks.length > 0,
        breachedClocks,
        JSON.stringify(p.clocks),
        v.clocks.repair.policyVersion,
        v.seq,
        // S10: any deadline computed on a year with the statutory holidays only (no official 调休 yet)
        Object.values(v.clocks).some((c) => c.provisional === true),
      ],
    );
    const e = p.event;
    const inserted: unknown[] = await tx.query(
      `INSERT INTO incident_events (incident_id, seq, type, actor_id, actor_name, at, from_state, to_state, note, data)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (incident_id, seq) DO NOTHING RETURNING id`,
      [v.incidentId, e.seq, e.type, e.actor?.id ?? null, e.actor?.name ?? null, new Date(e.at), e.fromState, e.toState, e.note, JSON.stringify(e.data)],
    );
    // S14: finished work becomes a maintenance record in the same transaction, once (only when the event is new).
    if (inserted.length > 0) await onIncidentEvent(tx, v, e);
  });
}
