import { DataSource } from 'typeorm';
import type { IncidentClocks, IncidentView, TimelineEvent } from '../domain/incident-process';
import { incidentWorkflowId } from '../shared/incident-messages';
import { onIncidentEvent } from './records/hooks';
import { onIncidentEventSurvey } from './surveys/survey-store';
import { onIncidentEventProblem } from './problems/problem-store';

export interface IncidentProjection {
  view: IncidentView;
  clocks: IncidentClocks;
  event: TimelineEvent;
}

const date = (ms: number | null | undefined): Date | null => (ms === null || ms === undefined ? null : new Date(ms));

/** The incidents columns a projection writes, in the order of `incidentRowValues`. */
export const INCIDENT_ROW_COLUMNS = [
  'id', 'number', 'workflow_id', 'system_id', 'title', 'description', 'reporter_name', 'reporter_department',
  'reporter_phone', 'priority', 'channel', 'state', 'tier', 'reported_at', 'opened_by_id', 'opened_by_name', 'assignee_id', 'assignee_name',
  'respond_due', 'on_site_due', 'repair_due', 'acknowledged_at', 'on_site_at', 'resolved_at', 'confirmed_at', 'closed_at', 'cancelled_at',
  'cancel_reason', 'resolution', 'breached', 'breached_clocks', 'clocks', 'policy_version', 'projected_seq', 'calendar_provisional',
] as const;

/** The row of an incident as of its view: the one shape the workflow's projection and the intake write. */
export function incidentRowValues(p: Omit<IncidentProjection, 'event'>): unknown[] {
  const v = p.view;
  const breachedClocks = Object.values(v.clocks)
    .filter((c) => c.breached)
    .map((c) => c.kind);
  return [
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
  ];
}

/** The incident_events columns of one timeline event, in the order of `timelineEventValues` (after incident_id). */
export const TIMELINE_EVENT_COLUMNS = ['seq', 'type', 'actor_id', 'actor_name', 'at', 'from_state', 'to_state', 'note', 'data'] as const;

export function timelineEventValues(e: TimelineEvent): unknown[] {
  return [e.seq, e.type, e.actor?.id ?? null, e.actor?.name ?? null, new Date(e.at), e.fromState, e.toState, e.note, JSON.stringify(e.data)];
}

const placeholders = (from: number, count: number) => Array.from({ length: count }, (_, i) => `$${from + i}`).join(',');
const UPDATED = INCIDENT_ROW_COLUMNS.filter(
  (c) => !['id', 'number', 'workflow_id', 'system_id', 'title', 'description', 'reporter_name', 'reporter_department', 'reporter_phone', 'channel', 'tier', 'reported_at', 'opened_by_id', 'opened_by_name'].includes(c),
);

/**
 * Writes an incident's row and one timeline event. Idempotent: the event is keyed by (incident, seq) and the
 * row only moves forward in seq, so a retried or replayed activity never writes twice or goes back in time.
 */
export async function writeIncidentProjection(ds: DataSource, p: IncidentProjection): Promise<void> {
  const row = incidentRowValues(p);
  await ds.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO incidents (${INCIDENT_ROW_COLUMNS.join(', ')}, updated_at)
       VALUES (${placeholders(1, row.length)}, now())
       ON CONFLICT (id) DO UPDATE SET ${UPDATED.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now()
       WHERE incidents.projected_seq < EXCLUDED.projected_seq`,
      row,
    );
    const inserted: unknown[] = await tx.query(
      `INSERT INTO incident_events (incident_id, ${TIMELINE_EVENT_COLUMNS.join(', ')})
       VALUES ($1, ${placeholders(2, TIMELINE_EVENT_COLUMNS.length)}) ON CONFLICT (incident_id, seq) DO NOTHING RETURNING id`,
      [p.view.incidentId, ...timelineEventValues(p.event)],
    );
    // S14: finished work becomes a maintenance record in the same transaction, once (only when the event is new).
    if (inserted.length > 0) await onIncidentEvent(tx, p.view, p.event);
    // S8: the hospital's confirmation sends the reporter a satisfaction survey, once.
    if (inserted.length > 0) await onIncidentEventSurvey(tx, p.view, p.event);
    // S1: a resolution that completes a recurrence proposes a problem (or joins the open one). Its own savepoint: a
    // detection that fails is retried with the projection only when retrying can help (a concurrent proposal).
    if (inserted.length > 0 && p.event.type === 'resolve') {
      await tx.query('SAVEPOINT problem_detection');
      try {
        await onIncidentEventProblem(tx, p.view, p.event);
        await tx.query('RELEASE SAVEPOINT problem_detection');
      } catch (err) {
        if ((err as { code?: string; driverError?: { code?: string } }).driverError?.code === '23505') throw err;
        await tx.query('ROLLBACK TO SAVEPOINT problem_detection');
        console.warn(`problem detection skipped for incident ${p.view.number}: ${(err as Error).message}`);
      }
    }
  });
}
