/** Byte-measured text helpers: robot APIs count UTF-8 bytes, and a Chinese character is three of them. */

export const TRUNCATION_MARKER = '…（已截断 / truncated）';

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes, on a code point boundary, ending with `marker` when anything
 * was cut. Text that fits is returned unchanged.
 */
export function truncateUtf8(text: string, maxBytes: number, marker = TRUNCATION_MARKER): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const markerBytes = utf8Bytes(marker);
  if (markerBytes > maxBytes) return cutAtBoundary(Buffer.from(marker, 'utf8'), maxBytes);
  return cutAtBoundary(Buffer.from(text, 'utf8'), maxBytes - markerBytes) + marker;
}

function cutAtBoundary(bytes: Buffer, maxBytes: number): string {
  let end = Math.max(0, Math.min(maxBytes, bytes.length));
  // Back off continuation bytes (10xxxxxx) so the cut never splits a character.
  while (end > 0 && end < bytes.length && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** The first `count` non-empty lines of a text. */
export function firstLines(text: string, count: number): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .slice(0, count);
}

/** Header values must be visible ASCII; anything else is percent-encoded (the body carries the original). */
export function headerSafe(value: string): string {
  return /^[\x21-\x7e]+$/.test(value) ? value : encodeURIComponent(value);
}
