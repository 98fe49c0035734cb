import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { headerSafe, TRUNCATION_MARKER, truncateUtf8, utf8Bytes } from './text';

describe('truncateUtf8', () => {
  it('cuts Chinese and astral characters on a character boundary, marker included in the limit', () => {
    const text = '影像'.repeat(100) + '🏥';
    for (const limit of [40, 41, 42, 43, 100, 301]) {
      const cut = truncateUtf8(text, limit);
      expect(utf8Bytes(cut)).toBeLessThanOrEqual(limit);
      expect(cut.endsWith(TRUNCATION_MARKER)).toBe(true);
      expect(cut).not.toContain('\uFFFD');
      expect(text.startsWith(cut.slice(0, -TRUNCATION_MARKER.length))).toBe(true);
    }
    expect(truncateUtf8('短消息', 4096)).toBe('短消息');
    expect(truncateUtf8(text, utf8Bytes(text))).toBe(text);
  });

  it('never exceeds the limit, never splits a character, and keeps a prefix of the text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.integer({ min: 0, max: 600 }), (text, limit) => {
        const cut = truncateUtf8(text, limit);
        expect(utf8Bytes(cut)).toBeLessThanOrEqual(Math.max(limit, 0));
        if (utf8Bytes(text) <= limit) expect(cut).toBe(text);
        else if (utf8Bytes(TRUNCATION_MARKER) <= limit) {
          expect(cut.endsWith(TRUNCATION_MARKER)).toBe(true);
          expect(text.startsWith(cut.slice(0, cut.length - TRUNCATION_MARKER.length))).toBe(true);
        }
        expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
      }),
    );
  });
});

describe('headerSafe', () => {
  it('passes visible ASCII and percent-encodes the rest', () => {
    expect(headerSafe('incident-1:sla_breached:user-7:email')).toBe('incident-1:sla_breached:user-7:email');
    expect(headerSafe('事件 1')).toBe('%E4%BA%8B%E4%BB%B6%201');
  });
});
