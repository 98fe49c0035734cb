import { DataSource, EntityManager } from 'typeorm';
import type { PmMapping, PmRecordKind } from '../domain/pm-platform/mapping';
import { updateReturning } from './sql';

type Db = DataSource | EntityManager;

/** One integration with a hospital's project-management platform (S15), as stored: never its secret, only the id. */
export interface PmIntegrationRow {
  id: string;
  name: string;
  kind: 'redmine' | 'webhook';
  baseUrl: string | null;
  project: string | null;
  progressUrl: string | null;
  secretId: string;
  mapping: PmMapping;
  pollIntervalMs: number;
  toleranceMs: number;
  userId: string;
  platformUserId: string | null;
  workflowId: string;
  active: boolean;
  cursor: Record<string, string | number | null> | null;
  inboundMore: boolean;
  inboundWaiting: number | null;
  lastPollAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  createdAt: Date;
}

export interface PmLinkRow {
  id: string;
  integrationId: string;
  externalId: string;
  externalUrl: string | null;
  recordKind: PmRecordKind;
  recordId: string;
  recordNumber: string;
  workflowId: string;
  opened: boolean;
  platformStatus: string | null;
  platformUpdatedAt: Date | null;
  lastJournalId: number;
  queuedSeq: number;
  lastError: string | null;
}

const INTEGRATION_COLUMNS = `id, name, kind, base_url AS "baseUrl", project, progress_url AS "progressUrl", secret_id AS "secretId", mapping,
  poll_interval_ms AS "pollIntervalMs", tolerance_ms AS "toleranceMs", user_id AS "userId", platform_user_id AS "platformUserId",
  workflow_id AS "workflowId", active, cursor, inbound_more AS "inboundMore", inbound_waiting AS "inboundWaiting", last_poll_at AS "lastPollAt",
  last_success_at AS "lastSuccessAt", last_error AS "lastError", last_error_at AS "lastErrorAt", created_at AS "createdAt"`;

const LINK_COLUMNS = `id, integration_id AS "integrationId", external_id AS "externalId", external_url AS "externalUrl", record_kind AS "recordKind",
  record_id AS "recordId", record_number AS "recordNumber", workflow_id AS "workflowId", opened, platform_status AS "platformStatus",
  platform_updated_at AS "platformUpdatedAt", last_journal_id::float8 AS "lastJournalId", queued_seq AS "queuedSeq", last_error AS "lastError"`;

export async function findIntegration(db: Db, id: string): Promise<PmIntegrationRow | null> {
  const [row] = await db.query(`SELECT ${INTEGRATION_COLUMNS} FROM pm_integrations WHERE id = $1`, [id]);
  return row ?? null;
}

export async function listIntegrations(db: Db): Promise<PmIntegrationRow[]> {
  return db.query(`SELECT ${INTEGRATION_COLUMNS} FROM pm_integrations ORDER BY created_at`);
}

/** A poll that reached the platform: its cursor and whether more is waiting, and the error cleared. */
export async function recordPoll(db: Db, id: string, cursor: unknown, more: boolean, waiting: number | null): Promise<void> {
  await db.query(
    `UPDATE pm_integrations SET cursor = $2, inbound_more = $3, inbound_waiting = $4, last_poll_at = now(), last_success_at = now(), last_error = NULL,
       last_error_at = NULL, updated_at = now() WHERE id = $1`,
    [id, JSON.stringify(cursor), more, waiting],
  );
}

export async function recordIntegrationError(db: Db, id: string, error: string): Promise<void> {
  await db.query(`UPDATE pm_integrations SET last_poll_at = now(), last_error = $2, last_error_at = now(), updated_at = now() WHERE id = $1`, [id, error.slice(0, 2000)]);
}

export async function findLink(db: Db, integrationId: string, externalId: string): Promise<PmLinkRow | null> {
  const [row] = await db.query(`SELECT ${LINK_COLUMNS} FROM pm_links WHERE integration_id = $1 AND external_id = $2`, [integrationId, externalId]);
  return row ?? null;
}

export async function findLinkById(db: Db, id: string): Promise<PmLinkRow | null> {
  const [row] = await db.query(`SELECT ${LINK_COLUMNS} FROM pm_links WHERE id = $1`, [id]);
  return row ?? null;
}

export async function insertLink(
  db: Db,
  link: Pick<PmLinkRow, 'integrationId' | 'externalId' | 'externalUrl' | 'recordKind' | 'recordId' | 'recordNumber' | 'workflowId'>,
): Promise<PmLinkRow> {
  const [row] = await db.query(
    `INSERT INTO pm_links (integration_id, external_id, external_url, record_kind, record_id, record_number, workflow_id)
     VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING ${LINK_COLUMNS}`,
    [link.integrationId, link.externalId, link.externalUrl, link.recordKind, link.recordId, link.recordNumber, link.workflowId],
  );
  return row;
}

export async function markLinkOpened(db: Db, id: string): Promise<void> {
  await db.query(`UPDATE pm_links SET opened = true, updated_at = now() WHERE id = $1`, [id]);
}

/** Journals up to `journalId` are applied; never moves back. */
export async function advanceJournal(db: Db, linkId: string, journalId: number): Promise<void> {
  await db.query(`UPDATE pm_links SET last_journal_id = GREATEST(last_journal_id, $2), updated_at = now() WHERE id = $1`, [linkId, journalId]);
}

export async function recordPlatformState(db: Db, linkId: string, status: string, updatedAt: number, url: string | null): Promise<void> {
  await db.query(
    `UPDATE pm_links SET platform_status = $2, platform_updated_at = $3, external_url = COALESCE($4, external_url), updated_at = now() WHERE id = $1`,
    [linkId, status, new Date(updatedAt), url],
  );
}

/** The status Wardline just set on the platform (the next poll reads it back anyway). */
export async function recordPlatformStatus(db: Db, linkId: string, status: string): Promise<void> {
  await db.query(`UPDATE pm_links SET platform_status = $2, updated_at = now() WHERE id = $1`, [linkId, status]);
}

export async function setLinkError(db: Db, linkId: string, error: string | null): Promise<void> {
  await db.query(`UPDATE pm_links SET last_error = $2, updated_at = now() WHERE id = $1`, [linkId, error?.slice(0, 2000) ?? null]);
}

/** The timeline events of linked records not yet looked at for progress, oldest first per record. */
export interface UnqueuedEvent {
  linkId: string;
  recordKind: PmRecordKind;
  recordNumber: string;
  recordId: string;
  seq: number;
  type: string;
  actorName: string | null;
  at: Date;
  fromState: string | null;
  toState: string;
  note: string | null;
  data: Record<string, unknown>;
}

export async function unqueuedEvents(db: Db, integrationId: string, limit: number): Promise<UnqueuedEvent[]> {
  return db.query(
    `SELECT * FROM (
       SELECT l.id AS "linkId", l.record_kind AS "recordKind", l.record_number AS "recordNumber", l.record_id AS "recordId", e.seq, e.type,
              e.actor_name AS "actorName", e.at, e.from_state AS "fromState", e.to_state AS "toState", e.note, e.data
         FROM pm_links l JOIN incident_events e ON e.incident_id = l.record_id AND e.seq > l.queued_seq
        WHERE l.integration_id = $1 AND l.record_kind = 'incident' AND l.opened
       UNION ALL
       SELECT l.id, l.record_kind, l.record_number, l.record_id, e.seq, e.type, e.actor_name, e.at, e.from_state, e.to_state, e.note, e.data
         FROM pm_links l JOIN modification_events e ON e.modification_id = l.record_id AND e.seq > l.queued_seq
        WHERE l.integration_id = $1 AND l.record_kind = 'modification' AND l.opened
     ) x ORDER BY "linkId", seq LIMIT $2`,
    [integrationId, limit],
  );
}

export interface OutboxEntry {
  integrationId: string;
  linkId: string;
  key: string;
  kind: 'progress' | 'conflict';
  eventSeq: number | null;
  status: string | null;
  body: string;
  fields: Record<string, string>;
}

/** Keyed by (integration, key): queuing the same progress twice leaves one entry. */
export async function queueOutbox(db: Db, e: OutboxEntry): Promise<void> {
  await db.query(
    `INSERT INTO pm_outbox (integration_id, link_id, key, kind, event_seq, status, body, fields) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
     ON CONFLICT (integration_id, key) DO NOTHING`,
    [e.integrationId, e.linkId, e.key, e.kind, e.eventSeq, e.status, e.body, JSON.stringify(e.fields)],
  );
}

export async function advanceQueued(db: Db, linkId: string, seq: number): Promise<void> {
  await db.query(`UPDATE pm_links SET queued_seq = GREATEST(queued_seq, $2), updated_at = now() WHERE id = $1`, [linkId, seq]);
}

export interface PendingDelivery {
  id: string;
  linkId: string;
}

export async function pendingDeliveries(db: Db, integrationId: string, limit: number): Promise<PendingDelivery[]> {
  return db.query(`SELECT id::text AS id, link_id AS "linkId" FROM pm_outbox WHERE integration_id = $1 AND state = 'pending' ORDER BY id LIMIT $2`, [integrationId, limit]);
}

export interface OutboxRow extends OutboxEntry {
  id: string;
  state: 'pending' | 'delivered';
  attempts: number;
  externalId: string;
}

export async function findOutbox(db: Db, id: string): Promise<OutboxRow | null> {
  const [row] = await db.query(
    `SELECT o.id::text AS id, o.integration_id AS "integrationId", o.link_id AS "linkId", o.key, o.kind, o.event_seq AS "eventSeq", o.status,
            o.body, o.fields, o.state, o.attempts, l.external_id AS "externalId"
       FROM pm_outbox o JOIN pm_links l ON l.id = o.link_id WHERE o.id = $1`,
    [id],
  );
  return row ?? null;
}

export async function markDelivered(db: Db, id: string, outcome: 'sent' | 'already', warnings: string[]): Promise<boolean> {
  const rows = await updateReturning(
    db,
    `UPDATE pm_outbox SET state = 'delivered', outcome = $2, warnings = $3, attempts = attempts + 1, last_error = NULL, delivered_at = now()
      WHERE id = $1 AND state = 'pending' RETURNING id`,
    [id, outcome, warnings],
  );
  return rows.length > 0;
}

export async function markAttemptFailed(db: Db, id: string, error: string): Promise<void> {
  await db.query(`UPDATE pm_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [id, error.slice(0, 2000)]);
}

export interface ConflictRow {
  integrationId: string;
  linkId: string;
  journalId: number;
  at: number;
  author: string;
  platformStatus: string;
  wardlineState: string;
  reason: 'unmapped' | 'refused';
  command: string | null;
  restoredStatus: string | null;
}

export async function recordConflict(db: Db, c: ConflictRow): Promise<void> {
  await db.query(
    `INSERT INTO pm_conflicts (integration_id, link_id, journal_id, at, author, platform_status, wardline_state, reason, command, restored_status)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (link_id, journal_id) DO NOTHING`,
    [c.integrationId, c.linkId, c.journalId, new Date(c.at), c.author, c.platformStatus, c.wardlineState, c.reason, c.command, c.restoredStatus],
  );
}

/** Stores a pushed event once; a second arrival of its id is a replay (false). */
export async function storeInboxEvent(db: Db, integrationId: string, eventId: string, externalId: string, sentAt: number, body: unknown): Promise<{ seq: number } | null> {
  const [row] = await db.query(
    `INSERT INTO pm_inbox (integration_id, event_id, external_id, sent_at, body) VALUES ($1,$2,$3,$4,$5)
     ON CONFLICT (integration_id, event_id) DO NOTHING RETURNING seq::float8 AS seq`,
    [integrationId, eventId, externalId, new Date(sentAt), JSON.stringify(body)],
  );
  return row ?? null;
}

export async function inboxAfter(db: Db, integrationId: string, seq: number, limit: number): Promise<{ seq: number; body: unknown }[]> {
  return db.query(`SELECT seq::float8 AS seq, body FROM pm_inbox WHERE integration_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [integrationId, seq, limit]);
}

export async function inboxForItem(db: Db, integrationId: string, externalId: string): Promise<{ seq: number; body: unknown }[]> {
  return db.query(`SELECT seq::float8 AS seq, body FROM pm_inbox WHERE integration_id = $1 AND external_id = $2 ORDER BY seq`, [integrationId, externalId]);
}
