import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { OutboundMessage } from './channel';
import { digestCapacity, foldIntoDigest } from './digest';
import { utf8Bytes } from './text';

const event = (i: number): OutboundMessage => ({
  title: `【SLA 预警】INC-20261127-${String(i).padStart(4, '0')} 响应时限已用 75%`,
  body: `放射科PACS/RIS系统：第 ${i} 个工作站影像无法调阅\n时限：2026-11-27 09:30\n当前状态：已受理`,
  idempotencyKey: `incident-${i}:sla_warning:group:wecom`,
  recipient: {},
});
const numberOf = (i: number) => `INC-20261127-${String(i).padStart(4, '0')}`;

describe('robot digests', () => {
  it('folds messages into one digest within the byte limit, counting what it could not spell out', () => {
    const fifty = Array.from({ length: 50 }, (_, i) => event(i));
    const digest = foldIntoDigest(fifty, 4096);
    expect(digest.title).toBe('【汇总】50 条通知 / 50 notifications');
    expect(utf8Bytes(digest.markdown ?? '')).toBeLessThanOrEqual(4096);
    expect(utf8Bytes(`${digest.title}\n${digest.body}`)).toBeLessThanOrEqual(4096);
    expect(digest.folded).toEqual(fifty.map((m) => m.idempotencyKey));
    expect(digest.listed).toBeGreaterThan(10);
    expect(digest.listed).toBeLessThan(50);
    for (let i = 0; i < digest.listed; i++) expect(digest.body).toContain(numberOf(i));
    expect(digest.body).toContain(`另有 ${50 - digest.listed} 条未展开`);
    expect(foldIntoDigest(fifty, 4096).idempotencyKey).toBe(digest.idempotencyKey);

    const three = foldIntoDigest(fifty.slice(0, 3), 4096);
    expect(three.listed).toBe(3);
    expect(three.body).not.toContain('未展开');
    expect(three.body).toContain('第 2 个工作站影像无法调阅');
  });

  it('stays within the byte limit and accounts for every message (property)', () => {
    const messages = fc.array(
      fc.record({
        title: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }),
        body: fc.string({ unit: 'grapheme', maxLength: 300 }),
        idempotencyKey: fc.uuid(),
        recipient: fc.constant({}),
      }),
      { minLength: 1, maxLength: 80 },
    );
    fc.assert(
      fc.property(messages, fc.integer({ min: 512, max: 8192 }), (list, limit) => {
        const digest = foldIntoDigest(list, limit);
        expect(utf8Bytes(digest.markdown ?? '')).toBeLessThanOrEqual(limit);
        expect(utf8Bytes(`${digest.title}\n${digest.body}`)).toBeLessThanOrEqual(limit);
        expect(digest.folded).toEqual(list.map((m) => m.idempotencyKey));
        expect(digest.listed).toBeGreaterThanOrEqual(1);
        if (digest.listed < list.length) expect(digest.body).toContain(`另有 ${list.length - digest.listed} 条未展开`);
        const capacity = digestCapacity(list, limit);
        expect(capacity).toBeGreaterThanOrEqual(1);
        expect(foldIntoDigest(list.slice(0, capacity), limit).listed).toBe(capacity);
      }),
    );
  });
});
