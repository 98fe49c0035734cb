import { DataSource, EntityManager } from 'typeorm';

/** Something that runs SQL: a DataSource (its own transaction per statement) or a transaction's EntityManager. */
export type Db = DataSource | EntityManager;

/** How to start the workflow if it does not exist yet. */
export interface WorkflowStart {
  workflowType: string;
  /** The workflow's arguments; stored as JSON, so plain data only. */
  args: unknown[];
  /** Default: the dispatcher's task queue (the worker's). */
  taskQueue?: string;
}

/**
 * One entry of the workflow outbox. The dispatcher carries them out in id order per workflow id, each once:
 * - `start`: starts the workflow; one that exists already (running or closed) counts as done.
 * - `signal`: with `start`, Signal-with-Start; without, a signal to a workflow that must exist. Deduplicated by
 *   the entry's id (the signal's request id), so a retried dispatch is not a second signal.
 * - `update`: with `start`, Update-with-Start; without, an Update of a workflow that must exist. The update id is
 *   the entry's id; the dispatcher waits until the workflow accepted it. A validator's rejection ends the entry
 *   as `failed` with the reason in `last_error` (it is not retried).
 * A workflow that is closed is never started again by an entry (its id is not reused); a signal or an update for
 * it ends `failed`.
 */
export type OutboxEntry =
  | { operation: 'start'; workflowId: string; start: WorkflowStart; dedupeKey?: string }
  | { operation: 'signal'; workflowId: string; start?: WorkflowStart; name: string; args: unknown[]; dedupeKey?: string }
  | { operation: 'update'; workflowId: string; start?: WorkflowStart; name: string; args: unknown[]; dedupeKey?: string };

export interface Enqueued {
  id: string;
  /** False when an entry with the same dedupe key was enqueued before (this one was not added). */
  created: boolean;
}

/**
 * Adds an entry to the outbox in the caller's transaction (pass the EntityManager of `ds.transaction(...)`), so it
 * commits with the caller's own rows or not at all. A `dedupeKey` makes a retried call enqueue nothing new.
 */
export async function enqueue(db: Db, entry: OutboxEntry): Promise<Enqueued> {
  const start = entry.start ?? null;
  const rows: { id: string }[] = await db.query(
    `INSERT INTO workflow_outbox (workflow_id, operation, workflow_type, task_queue, start_args, message_name, message_args, dedupe_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
    [
      entry.workflowId,
      entry.operation,
      start?.workflowType ?? null,
      start?.taskQueue ?? null,
      start ? JSON.stringify(start.args) : null,
      entry.operation === 'start' ? null : entry.name,
      entry.operation === 'start' ? null : JSON.stringify(entry.args),
      entry.dedupeKey ?? null,
    ],
  );
  if (rows.length > 0) return { id: String(rows[0].id), created: true };
  const [existing] = await db.query(`SELECT id FROM workflow_outbox WHERE dedupe_key = $1`, [entry.dedupeKey]);
  return { id: String(existing.id), created: false };
}

/** Where the outbox stands for one workflow: its start, if still waiting, lets a caller use Update-with-Start. */
export async function pendingStartOf(db: Db, workflowId: string): Promise<WorkflowStart | null> {
  const [row] = await db.query(
    `SELECT workflow_type, task_queue, start_args FROM workflow_outbox
      WHERE workflow_id = $1 AND state = 'pending' AND start_args IS NOT NULL ORDER BY id LIMIT 1`,
    [workflowId],
  );
  return row ? { workflowType: row.workflow_type, taskQueue: row.task_queue ?? undefined, args: row.start_args } : null;
}

export interface OutboxBacklog {
  pending: number;
  failed: number;
  oldestPendingAt: Date | null;
}

/** For /health and the benches: how much is waiting and since when. */
export async function outboxBacklog(db: Db): Promise<OutboxBacklog> {
  const [row] = await db.query(
    `SELECT count(*) FILTER (WHERE state = 'pending')::int AS pending, count(*) FILTER (WHERE state = 'failed')::int AS failed,
            min(created_at) FILTER (WHERE state = 'pending') AS oldest FROM workflow_outbox WHERE state <> 'done'`,
  );
  return { pending: row.pending, failed: row.failed, oldestPendingAt: row.oldest ?? null };
}
