import { describe, expect, it } from '@jest/globals';
import { DEFAULT_BACKOFF, backoffDelay } from './supervisor';

describe('restart back-off', () => {
  it('doubles from the first delay and stops at the ceiling', () => {
    const b = { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(b, n))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(backoffDelay(b, 0)).toBe(500);
  });

  it('restarts a crashed process within a second by default, and a crash loop no more than every 30 s', () => {
    expect(backoffDelay(DEFAULT_BACKOFF, 1)).toBeLessThanOrEqual(1000);
    expect(backoffDelay(DEFAULT_BACKOFF, 100)).toBe(30_000);
  });
});
