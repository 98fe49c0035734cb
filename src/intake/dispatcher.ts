import {
  Client,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
  isGrpcServiceError,
} from '@temporalio/client';
import { defaultPayloadConverter, toPayloads } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { DataSource } from 'typeorm';
import { PgListener } from '../persistence/pg-listener';

/** gRPC status codes (Temporal's service errors carry them). */
const GRPC_NOT_FOUND = 5;
const GRPC_ALREADY_EXISTS = 6;

/** The channel the workflow_outbox insert trigger notifies on (migration 1764400000000). */
export const OUTBOX_CHANNEL = 'wardline_outbox';

export interface DispatcherOptions {
  dataSource: DataSource;
  /** For the dispatcher's own session: LISTEN, and the advisory lock that makes one process the dispatcher. */
  databaseUrl: string;
  temporal: Client;
  /** Entries that name no task queue go to this one (the worker's). */
  taskQueue: string;
  /** Temporal calls in flight at once: the back-pressure on Temporal (default 16). */
  concurrency?: number;
  /** Entries read per round (default 256). */
  batchSize?: number;
  /** The periodic sweep that catches what a lost notification or a retry's back-off left (default 2 s). */
  sweepMs?: number;
  /** Done and failed entries are deleted after this long (default 7 days). */
  retentionMs?: number;
  /**
   * On taking the lock, the starts recorded done in this window before the last one are checked at Temporal, and made
   * again if Temporal does not know them (default 10 s; 0 turns it off). It covers Temporal's databases running with
   * synchronous_commit=off (src/infra/temporal-pg-server.ts): a PostgreSQL crash may lose their last commits, and it
   * also ends the session holding this lock, so the next leader runs this check.
   */
  recheckWindowMs?: number;
  /** Problems (lost session, failed rounds). */
  log?: (message: string) => void;
  /** Routine news (this process took the lock). */
  info?: (message: string) => void;
}

export interface DispatcherStats {
  /** Temporal accepted the operation. */
  dispatched: number;
  /** A start whose workflow existed already: done without starting anything. */
  alreadyStarted: number;
  /** Ended `failed` (a closed or missing workflow, an update the validator refused). */
  failed: number;
  /** Attempts that will be tried again after a back-off (Temporal unreachable, overloaded…). */
  retried: number;
}

interface Row {
  id: string;
  workflow_id: string;
  operation: 'start' | 'signal' | 'update';
  workflow_type: string | null;
  task_queue: string | null;
  start_args: unknown[] | null;
  message_name: string | null;
  message_args: unknown[] | null;
  attempts: number;
}

type Outcome = { kind: 'done'; runId: string | null; note: string } | { kind: 'failed'; error: string } | { kind: 'retry'; error: string };

/** Arbitrary but fixed: the advisory lock (per database) that elects the one dispatching process. */
const LEADER_LOCK = 'wardline.outbox-dispatcher';

/**
 * Carries out the workflow outbox (src/intake/outbox.ts): starts, signals and updates workflows, in id order per
 * workflow id, each at most once in effect (workflow ids are never reused, signals carry the entry's request id,
 * updates the entry's update id), and marks the entries done.
 *
 * - One process dispatches per database: the holder of an advisory lock on a dedicated session. Others stand by
 *   and take over when that session ends (a killed process's session ends with it).
 * - Woken by NOTIFY from the insert trigger, and by a sweep every `sweepMs` for anything a notification missed.
 * - Back-pressure: at most `concurrency` Temporal calls in flight and `batchSize` entries read per round; an entry
 *   Temporal could not take is retried with exponential back-off (up to a minute), and later entries of the same
 *   workflow wait behind it.
 */
export class OutboxDispatcher {
  readonly stats: DispatcherStats = { dispatched: 0, alreadyStarted: 0, failed: 0, retried: 0 };
  private readonly concurrency: number;
  private readonly batchSize: number;
  private readonly sweepMs: number;
  private readonly retentionMs: number;
  private readonly listener: PgListener;
  private leader = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  private poked = false;
  private loop: Promise<void> | null = null;
  private lastCleanup = 0;
  private idleWaiters: (() => void)[] = [];
  /** The dispatcher's own client: the same connection, plus an interceptor that keeps each update's early outcome. */
  private readonly client: Client;
  /** A rejected update's outcome is known when it is sent; the client only reveals it later, so it is caught here. */
  private readonly earlyOutcomes = new Map<string, temporal.api.update.v1.IOutcome>();

  constructor(private readonly options: DispatcherOptions) {
    const outcomes = this.earlyOutcomes;
    this.client = new Client({
      connection: options.temporal.connection,
      namespace: options.temporal.options.namespace,
      identity: options.temporal.options.identity,
      interceptors: {
        workflow: [
          {
            async startUpdate(input, next) {
              const out = await next(input);
              if (out.outcome) outcomes.set(out.updateId, out.outcome);
              return out;
            },
            async startUpdateWithStart(input, next) {
              const out = await next(input);
              if (out.updateOutcome) outcomes.set(out.updateId, out.updateOutcome);
              return out;
            },
          },
        ],
      },
    });
    this.concurrency = options.concurrency ?? 16;
    this.batchSize = options.batchSize ?? 256;
    this.sweepMs = options.sweepMs ?? 2000;
    this.retentionMs = options.retentionMs ?? 7 * 86_400_000;
    this.listener = new PgListener({
      url: options.databaseUrl,
      channels: [OUTBOX_CHANNEL],
      onNotify: () => this.poke(),
      onConnected: () => this.poke(),
      onLost: () => {
        if (this.leader) this.log('lost the dispatcher lock with its session; standing by');
        this.leader = false;
      },
      log: (m) => this.log(m),
    });
  }

  get isLeader(): boolean {
    return this.leader;
  }

  async start(): Promise<void> {
    await this.listener.start();
    this.loop = this.run();
  }

  /** Finishes the round in progress, then stops; the lock goes with the session. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.poke();
    await this.loop;
    await this.listener.stop();
    this.leader = false;
  }

  /** Resolves when a round found nothing due (for tests and benches). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.poke();
    });
  }

  private log(message: string): void {
    this.options.log?.(`outbox dispatcher: ${message}`);
  }

  private poke(): void {
    this.poked = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.poked || this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).then(() => {
      this.wake = null;
    });
  }

  private async tryLead(): Promise<void> {
    const session = this.listener.connection;
    if (!session) return;
    try {
      const { rows } = await session.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [LEADER_LOCK]);
      if (rows[0]?.locked) {
        this.leader = true;
        this.options.info?.('outbox dispatcher: dispatching (holds the dispatcher lock)');
        await this.recheckRecentStarts().catch((err) => this.log(`re-check of recent starts failed: ${String(err)}`));
      }
    } catch (err) {
      this.log(`lock attempt failed: ${String(err)}`);
    }
  }

  /** See `recheckWindowMs`. Workflows Temporal does not know are started again (their entries go back to pending). */
  private async recheckRecentStarts(): Promise<void> {
    const windowMs = this.options.recheckWindowMs ?? 10_000;
    if (windowMs <= 0) return;
    const rows: { workflow_id: string }[] = await this.options.dataSource.query(
      `SELECT DISTINCT workflow_id FROM workflow_outbox
        WHERE state = 'done' AND start_args IS NOT NULL
          AND done_at >= (SELECT max(done_at) FROM workflow_outbox WHERE state = 'done') - ($1::int * interval '1 millisecond')`,
      [windowMs],
    );
    const lost: string[] = [];
    let next = 0;
    const check = async () => {
      for (let i = next++; i < rows.length; i = next++) {
        try {
          await this.client.workflow.getHandle(rows[i].workflow_id).describe();
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) lost.push(rows[i].workflow_id);
          else throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, rows.length) }, check));
    if (lost.length === 0) return;
    this.log(`${lost.length} workflow(s) recorded as started are unknown to Temporal (lost commits?): starting them again`);
    await this.options.dataSource.query(
      `UPDATE workflow_outbox SET state = 'pending', done_at = NULL, outcome = NULL, next_attempt_at = now(),
         last_error = 'recorded as done, but unknown to Temporal when the dispatcher took its lock'
        WHERE workflow_id = ANY($1::text[]) AND state = 'done'`,
      [lost],
    );
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.poked = false;
      if (!this.leader) await this.tryLead();
      if (!this.leader) {
        this.releaseIdle();
        await this.sleep(this.sweepMs);
        continue;
      }
      let read = 0;
      try {
        read = await this.round();
        await this.cleanup();
      } catch (err) {
        this.log(`round failed: ${String(err)}`);
        await this.sleep(1000);
        continue;
      }
      if (read === 0) {
        this.releaseIdle();
        await this.sleep(await this.untilNextDue());
      }
    }
    this.releaseIdle();
  }

  private releaseIdle(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Milliseconds until the earliest back-off ends, within the sweep interval. */
  private async untilNextDue(): Promise<number> {
    const [row] = await this.options.dataSource.query(
      `SELECT GREATEST(0, EXTRACT(EPOCH FROM min(next_attempt_at) - now()) * 1000)::float8 AS ms FROM workflow_outbox WHERE state = 'pending'`,
    );
    const ms = row?.ms === null || row?.ms === undefined ? this.sweepMs : Number(row.ms);
    return Math.max(10, Math.min(this.sweepMs, ms));
  }

  /** Reads due entries (none whose workflow has an earlier entry still waiting), runs them, records the outcomes. */
  private async round(): Promise<number> {
    const rows: Row[] = await this.options.dataSource.query(
      `SELECT o.id, o.workflow_id, o.operation, o.workflow_type, o.task_queue, o.start_args, o.message_name, o.message_args, o.attempts
         FROM workflow_outbox o
        WHERE o.state = 'pending' AND o.next_attempt_at <= now()
          AND NOT EXISTS (SELECT 1 FROM workflow_outbox p
                           WHERE p.state = 'pending' AND p.workflow_id = o.workflow_id AND p.id < o.id AND p.next_attempt_at > now())
        ORDER BY o.id LIMIT $1`,
      [this.batchSize],
    );
    if (rows.length === 0) return 0;
    // In order within a workflow; workflows side by side, `concurrency` at a time.
    const groups = new Map<string, Row[]>();
    for (const r of rows) {
      const g = groups.get(r.workflow_id);
      if (g) g.push(r);
      else groups.set(r.workflow_id, [r]);
    }
    const queue = [...groups.values()];
    const results: { row: Row; outcome: Outcome }[] = [];
    let flushing = Promise.resolve();
    const flushEvery = 64;
    const flush = () => {
      const batch = results.splice(0);
      if (batch.length) flushing = flushing.then(() => this.record(batch));
    };
    const worker = async () => {
      for (let g = queue.shift(); g; g = queue.shift()) {
        for (const row of g) {
          if (this.stopped || !this.leader) return;
          const outcome = await this.dispatch(row);
          results.push({ row, outcome });
          if (results.length >= flushEvery) flush();
          if (outcome.kind === 'retry') break; // later entries of this workflow wait behind it
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
    flush();
    await flushing;
    return rows.length;
  }

  private async record(batch: { row: Row; outcome: Outcome }[]): Promise<void> {
    const done = batch.filter((b) => b.outcome.kind === 'done');
    if (done.length) {
      await this.options.dataSource.query(
        `UPDATE workflow_outbox o SET state = 'done', done_at = now(), attempts = o.attempts + 1, run_id = d.run_id, outcome = d.note, last_error = NULL
           FROM unnest($1::bigint[], $2::text[], $3::text[]) AS d(id, run_id, note) WHERE o.id = d.id AND o.state = 'pending'`,
        [
          done.map((b) => b.row.id),
          done.map((b) => (b.outcome as Extract<Outcome, { kind: 'done' }>).runId),
          done.map((b) => (b.outcome as Extract<Outcome, { kind: 'done' }>).note),
        ],
      );
    }
    for (const { row, outcome } of batch) {
      if (outcome.kind === 'failed') {
        await this.options.dataSource.query(
          `UPDATE workflow_outbox SET state = 'failed', done_at = now(), attempts = attempts + 1, last_error = $2 WHERE id = $1 AND state = 'pending'`,
          [row.id, outcome.error.slice(0, 2000)],
        );
      } else if (outcome.kind === 'retry') {
        const backoffMs = Math.min(60_000, 500 * 2 ** Math.min(row.attempts, 7));
        await this.options.dataSource.query(
          `UPDATE workflow_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = now() + ($3::int * interval '1 millisecond')
            WHERE id = $1 AND state = 'pending'`,
          [row.id, outcome.error.slice(0, 2000), backoffMs],
        );
      }
    }
  }

  private async cleanup(): Promise<void> {
    const now = Date.now();
    if (now - this.lastCleanup < 3_600_000) return;
    this.lastCleanup = now;
    await this.options.dataSource.query(
      `DELETE FROM workflow_outbox WHERE state <> 'pending' AND done_at < now() - ($1::bigint * interval '1 millisecond')`,
      [this.retentionMs],
    );
  }

  private async dispatch(row: Row): Promise<Outcome> {
    try {
      const outcome = await this.call(row);
      if (outcome.kind === 'done') {
        this.stats.dispatched++;
        if (outcome.note === 'already started') this.stats.alreadyStarted++;
      } else this.stats.failed++;
      return outcome;
    } catch (err) {
      this.stats.retried++;
      return { kind: 'retry', error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
  }

  /** One entry against Temporal. Throws only for what may succeed later. */
  private async call(row: Row): Promise<Outcome> {
    const client = this.client;
    const workflowId = row.workflow_id;
    const taskQueue = row.task_queue ?? this.options.taskQueue;
    const startOptions = row.start_args
      ? {
          workflowId,
          taskQueue,
          args: row.start_args,
          // A closed incident's workflow id is never reused: an entry dispatched twice starts nothing twice.
          workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
        }
      : null;
    const updateId = `outbox-${row.id}`;
    const requestId = `wardline-outbox-${workflowId}-${row.id}`;

    if (row.operation === 'start') {
      try {
        const handle = await client.workflow.start(row.workflow_type!, { ...startOptions!, workflowIdConflictPolicy: 'FAIL' });
        return { kind: 'done', runId: handle.firstExecutionRunId, note: 'started' };
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return { kind: 'done', runId: null, note: 'already started' };
        throw err;
      }
    }

    if (row.operation === 'signal') {
      const namespace = client.options.namespace;
      const payloads = (args: unknown[] | null) => ({ payloads: toPayloads(defaultPayloadConverter, ...(args ?? [])) });
      try {
        if (startOptions) {
          const res = await client.workflowService.signalWithStartWorkflowExecution({
            namespace,
            identity: client.options.identity,
            requestId,
            workflowId,
            workflowIdReusePolicy: temporal.api.enums.v1.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
            workflowIdConflictPolicy: temporal.api.enums.v1.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
            workflowType: { name: row.workflow_type! },
            taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
            input: payloads(row.start_args),
            signalName: row.message_name!,
            signalInput: payloads(row.message_args),
          });
          return { kind: 'done', runId: res.runId ?? null, note: 'signalled (with start)' };
        }
        await client.workflowService.signalWorkflowExecution({
          namespace,
          identity: client.options.identity,
          requestId,
          workflowExecution: { workflowId },
          signalName: row.message_name!,
          input: payloads(row.message_args),
        });
        return { kind: 'done', runId: null, note: 'signalled' };
      } catch (err) {
        if (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND) return { kind: 'failed', error: `workflow ${workflowId} not found (closed, or never started)` };
        if (isGrpcServiceError(err) && err.code === GRPC_ALREADY_EXISTS) return { kind: 'failed', error: `workflow ${workflowId} is closed; its id is not reused` };
        throw err;
      }
    }

    // update: the dispatcher waits for the workflow to accept it, not to finish it.
    try {
      if (startOptions) {
        const op = new WithStartWorkflowOperation(row.workflow_type!, { ...startOptions, workflowIdConflictPolicy: 'USE_EXISTING' });
        await client.workflow.startUpdateWithStart(row.message_name!, {
          args: row.message_args ?? [],
          updateId,
          waitForStage: WorkflowUpdateStage.ACCEPTED,
          startWorkflowOperation: op,
        });
      } else {
        await client.workflow.getHandle(workflowId).startUpdate(row.message_name!, {
          args: (row.message_args ?? []) as [unknown, ...unknown[]],
          updateId,
          waitForStage: WorkflowUpdateStage.ACCEPTED,
        });
      }
    } catch (err) {
      this.earlyOutcomes.delete(updateId);
      if (err instanceof WorkflowUpdateFailedError) return { kind: 'failed', error: `update refused: ${err.cause?.message ?? err.message}` };
      if (err instanceof WorkflowNotFoundError) return { kind: 'failed', error: `workflow ${workflowId} not found (closed, or never started)` };
      if (err instanceof WorkflowExecutionAlreadyStartedError) return { kind: 'failed', error: `workflow ${workflowId} is closed; its id is not reused` };
      throw err;
    }
    const early = this.earlyOutcomes.get(updateId);
    this.earlyOutcomes.delete(updateId);
    // The validator refused it: there is nothing to retry.
    if (early?.failure) return { kind: 'failed', error: `update refused: ${early.failure.message ?? 'rejected'}` };
    return { kind: 'done', runId: null, note: startOptions ? 'updated (with start)' : 'updated' };
  }
}
