import { createHash } from 'node:crypto';
import type { DeliveryResult, OutboundMessage } from './channel';
import { ROBOT_MESSAGES_PER_MINUTE } from './robot';
import { firstLines, truncateUtf8, utf8Bytes } from './text';

/**
 * At most `limit` events in any `windowMs`. Pure: the caller passes the time, so tests need no real clock.
 * A sliding window also keeps every calendar minute under the limit, whichever way the provider counts.
 */
export class SlidingWindowLimiter {
  private readonly stamps: number[] = [];

  constructor(
    readonly limit: number = ROBOT_MESSAGES_PER_MINUTE,
    readonly windowMs: number = 60_000,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError('windowMs must be positive');
  }

  /** How many more events the window takes at `now`. */
  room(now: number): number {
    this.forget(now);
    return Math.max(0, this.limit - this.stamps.length);
  }

  record(now: number): void {
    this.forget(now);
    this.stamps.push(now);
  }

  /** The earliest time with room: `now` if there is room already. */
  nextSlotAt(now: number): number {
    if (this.room(now) > 0) return now;
    return this.stamps[this.stamps.length - this.limit] + this.windowMs;
  }

  private forget(now: number): void {
    while (this.stamps.length > 0 && this.stamps[0] <= now - this.windowMs) this.stamps.shift();
  }
}

/** A message standing for several: `folded` holds the idempotency keys of all of them, `listed` how many it spells out. */
export interface DigestMessage extends OutboundMessage {
  folded: string[];
  listed: number;
}

/** Below this a digest's header and one item line might not fit. */
export const DIGEST_MIN_BYTES = 512;
const ITEM_MAX_BYTES = 240;
const INTRO = '以下通知合并发送，以免超过机器人限速 / folded into one message to respect the robot rate limit';

function digestTitle(count: number): string {
  return `【汇总】${count} 条通知 / ${count} notifications`;
}

function itemLine(message: OutboundMessage, index: number): string {
  const detail = firstLines(message.body, 1)[0];
  return `${index + 1}. ${truncateUtf8(detail ? `${message.title} — ${detail}` : message.title, ITEM_MAX_BYTES, '…')}`;
}

function hiddenLine(hidden: number): string {
  return `……另有 ${hidden} 条未展开，详见 Wardline 通知记录 / ${hidden} more not shown here, see the Wardline notification log`;
}

/** Bytes of a digest of `count` messages listing all of them, given their item lines. */
function fullSize(count: number, lineBytes: number[]): number {
  let size = utf8Bytes(`### ${digestTitle(count)}\n${INTRO}`);
  for (let i = 0; i < count; i++) size += 1 + lineBytes[i];
  return size;
}

function checkLimit(limitBytes: number): void {
  if (!Number.isInteger(limitBytes) || limitBytes < DIGEST_MIN_BYTES) throw new RangeError(`a digest needs at least ${DIGEST_MIN_BYTES} bytes`);
}

/**
 * Merges messages into one whose markdown (and title + body) stays within `limitBytes`. Each message gets a line
 * (title and the first line of its body) as long as they fit; the rest are counted in a closing line, never dropped
 * silently. The idempotency key is derived from the folded keys, so folding the same messages again gives the same key.
 */
export function foldIntoDigest(messages: OutboundMessage[], limitBytes: number): DigestMessage {
  if (messages.length === 0) throw new RangeError('nothing to fold');
  checkLimit(limitBytes);
  const n = messages.length;
  const lines = messages.map(itemLine);
  const lineBytes = lines.map(utf8Bytes);
  let listed = n;
  if (fullSize(n, lineBytes) > limitBytes) {
    // Not all fit: list from the oldest while the lines plus the closing count line still fit.
    listed = 0;
    let used = utf8Bytes(`### ${digestTitle(n)}\n${INTRO}`);
    while (listed < n && used + 1 + lineBytes[listed] + 1 + utf8Bytes(hiddenLine(n - listed - 1)) <= limitBytes) {
      used += 1 + lineBytes[listed];
      listed++;
    }
  }
  const title = digestTitle(n);
  const bodyLines = [INTRO, ...lines.slice(0, listed), ...(listed < n ? [hiddenLine(n - listed)] : [])];
  const body = bodyLines.join('\n');
  const folded = messages.map((m) => m.idempotencyKey);
  return {
    title,
    body,
    markdown: truncateUtf8(`### ${title}\n${body}`, limitBytes),
    idempotencyKey: `digest:${createHash('sha256').update(folded.join('\n'), 'utf8').digest('hex').slice(0, 40)}`,
    recipient: messages[0].recipient,
    folded,
    listed,
  };
}

/** How many messages from the front of `messages` one digest can list in full (at least one). */
export function digestCapacity(messages: OutboundMessage[], limitBytes: number): number {
  checkLimit(limitBytes);
  const lineBytes = messages.map((m, i) => utf8Bytes(itemLine(m, i)));
  let count = Math.min(1, messages.length);
  while (count < messages.length && fullSize(count + 1, lineBytes) <= limitBytes) count++;
  return count;
}

export interface RobotOutboxOptions {
  /** Usually a WecomChannel's or DingtalkChannel's send, bound. */
  send: (message: OutboundMessage) => Promise<DeliveryResult>;
  /** Used when flush() is called without a time; default Date.now. */
  clock?: () => number;
  /** Default 20. */
  limit?: number;
  /** Default 61 s: the providers' minute plus a second for network jitter between our clock and theirs. */
  windowMs?: number;
  /** Largest digest in bytes; default 4096 (WeCom markdown). Use 2048 for WeCom text. */
  digestMaxBytes?: number;
  /** Pause after the provider says "rate limited"; default 60 s (DingTalk throttles for 10 minutes: set 600 000). */
  rateLimitedPauseMs?: number;
  /** Pause after any other retryable failure; default 5 s. */
  retryPauseMs?: number;
}

export interface OutboxAttempt {
  at: number;
  /** What went out: a queued message itself, or a digest of several. */
  message: OutboundMessage;
  /** The queued messages it carried. */
  covers: OutboundMessage[];
  result: DeliveryResult;
}

export interface FlushReport {
  attempts: OutboxAttempt[];
  /** Queued messages given up on for good (a permanent failure): the caller records them and tries a fallback channel. */
  failed: OutboundMessage[];
  pending: number;
  /** When to flush again, or null when nothing is queued. */
  nextFlushAt: number | null;
}

const REMEMBERED_KEYS = 1000;

/**
 * One robot's queue. A flush sends no more than the window allows: singly while everything queued fits, and as
 * digests of as many as one message can list once more are queued than the window has room for. What a flush could
 * not send stays queued, in order. In memory only; durability belongs to the caller.
 */
export class RobotOutbox {
  private readonly queue: OutboundMessage[] = [];
  private readonly limiter: SlidingWindowLimiter;
  private readonly delivered = new Set<string>();
  private readonly clock: () => number;
  private readonly digestMaxBytes: number;
  private readonly rateLimitedPauseMs: number;
  private readonly retryPauseMs: number;
  private robotKey: string | undefined | null = null;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: RobotOutboxOptions) {
    this.limiter = new SlidingWindowLimiter(options.limit ?? ROBOT_MESSAGES_PER_MINUTE, options.windowMs ?? 61_000);
    this.clock = options.clock ?? Date.now;
    this.digestMaxBytes = options.digestMaxBytes ?? 4096;
    checkLimit(this.digestMaxBytes);
    this.rateLimitedPauseMs = options.rateLimitedPauseMs ?? 60_000;
    this.retryPauseMs = options.retryPauseMs ?? 5_000;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Queues a message; false when its idempotency key is already queued or was delivered lately (a replay). */
  enqueue(message: OutboundMessage): boolean {
    const key = message.recipient.robotKey;
    if (this.robotKey === null) this.robotKey = key;
    else if (key !== this.robotKey) throw new Error('a RobotOutbox serves one robot: this message names another robotKey');
    if (this.delivered.has(message.idempotencyKey) || this.queue.some((m) => m.idempotencyKey === message.idempotencyKey)) return false;
    this.queue.push(message);
    return true;
  }

  /** Sends what the window allows at `now` (default the clock). Flushes never overlap: a second call waits for the first. */
  flush(now?: number): Promise<FlushReport> {
    const run = this.running.then(() => this.flushNow(now));
    this.running = run.catch(() => undefined);
    return run;
  }

  private async flushNow(fixedNow: number | undefined): Promise<FlushReport> {
    const time = () => fixedNow ?? this.clock();
    const attempts: OutboxAttempt[] = [];
    const failed: OutboundMessage[] = [];
    while (this.queue.length > 0 && time() >= this.pausedUntil) {
      const at = time();
      const room = this.limiter.room(at);
      if (room === 0) break;
      const count = this.queue.length <= room ? 1 : digestCapacity(this.queue, this.digestMaxBytes);
      const covers = this.queue.slice(0, count);
      const message = count === 1 ? covers[0] : foldIntoDigest(covers, this.digestMaxBytes);
      this.limiter.record(at);
      const result = await this.sendSafely(message);
      attempts.push({ at, message, covers, result });
      if (result.ok || !result.retryable) {
        this.queue.splice(0, count);
        if (result.ok) this.remember(covers);
        else failed.push(...covers);
        continue;
      }
      this.pausedUntil = at + (result.rateLimited ? this.rateLimitedPauseMs : this.retryPauseMs);
    }
    const now = time();
    const nextFlushAt = this.queue.length === 0 ? null : Math.max(this.pausedUntil, this.limiter.nextSlotAt(now));
    return { attempts, failed, pending: this.queue.length, nextFlushAt };
  }

  /** Channels never reject, but an injected sender might; treat that like a network failure. */
  private async sendSafely(message: OutboundMessage): Promise<DeliveryResult> {
    try {
      return await this.options.send(message);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      return { ok: false, retryable: true, providerResponse: `sender threw: ${error}`, error };
    }
  }

  private remember(messages: OutboundMessage[]): void {
    for (const m of messages) {
      this.delivered.add(m.idempotencyKey);
      if (this.delivered.size > REMEMBERED_KEYS) this.delivered.delete(this.delivered.values().next().value as string);
    }
  }
}
