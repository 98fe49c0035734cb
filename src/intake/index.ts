/**
 * The intake (issue 10): how anything opens an incident, or talks to a workflow, without waiting for Temporal.
 * It sits below the API (the architecture test holds it to that), so the API, the alert intake and activities (a PM
 * platform's poller) all use the same code.
 *
 * - `openIncident(deps, report, { tx? })`: commits the incident (number, deadlines from the domain, the row and the
 *   `opened` timeline event the API reads) and the outbox entry that starts its workflow, in one statement. With
 *   `report.intakeKey` a repeat opens nothing and returns the first incident (`created: false`). Refusals are
 *   `IntakeRefused` (unknown system or assignee, 422 at the API) or a DomainError INVALID_INPUT (a report from the
 *   future).
 * - `enqueue(db, entry)`: adds a start, a signal (with or without start) or an update (with or without start) for a
 *   workflow id to the outbox, in the caller's transaction when `db` is a transaction's EntityManager; `dedupeKey`
 *   makes a retried enqueue a no-op. Entries run in id order per workflow id, each once in effect.
 * - `pendingStartOf(db, workflowId)`: the start entry not yet dispatched, so a caller can use Update-with-Start.
 * - `OutboxDispatcher`: carries the outbox out; the worker process runs one (WARDLINE_DISPATCHER=off to not).
 */
export type { IncidentReport, IntakeCalendars, IntakeDeps, OpenedIncident } from './incidents';
export { IntakeRefused, openIncident } from './incidents';
export type { Db, Enqueued, OutboxBacklog, OutboxEntry, WorkflowStart } from './outbox';
export { enqueue, outboxBacklog, pendingStartOf } from './outbox';
export type { DispatcherOptions, DispatcherStats } from './dispatcher';
export { OUTBOX_CHANNEL, OutboxDispatcher } from './dispatcher';
