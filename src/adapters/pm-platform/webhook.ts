import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PmCatalog } from '../../domain/pm-platform/mapping';
import { DEFAULT_HTTP_TIMEOUT_MS, httpRequest, JSON_HEADERS } from '../notify/http';
import { PmChanges, PmCursor, PmDelivery, PmItem, PmJournal, PmPerson, PmPlatform, PmPlatformError, PmProgress } from './port';

/**
 * The generic adapter for platforms that push (禅道, home-grown ones): they POST signed JSON events to
 * `/integrations/:id/webhook`, and Wardline POSTs signed progress to their `progressUrl`. Both directions sign the
 * raw body with HMAC-SHA256 under the integration's shared secret, in `X-Wardline-Signature: sha256=<hex>`; an
 * event carries its own `eventId` and `sentAt` (inside the signed body), so a stale event is refused by the
 * tolerance and a repeated one by its id.
 */
export const PM_SIGNATURE_HEADER = 'x-wardline-signature';
export const PM_MIN_SECRET_LENGTH = 16;
export const DEFAULT_TOLERANCE_MS = 5 * 60_000;

export interface PmWebhookPerson {
  id: string;
  name: string;
}

/** One pushed event: the item as it is now, and what just happened to it (a comment, field changes). */
export interface PmWebhookEvent {
  eventId: string;
  sentAt: string;
  item: {
    id: string;
    type: string;
    title: string;
    description?: string;
    status: string;
    priority?: string | null;
    url?: string | null;
    author: PmWebhookPerson;
    createdAt?: string;
    updatedAt: string;
    fields?: Record<string, string | null>;
  };
  /** Who did what this event reports; the item's author when absent. */
  actor?: PmWebhookPerson;
  comment?: { text: string } | null;
  changes?: { field: string; from: string | null; to: string | null }[];
}

/** What Wardline POSTs to the platform's progressUrl (signed the same way, with an Idempotency-Key). */
export interface PmProgressCall {
  eventId: string;
  sentAt: string;
  itemId: string;
  action: 'comment' | 'status' | 'link';
  comment: string;
  status: string | null;
  fields: Record<string, string>;
  link: { url: string; title: string } | null;
}

export function pmSignature(rawBody: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export type InboundCheck = { ok: true; sentAt: number } | { ok: false; reason: 'missing_signature' | 'bad_signature' | 'stale' | 'malformed'; detail: string };

/**
 * The signature over the raw bytes first (nothing of an unsigned body is believed), then the timestamp inside it:
 * `sentAt` within `toleranceMs` of now either way. Replays inside the tolerance are refused by the caller, by eventId.
 */
export function checkInbound(rawBody: Buffer, signature: string | undefined, secret: string, now: number, toleranceMs: number): InboundCheck {
  if (!signature) return { ok: false, reason: 'missing_signature', detail: `no ${PM_SIGNATURE_HEADER} header` };
  const expected = Buffer.from(pmSignature(rawBody, secret));
  const given = Buffer.from(signature.trim());
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'bad_signature', detail: `${PM_SIGNATURE_HEADER} is not sha256=<hex HMAC-SHA256 of the body>` };
  }
  let sentAt = NaN;
  try {
    const body = JSON.parse(rawBody.toString('utf8')) as { sentAt?: unknown };
    sentAt = typeof body.sentAt === 'string' && /(Z|[+-]\d\d:?\d\d)$/.test(body.sentAt) ? Date.parse(body.sentAt) : NaN;
  } catch {
    return { ok: false, reason: 'malformed', detail: 'the body is not JSON' };
  }
  if (Number.isNaN(sentAt)) return { ok: false, reason: 'malformed', detail: 'sentAt must be an ISO-8601 time with a zone' };
  if (Math.abs(now - sentAt) > toleranceMs) {
    return { ok: false, reason: 'stale', detail: `sentAt is ${Math.round((now - sentAt) / 1000)} s from now; the tolerance is ${Math.round(toleranceMs / 1000)} s` };
  }
  return { ok: true, sentAt };
}

/** The pushed events of one integration, as stored on arrival (the webhook's inbox). */
export interface PmInboxRow {
  seq: number;
  event: PmWebhookEvent;
}

export interface PmInbox {
  after(seq: number, limit: number): Promise<PmInboxRow[]>;
  /** Every event of one item, oldest first. */
  forItem(externalId: string): Promise<PmInboxRow[]>;
}

export interface WebhookPlatformConfig {
  progressUrl: string;
  secret: string;
  /** The author id the platform gives to changes made through Wardline's progress calls, if it reports them back. */
  selfId?: string | null;
  timeoutMs?: number;
}

export class WebhookPlatform implements PmPlatform {
  readonly kind = 'webhook' as const;

  constructor(
    private readonly config: WebhookPlatformConfig,
    private readonly inbox: PmInbox,
    private readonly clock: () => number = Date.now,
  ) {}

  /** A pushing platform names its own words; nothing to read back. */
  async catalog(): Promise<PmCatalog> {
    return { trackers: null, statuses: null, priorities: null, fields: null };
  }

  async self(): Promise<PmPerson | null> {
    return this.config.selfId ? { id: this.config.selfId, name: 'Wardline' } : null;
  }

  async listChanged(cursor: PmCursor | null, limit: number): Promise<PmChanges> {
    const from = typeof cursor?.seq === 'number' ? cursor.seq : 0;
    const rows = await this.inbox.after(from, limit + 1);
    const page = rows.slice(0, limit);
    const byItem = new Map<string, PmInboxRow[]>();
    for (const r of page) byItem.set(r.event.item.id, [...(byItem.get(r.event.item.id) ?? []), r]);
    const items = [...byItem.values()].map((events) => toItem(events));
    // The inbox is Wardline's own table: the API counts what waits there directly.
    return { items, cursor: { seq: page.length ? page[page.length - 1].seq : from }, more: rows.length > limit, waiting: null };
  }

  async get(externalId: string): Promise<PmItem> {
    const rows = await this.inbox.forItem(externalId);
    if (!rows.length) throw new PmPlatformError('not_found', `no event about item ${externalId} has arrived`);
    return toItem(rows);
  }

  comment(externalId: string, progress: Omit<PmProgress, 'status'>): Promise<PmDelivery> {
    return this.send(progress.key, { itemId: externalId, action: 'comment', comment: progress.text, status: null, fields: progress.fields ?? {}, link: null });
  }

  setStatus(externalId: string, progress: PmProgress): Promise<PmDelivery> {
    return this.send(progress.key, { itemId: externalId, action: 'status', comment: progress.text, status: progress.status, fields: progress.fields ?? {}, link: null });
  }

  attachLink(externalId: string, link: { key: string; url: string; title: string }): Promise<PmDelivery> {
    return this.send(link.key, { itemId: externalId, action: 'link', comment: link.title, status: null, fields: {}, link: { url: link.url, title: link.title } });
  }

  /** 2xx sent; 409 the receiver already has this key (an earlier attempt got through); 5xx/408/429/network retried. */
  private async send(key: string, call: Omit<PmProgressCall, 'eventId' | 'sentAt'>): Promise<PmDelivery> {
    const body: PmProgressCall = { eventId: key, sentAt: new Date(this.clock()).toISOString(), ...call };
    const raw = JSON.stringify(body);
    const outcome = await httpRequest({
      method: 'POST',
      url: this.config.progressUrl,
      headers: { ...JSON_HEADERS, [PM_SIGNATURE_HEADER]: pmSignature(raw, this.config.secret), 'idempotency-key': key },
      body: raw,
      timeoutMs: this.config.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
    });
    if (outcome.kind === 'network') throw new PmPlatformError('unavailable', `${this.config.progressUrl}: ${outcome.error}`);
    const { status, text } = outcome;
    if (status >= 200 && status < 300) return { outcome: 'sent', warnings: [] };
    if (status === 409) return { outcome: 'already', warnings: [] };
    const detail = `${this.config.progressUrl}: HTTP ${status} ${text.slice(0, 200)}`.trim();
    if (status === 408 || status === 429 || status >= 500) throw new PmPlatformError('unavailable', detail);
    if (status === 401 || status === 403) throw new PmPlatformError('auth', detail);
    throw new PmPlatformError('rejected', detail);
  }
}

/** The item as its latest event shows it, with one journal per event that reported a comment or a change. */
function toItem(rows: PmInboxRow[]): PmItem {
  const latest = rows[rows.length - 1].event.item;
  const first = rows[0].event.item;
  const journals: PmJournal[] = rows
    .filter((r) => (r.event.comment?.text ?? '') !== '' || (r.event.changes?.length ?? 0) > 0)
    .map((r) => ({
      id: String(r.seq),
      author: r.event.actor ?? r.event.item.author,
      at: Date.parse(r.event.sentAt),
      notes: r.event.comment?.text || null,
      changes: r.event.changes ?? [],
    }));
  return {
    externalId: latest.id,
    url: latest.url ?? null,
    tracker: latest.type,
    status: latest.status,
    priority: latest.priority ?? null,
    title: latest.title,
    description: latest.description ?? '',
    author: first.author,
    createdAt: Date.parse(first.createdAt ?? rows[0].event.sentAt),
    updatedAt: Date.parse(latest.updatedAt),
    fields: latest.fields ?? {},
    journals,
  };
}
