import { EntityManager } from 'typeorm';
import type { ChangeDecision, ChangeView } from '../../domain/change-process';
import type { IncidentView, TimelineEvent } from '../../domain/incident-process';
import type { ModificationEvent, ModificationView } from '../../domain/modification';
import { changeRecordContent, incidentRecordContent, modificationRecordContent } from '../../domain/records/content';
import { recordWork, supersedeOpenRecords } from './record-store';

/**
 * The small hooks the projections call, in their own transaction, once per newly stored event (S14): finished work
 * becomes a maintenance record; reopened work supersedes its open records. Nothing here changes a workflow.
 */
export async function onIncidentEvent(tx: EntityManager, v: IncidentView, e: TimelineEvent): Promise<void> {
  if (e.type === 'resolve' && v.resolution) {
    const timeline: Record<string, any>[] = await tx.query(
      `SELECT type, at, note, actor_id, actor_name FROM incident_events WHERE incident_id = $1 AND seq <= $2 ORDER BY seq`,
      [v.incidentId, e.seq],
    );
    const steps = timeline.map((t) => ({ type: t.type, at: new Date(t.at).getTime(), note: t.note, actor: t.actor_id ? { id: t.actor_id, name: t.actor_name } : null }));
    await recordWork(tx, incidentRecordContent(v, e, steps));
  } else if (e.type === 'reopen') {
    await supersedeOpenRecords(tx, 'incident', v.incidentId, e.at, e.note ?? 'reopened');
  }
}

export async function onChangeDecision(tx: EntityManager, v: ChangeView, d: ChangeDecision): Promise<void> {
  if (d.action === 'implement') await recordWork(tx, changeRecordContent(v, d));
}

export async function onModificationEvent(tx: EntityManager, v: ModificationView, e: ModificationEvent): Promise<void> {
  if (e.type === 'deliver') await recordWork(tx, modificationRecordContent(v, e));
}
