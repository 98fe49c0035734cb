import { ApplicationFailure } from '@temporalio/common';
import { Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { PmCursor, PmInbox, PmItem, PmPlatform, PmPlatformError, PmWebhookEvent, createPmPlatform } from '../../adapters/pm-platform';
import { DomainErrorCode } from '../../domain/errors';
import { IncidentCommand, IncidentView } from '../../domain/incident-process';
import { ModificationCommand, ModificationView } from '../../domain/modification';
import { PmRecordKind, outboundStatus, priorityOf, recordKindOf } from '../../domain/pm-platform/mapping';
import { InboundStep, conflictKey, decideStatus, inboundSteps, isProgressEvent, progressKey } from '../../domain/pm-platform/sync';
import { TemplateRenderer } from '../../infra/templates';
import {
  PendingDelivery,
  PmIntegrationRow,
  PmLinkRow,
  UnqueuedEvent,
  advanceJournal,
  advanceQueued,
  findIntegration,
  findLink,
  findOutbox,
  inboxAfter,
  inboxForItem,
  markAttemptFailed,
  markDelivered,
  pendingDeliveries,
  queueOutbox,
  recordConflict,
  recordIntegrationError,
  recordPlatformState,
  recordPlatformStatus,
  recordPoll,
  setLinkError,
  unqueuedEvents,
} from '../../persistence/pm-store';
import { incidentCommandUpdate, incidentViewQuery } from '../../shared/incident-messages';
import { CLOCK_LABELS, Locale, MODIFICATION_STATE_LABELS, PM_COMMAND_LABELS, PM_EVENT_LABELS, PM_RECORD_LABELS, STATE_LABELS } from '../../shared/labels';
import { modificationCommandUpdate, modificationViewQuery } from '../../shared/modification-messages';
import { PM_REJECTED, PM_UNAVAILABLE } from '../../shared/pm-messages';
import { PmRecordIntake } from './intake';

export interface PmActivityDeps {
  dataSource: DataSource;
  temporal: Client;
  intake: PmRecordIntake;
  templates: TemplateRenderer;
  locale: Locale;
  /** Reads a sealed secret by id (the vault); the value lives only inside the activity. */
  readSecret(id: string): Promise<string>;
  /** Shorter than the activities' start-to-close timeout (GUIDE: adapter timeouts are shorter). */
  httpTimeoutMs?: number;
}

/** Items per poll; the rest waits for the next round, which comes at once (`more`). Bounds a poll's time (see the workflow). */
export const PM_POLL_PAGE = 25;
const QUEUE_BATCH = 500;
const DELIVERY_BATCH = 100;
const ADAPTER_TTL_MS = 5 * 60_000;
/** States whose process has ended: nothing more can be told to it. */
const TERMINAL = ['closed', 'cancelled', 'scope_rejected'];


export interface PmPollResult {
  cursor: PmCursor | null;
  more: boolean;
  processed: number;
  error: string | null;
  active: boolean;
}

type RecordView = { state: string; allowedActions: readonly string[]; priority?: string };

export function createPmActivities(deps: PmActivityDeps) {
  const ds = deps.dataSource;
  const t = deps.templates;
  const locale = deps.locale;

  const inboxOf = (integrationId: string): PmInbox => ({
    after: async (seq, limit) => (await inboxAfter(ds, integrationId, seq, limit)).map((r) => ({ seq: r.seq, event: r.body as PmWebhookEvent })),
    forItem: async (id) => (await inboxForItem(ds, integrationId, id)).map((r) => ({ seq: r.seq, event: r.body as PmWebhookEvent })),
  });

  /**
   * Adapters are kept a few minutes per integration: Redmine's catalogue (trackers, statuses, fields) is read once
   * rather than on every poll. A changed setting or secret makes a new one.
   */
  const cached = new Map<string, { key: string; platform: PmPlatform; until: number }>();
  const platformOf = async (integ: PmIntegrationRow): Promise<PmPlatform> => {
    const key = JSON.stringify([integ.kind, integ.baseUrl, integ.project, integ.progressUrl, integ.platformUserId, integ.secretId]);
    const hit = cached.get(integ.id);
    if (hit && hit.key === key && hit.until > Date.now()) return hit.platform;
    const platform = createPmPlatform(integ, await deps.readSecret(integ.secretId), inboxOf(integ.id), deps.httpTimeoutMs);
    cached.set(integ.id, { key, platform, until: Date.now() + ADAPTER_TTL_MS });
    return platform;
  };

  const load = async (integrationId: string): Promise<PmIntegrationRow> => {
    const integ = await findIntegration(ds, integrationId);
    if (!integ) throw ApplicationFailure.nonRetryable(`no integration ${integrationId}`, 'NOT_FOUND');
    return integ;
  };

  const handleOf = (link: PmLinkRow) => deps.temporal.workflow.getHandle(link.workflowId);

  /** The record's state from its projection: what is left once its workflow has ended and been purged. */
  const recordedState = async (link: PmLinkRow): Promise<RecordView & { terminal: boolean }> => {
    const table = link.recordKind === 'incident' ? 'incidents' : 'modifications';
    const [row] = await ds.query(`SELECT state, ${link.recordKind === 'incident' ? 'priority' : 'NULL AS priority'} FROM ${table} WHERE id = $1`, [link.recordId]);
    const state = (row?.state as string | undefined) ?? 'unknown';
    return { state, allowedActions: [], priority: row?.priority ?? undefined, terminal: TERMINAL.includes(state) };
  };

  /** The workflow has ended (a closed record), or is gone from Temporal after its retention. */
  const ended = (err: unknown) => err instanceof WorkflowNotFoundError || (err instanceof Error && /already completed|not found/i.test(err.message));

  const viewOf = async (link: PmLinkRow): Promise<RecordView> => {
    try {
      return link.recordKind === 'incident'
        ? ((await handleOf(link).query(incidentViewQuery)) as IncidentView)
        : ((await handleOf(link).query(modificationViewQuery)) as ModificationView);
    } catch (err) {
      const recorded = ended(err) ? await recordedState(link) : null;
      // Not started yet (or Temporal briefly away) is worth a retry; a record whose process has ended is answered.
      if (recorded?.terminal) return recorded;
      throw err;
    }
  };

  /**
   * One command into the record's workflow, as an Update with an id made from the journal: the server keeps the
   * first outcome, so a retried poll never applies a journal twice. Refused commands come back as false.
   */
  const send = async (link: PmLinkRow, updateId: string, command: IncidentCommand | ModificationCommand): Promise<boolean> => {
    try {
      if (link.recordKind === 'incident') await handleOf(link).executeUpdate(incidentCommandUpdate, { args: [command as IncidentCommand], updateId });
      else await handleOf(link).executeUpdate(modificationCommandUpdate, { args: [command as ModificationCommand], updateId });
      return true;
    } catch (err) {
      const type = err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? err.cause.type : null;
      // Refused by the process (the state does not allow it, or the rules say the hospital may not): not applied.
      if (type === DomainErrorCode.IllegalTransition || type === DomainErrorCode.Forbidden) return false;
      // A closed record's workflow has ended: there is nothing left to tell it. One not started yet is retried.
      if (ended(err) && (await recordedState(link)).terminal) return false;
      throw err;
    }
  };

  const kindLabel = (kind: PmRecordKind) => PM_RECORD_LABELS[locale][kind];
  const stateLabel = (kind: PmRecordKind, state: string) =>
    (kind === 'incident' ? (STATE_LABELS[locale] as Record<string, string>)[state] : MODIFICATION_STATE_LABELS[locale][state]) ?? state;
  const join = (m: { title: string; body: string }) => `${m.title}\n${m.body}`.trim();

  /** A hospital's status the process does not take: recorded, noted on the timeline, and the platform set back (S15 conflict rule). */
  const conflict = async (integ: PmIntegrationRow, link: PmLinkRow, step: Extract<InboundStep, { kind: 'status' }>, view: RecordView, decision: { reason: 'unmapped' | 'refused'; command: string | null; restore: string | null }) => {
    const text = join(
      t.render(locale, 'pm-conflict', {
        kindLabel: kindLabel(link.recordKind),
        number: link.recordNumber,
        author: step.author.name,
        at: step.at,
        platformStatus: step.to,
        stateLabel: stateLabel(link.recordKind, view.state),
        commandLabel: decision.reason === 'refused' && decision.command ? (PM_COMMAND_LABELS[locale][decision.command] ?? decision.command) : null,
        restore: decision.restore,
      }),
    );
    await recordConflict(ds, {
      integrationId: integ.id,
      linkId: link.id,
      journalId: Number(step.journalId),
      at: step.at,
      author: step.author.name,
      platformStatus: step.to,
      wardlineState: view.state,
      reason: decision.reason,
      command: decision.command,
      restoredStatus: decision.restore,
    });
    await send(link, `pm:${link.id}:${step.journalId}:conflict`, { action: 'comment', actor: actorFor(integ, step), note: text, source: sourceOf(integ, link, step.journalId) });
    // Always told on the platform too, even when its status already shows Wardline's again: the hospital sees why.
    await queueOutbox(ds, { integrationId: integ.id, linkId: link.id, key: conflictKey(link.recordNumber, step.journalId), kind: 'conflict', eventSeq: null, status: decision.restore, body: text, fields: {} });
  };

  // The hospital's platform speaks with its integration account's role (INCIDENT_/MODIFICATION_ACTION_ROLES allow `integration` the platform's commands).
  const actorFor = (integ: PmIntegrationRow, step: InboundStep) => ({ id: integ.userId, name: `${step.author.name}（${integ.name}）`, roles: ['integration'] });
  const sourceOf = (integ: PmIntegrationRow, link: PmLinkRow, journalId: string) => `pm-platform:${integ.name}:${link.externalId}#${journalId}`;

  const applyStep = async (integ: PmIntegrationRow, link: PmLinkRow, step: InboundStep) => {
    const actor = actorFor(integ, step);
    const id = `pm:${link.id}:${step.journalId}:${step.kind}`;
    if (step.kind === 'comment') {
      const taken = await send(link, id, { action: 'comment', actor, note: step.text, source: sourceOf(integ, link, step.journalId) });
      // A closed record takes no more notes: shown on the item rather than lost without a word.
      if (!taken) await setLinkError(ds, link.id, `记录已结束，平台留言未写入时间线 / the record has ended; a comment was not put on its timeline: ${step.text.slice(0, 200)}`);
      return;
    }
    const view = await viewOf(link);
    if (step.kind === 'priority') {
      if (view.priority === step.priority) return;
      const reason = `平台优先级由“${step.from ?? '—'}”改为“${step.to}” / priority changed on the platform`;
      const applied = view.allowedActions.includes('change_priority') && (await send(link, id, { action: 'change_priority', actor, priority: step.priority, reason }));
      if (!applied) await send(link, `${id}:note`, { action: 'comment', actor, note: `${reason}；当前状态不调整优先级 / not applied in this state`, source: sourceOf(integ, link, step.journalId) });
      return;
    }
    const decision = decideStatus(integ.mapping, link.recordKind, step.to, view.state, view.allowedActions);
    if (decision.kind === 'agrees') return;
    if (decision.kind === 'command') {
      const reason = `${step.author.name}在${integ.name}中将状态改为“${step.to}”`;
      const command = (
        {
          cancel: { action: 'cancel', actor, reason },
          confirm: { action: 'confirm', actor, note: reason },
          reopen: { action: 'reopen', actor, reason },
          close: { action: 'close', actor, note: reason },
          accept: { action: 'accept', actor, comment: reason },
          reject_acceptance: { action: 'reject_acceptance', actor, comment: reason },
        } as Record<string, IncidentCommand | ModificationCommand>
      )[decision.action];
      if (await send(link, id, command)) return;
      // The process moved on between the look and the command: the same rule, on the state it has now.
      const now = await viewOf(link);
      await conflict(integ, link, step, now, { reason: 'refused', command: decision.action, restore: outboundStatus(integ.mapping, link.recordKind, now.state) });
      return;
    }
    await conflict(integ, link, step, view, decision);
  };

  const applyItem = async (integ: PmIntegrationRow, item: PmItem): Promise<boolean> => {
    let link = await findLink(ds, integ.id, item.externalId);
    const kind = link?.recordKind ?? recordKindOf(integ.mapping, item.tracker);
    if (!kind) return false;
    if (!link || !link.opened) {
      const m = integ.mapping;
      link = await deps.intake.open({
        integrationId: integ.id,
        externalId: item.externalId,
        externalUrl: item.url,
        kind,
        system: m.system.field ? (item.fields[m.system.field] ?? null) : null,
        defaultSystem: m.system.default,
        title: item.title.slice(0, 200),
        description: [item.description || item.title, item.url ? `（${integ.name}：${item.url}）` : ''].filter(Boolean).join('\n\n').slice(0, 5000),
        reporterName: item.author.name || integ.name,
        department: (m.department.field ? item.fields[m.department.field] : null) ?? m.department.default,
        priority: priorityOf(m, item.priority),
        modificationType: m.modificationType,
        reportedAt: item.createdAt,
        openedBy: { id: integ.userId, name: integ.name },
      });
    }
    const steps = inboundSteps(integ.mapping, link.recordKind, item.journals, integ.platformUserId, link.lastJournalId);
    for (const journalId of [...new Set(steps.map((s) => s.journalId))]) {
      for (const step of steps.filter((s) => s.journalId === journalId)) await applyStep(integ, link, step);
      await advanceJournal(ds, link.id, Number(journalId));
    }
    const last = item.journals.reduce((max, j) => Math.max(max, Number(j.id)), 0);
    if (last > 0) await advanceJournal(ds, link.id, last);
    await recordPlatformState(ds, link.id, item.status, item.updatedAt, item.url);
    return true;
  };

  const progressText = async (e: UnqueuedEvent): Promise<string> => {
    let deadline: number | null = null;
    let deadlineLabel: string | null = null;
    if (e.type === 'opened') {
      const [row] = await ds.query(`SELECT repair_due FROM incidents WHERE id = $1`, [e.recordId]);
      deadline = row?.repair_due ? (row.repair_due as Date).getTime() : null;
      deadlineLabel = CLOCK_LABELS[locale].repair;
    } else if (e.type === 'submitted') {
      const [row] = await ds.query(`SELECT delivery_due FROM modifications WHERE id = $1`, [e.recordId]);
      deadline = row?.delivery_due ? (row.delivery_due as Date).getTime() : null;
      deadlineLabel = CLOCK_LABELS[locale].delivery;
    }
    const data = e.data ?? {};
    return join(
      t.render(locale, 'pm-progress', {
        kindLabel: kindLabel(e.recordKind),
        number: e.recordNumber,
        eventLabel: PM_EVENT_LABELS[locale][e.type] ?? e.type,
        stateLabel: stateLabel(e.recordKind, e.toState),
        opened: e.type === 'opened' || e.type === 'submitted',
        actorName: e.actorName,
        at: new Date(e.at).getTime(),
        cause: typeof data.cause === 'string' ? data.cause : null,
        fix: typeof data.fix === 'string' ? data.fix : null,
        note: e.note,
        deadline,
        deadlineLabel: deadline === null ? null : deadlineLabel,
      }),
    );
  };

  return {
    /**
     * One poll: what changed on the platform since the cursor becomes records, comments and commands (S15). A
     * platform that cannot be reached is an answer, not a failure: the error is recorded and the cursor stays.
     */
    async pmPoll(input: { integrationId: string; cursor: PmCursor | null }): Promise<PmPollResult> {
      const integ = await load(input.integrationId);
      const cursor = input.cursor ?? integ.cursor;
      if (!integ.active) return { cursor, more: false, processed: 0, error: null, active: false };
      let processed = 0;
      try {
        const platform = await platformOf(integ);
        const changes = await platform.listChanged(cursor, PM_POLL_PAGE);
        for (const item of changes.items) if (await applyItem(integ, item)) processed++;
        await recordPoll(ds, integ.id, changes.cursor, changes.more, changes.waiting);
        return { cursor: changes.cursor, more: changes.more, processed, error: null, active: true };
      } catch (err) {
        if (!(err instanceof PmPlatformError)) {
          await recordIntegrationError(ds, integ.id, err instanceof Error ? err.message : String(err));
          throw err;
        }
        await recordIntegrationError(ds, integ.id, err.message);
        return { cursor, more: false, processed, error: err.message, active: true };
      }
    },

    /** Every state change of a linked record not yet queued becomes an outbox entry (rendered once, keyed); the pending ones, in order. */
    async pmQueueProgress(input: { integrationId: string }): Promise<PendingDelivery[]> {
      const integ = await load(input.integrationId);
      const events = await unqueuedEvents(ds, integ.id, QUEUE_BATCH);
      const last = new Map<string, number>();
      for (const e of events) {
        if (isProgressEvent(e)) {
          const opening = e.type === 'opened' || e.type === 'submitted';
          await queueOutbox(ds, {
            integrationId: integ.id,
            linkId: e.linkId,
            key: progressKey(e.recordNumber, e.seq),
            kind: 'progress',
            eventSeq: e.seq,
            status: outboundStatus(integ.mapping, e.recordKind, e.toState),
            body: await progressText(e),
            fields: opening && integ.mapping.numberField ? { [integ.mapping.numberField]: e.recordNumber } : {},
          });
        }
        last.set(e.linkId, e.seq);
      }
      for (const [linkId, seq] of last) await advanceQueued(ds, linkId, seq);
      return pendingDeliveries(ds, integ.id, DELIVERY_BATCH);
    },

    /** One piece of progress to the platform, at most once per key even across retries (the adapter looks first). */
    async pmDeliver(input: { outboxId: string }): Promise<{ outcome: 'sent' | 'already' | 'recorded' }> {
      const row = await findOutbox(ds, input.outboxId);
      if (!row || row.state === 'delivered') return { outcome: 'recorded' };
      const integ = await load(row.integrationId);
      try {
        const platform = await platformOf(integ);
        const progress = { key: row.key, text: row.body, status: row.status, fields: row.fields };
        const d = row.status !== null || Object.keys(row.fields).length > 0 ? await platform.setStatus(row.externalId, progress) : await platform.comment(row.externalId, progress);
        await markDelivered(ds, row.id, d.outcome, d.warnings);
        await setLinkError(ds, row.linkId, d.warnings.length ? d.warnings.join('; ') : null);
        if (row.status !== null && d.warnings.length === 0) await recordPlatformStatus(ds, row.linkId, row.status);
        return { outcome: d.outcome };
      } catch (err) {
        if (!(err instanceof PmPlatformError)) throw err;
        await markAttemptFailed(ds, row.id, err.message);
        await setLinkError(ds, row.linkId, err.message);
        throw ApplicationFailure.create({ type: err.retryable ? PM_UNAVAILABLE : PM_REJECTED, message: err.message, nonRetryable: !err.retryable });
      }
    },
  };
}
