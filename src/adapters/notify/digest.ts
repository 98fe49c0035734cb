import { createHash } from 'node:crypto';
import type { OutboundMessage } from './channel';
import { firstLines, truncateUtf8, utf8Bytes } from './text';

/**
 * Robot digests: when a burst of messages would pass a robot's 20-a-minute limit, the robot outbox workflow
 * (src/workflows/robot-outbox.workflow.ts) folds the backlog into one message with nothing dropped.
 */

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
