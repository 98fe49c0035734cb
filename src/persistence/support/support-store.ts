import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { RecordContent } from '../../domain/records/content';
import { SUPPORT_TYPES, SUPPORT_TYPE_ZH, SupportEvent, SupportInput, SupportPolicy, SupportProcess, SupportType, SupportView } from '../../domain/support/support-request';
import { enqueue } from '../../intake/outbox';
import { allocateNumber } from '../numbering';
import { recordWork } from '../records/record-store';
import { SUPPORT_WORKFLOW_TYPE, supportWorkflowId } from '../../shared/support-messages';

type Db = DataSource | EntityManager;

export async function supportPolicies(db: Db): Promise<SupportPolicy[]> {
  const rows: Record<string, any>[] = await db.query(`SELECT type, working_days, touches_data FROM support_policies`);
  return SUPPORT_TYPES.flatMap((type) => {
    const r = rows.find((x) => x.type === type);
    return r ? [{ type, workingDays: Number(r.working_days), touchesData: r.touches_data }] : [];
  });
}

export async function saveSupportPolicies(db: Db, policies: SupportPolicy[], by: string): Promise<void> {
  for (const p of policies) {
    await db.query(
      `INSERT INTO support_policies (type, working_days, touches_data, updated_by, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (type) DO UPDATE SET working_days = $2, touches_data = $3, updated_by = $4, updated_at = now()`,
      [p.type, p.workingDays, p.touchesData, by],
    );
  }
}

async function upsert(tx: EntityManager, v: SupportView, e: SupportEvent): Promise<boolean> {
  await tx.query(
    `INSERT INTO support_requests (id, number, workflow_id, system_id, type, title, state, requester_name, requester_department, submitted_at, due_at,
        fulfilled_at, confirmed_at, breached, change_id, view, projected_seq)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
     ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, fulfilled_at = EXCLUDED.fulfilled_at, confirmed_at = EXCLUDED.confirmed_at,
        breached = EXCLUDED.breached, change_id = EXCLUDED.change_id, view = EXCLUDED.view, projected_seq = EXCLUDED.projected_seq, updated_at = now()
     WHERE support_requests.projected_seq < EXCLUDED.projected_seq`,
    [
      v.requestId,
      v.number,
      supportWorkflowId(v.number, v.requestId),
      v.systemId,
      v.type,
      v.title,
      v.state,
      v.requester.name,
      v.requester.department,
      new Date(v.submittedAt),
      new Date(v.dueAt),
      v.fulfilledAt === null ? null : new Date(v.fulfilledAt),
      v.confirmedAt === null ? null : new Date(v.confirmedAt),
      v.breached,
      v.change?.id ?? null,
      JSON.stringify(v),
      v.seq,
    ],
  );
  const inserted: unknown[] = await tx.query(
    `INSERT INTO support_request_events (support_request_id, seq, type, actor_id, actor_name, at, from_state, to_state, note, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (support_request_id, seq) DO NOTHING RETURNING id`,
    [v.requestId, e.seq, e.type, e.actor?.id ?? null, e.actor?.name ?? null, new Date(e.at), e.fromState, e.toState, e.note, JSON.stringify(e.data)],
  );
  return inserted.length > 0;
}

/** The request's row and one timeline event (idempotent by seq); a fulfilment becomes a maintenance record (S14). */
export async function writeSupportProjection(ds: DataSource, p: { view: SupportView; event: SupportEvent }): Promise<void> {
  await ds.transaction(async (tx) => {
    const fresh = await upsert(tx, p.view, p.event);
    if (fresh && p.event.type === 'fulfil') await recordWork(tx, supportRecordContent(p.view, p.event));
  });
}

/** A fulfilled support request as a maintenance record (S14): what was asked, what was done, against its clock. */
export function supportRecordContent(v: SupportView, e: SupportEvent): RecordContent {
  const breached = v.breached || e.at > v.dueAt;
  return {
    sourceKind: 'support_request',
    sourceId: v.requestId,
    sourceNumber: v.number,
    sourceSeq: e.seq,
    systemId: v.systemId,
    title: v.title,
    problem: v.description,
    process: e.note ?? '',
    cause: SUPPORT_TYPE_ZH[v.type],
    result: v.change ? `已完成（变更 ${v.change.number}）` : '已完成',
    performedBy: e.actor && e.actor.id !== 'system' ? [e.actor] : [],
    requestedBy: { name: v.requester.name, department: v.requester.department },
    startedAt: v.submittedAt,
    completedAt: e.at,
    sla: { clocks: [{ kind: 'support', deadline: v.dueAt, metAt: e.at, breached }], breached },
    category: v.type,
    priority: null,
    tier: null,
  };
}

/** Submits a request in the caller's transaction: number, row, first event and the outbox entry starting its workflow. */
export async function openSupportRequest(
  tx: EntityManager,
  p: { systemId: string; type: SupportType; title: string; description: string; requester: { name: string; department: string }; at: number; dueAt: number; warnAt?: number; policy: SupportPolicy; by: { id: string; name: string }; taskQueue?: string; utcOffsetMinutes: number },
): Promise<{ requestId: string; number: string }> {
  const requestId = randomUUID();
  const number = await allocateNumber(tx, 'SR', p.at, p.utcOffsetMinutes);
  const [system] = await tx.query(`SELECT display_name FROM business_systems WHERE id = $1`, [p.systemId]);
  const input: SupportInput = {
    requestId,
    number,
    systemId: p.systemId,
    type: p.type,
    title: p.title,
    description: p.description,
    requester: p.requester,
    submittedAt: p.at,
    submittedBy: p.by,
    dueAt: p.dueAt,
    ...(p.warnAt !== undefined ? { warnAt: p.warnAt } : {}),
    ...(system ? { systemName: system.display_name as string } : {}),
    policy: p.policy,
    openedOnRecord: true,
  };
  const process = new SupportProcess(input);
  await upsert(tx, process.view(), process.opened());
  await enqueue(tx, { operation: 'start', workflowId: supportWorkflowId(number, requestId), start: { workflowType: SUPPORT_WORKFLOW_TYPE, args: [input], ...(p.taskQueue ? { taskQueue: p.taskQueue } : {}) } });
  return { requestId, number };
}
