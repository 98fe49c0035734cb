import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { DEFAULT_TOLERANCE_MS, PmInbox, PmInboxRow, PmWebhookEvent, WebhookPlatform, checkInbound, pmSignature } from './webhook';

const SECRET = 'a-shared-secret-of-the-hospital';
const NOW = Date.parse('2026-11-30T02:00:00Z');

function event(overrides: Partial<PmWebhookEvent> = {}): PmWebhookEvent {
  return {
    eventId: 'evt-1',
    sentAt: '2026-11-30T10:00:00+08:00',
    item: { id: 'BUG-42', type: '缺陷', title: '检验报告打印乱码', status: '激活', author: { id: 'u7', name: '王护士' }, updatedAt: '2026-11-30T10:00:00+08:00' },
    ...overrides,
  };
}

const raw = (e: unknown) => Buffer.from(JSON.stringify(e), 'utf8');

describe('generic signed webhook (S15): signature, tolerance', () => {
  it('signs with HMAC-SHA256 of the raw body, as any receiver recomputes it', () => {
    const body = raw(event());
    expect(pmSignature(body, SECRET)).toBe(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
  });

  it('accepts a signed event inside the tolerance, either side of now', () => {
    const body = raw(event());
    expect(checkInbound(body, pmSignature(body, SECRET), SECRET, NOW, DEFAULT_TOLERANCE_MS)).toEqual({ ok: true, sentAt: NOW });
    expect(checkInbound(body, pmSignature(body, SECRET), SECRET, NOW + DEFAULT_TOLERANCE_MS, DEFAULT_TOLERANCE_MS).ok).toBe(true);
    expect(checkInbound(body, pmSignature(body, SECRET), SECRET, NOW - DEFAULT_TOLERANCE_MS, DEFAULT_TOLERANCE_MS).ok).toBe(true);
  });

  it('refuses a missing or wrong signature, a body changed after signing, another secret', () => {
    const body = raw(event());
    const good = pmSignature(body, SECRET);
    expect(checkInbound(body, undefined, SECRET, NOW, DEFAULT_TOLERANCE_MS)).toMatchObject({ ok: false, reason: 'missing_signature' });
    expect(checkInbound(body, 'sha256=00', SECRET, NOW, DEFAULT_TOLERANCE_MS)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(checkInbound(raw(event({ eventId: 'evt-2' })), good, SECRET, NOW, DEFAULT_TOLERANCE_MS)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(checkInbound(body, pmSignature(body, 'another-secret-entirely'), SECRET, NOW, DEFAULT_TOLERANCE_MS)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signed event outside the tolerance (a replay of an old capture) and one without a zoned time', () => {
    const body = raw(event());
    const late = checkInbound(body, pmSignature(body, SECRET), SECRET, NOW + DEFAULT_TOLERANCE_MS + 1, DEFAULT_TOLERANCE_MS);
    expect(late).toMatchObject({ ok: false, reason: 'stale' });
    expect(checkInbound(body, pmSignature(body, SECRET), SECRET, NOW - DEFAULT_TOLERANCE_MS - 1, DEFAULT_TOLERANCE_MS)).toMatchObject({ ok: false, reason: 'stale' });
    const local = raw(event({ sentAt: '2026-11-30T10:00:00' }));
    expect(checkInbound(local, pmSignature(local, SECRET), SECRET, NOW, DEFAULT_TOLERANCE_MS)).toMatchObject({ ok: false, reason: 'malformed' });
    const notJson = Buffer.from('sentAt=now');
    expect(checkInbound(notJson, pmSignature(notJson, SECRET), SECRET, NOW, DEFAULT_TOLERANCE_MS)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('generic webhook platform: pushed events read like polled changes', () => {
  const rows: PmInboxRow[] = [
    { seq: 1, event: event() },
    { seq: 2, event: event({ eventId: 'evt-2', sentAt: '2026-11-30T10:05:00+08:00', actor: { id: 'u9', name: '信息科张工' }, comment: { text: '急诊也有' }, changes: [{ field: 'priority', from: '3', to: '1' }], item: { ...event().item, priority: '1', updatedAt: '2026-11-30T10:05:00+08:00' } }) },
    { seq: 3, event: event({ eventId: 'evt-3', item: { ...event().item, id: 'STORY-7', type: '需求', title: '增加科室筛选' } }) },
  ];
  const inbox: PmInbox = {
    after: async (seq, limit) => rows.filter((r) => r.seq > seq).slice(0, limit),
    forItem: async (id) => rows.filter((r) => r.event.item.id === id),
  };
  const platform = new WebhookPlatform({ progressUrl: 'http://127.0.0.1:9/progress', secret: SECRET }, inbox, () => NOW);

  it('groups events per item, oldest first, one journal per comment or change, and pages by sequence', async () => {
    const first = await platform.listChanged(null, 2);
    expect(first.more).toBe(true);
    expect(first.cursor).toEqual({ seq: 2 });
    expect(first.items).toHaveLength(1);
    expect(first.items[0]).toMatchObject({ externalId: 'BUG-42', tracker: '缺陷', priority: '1', author: { id: 'u7', name: '王护士' } });
    expect(first.items[0].journals).toEqual([
      { id: '2', author: { id: 'u9', name: '信息科张工' }, at: Date.parse('2026-11-30T10:05:00+08:00'), notes: '急诊也有', changes: [{ field: 'priority', from: '3', to: '1' }] },
    ]);
    const second = await platform.listChanged(first.cursor, 2);
    expect(second).toMatchObject({ more: false, cursor: { seq: 3 } });
    expect(second.items.map((i) => i.externalId)).toEqual(['STORY-7']);
    const third = await platform.listChanged(second.cursor, 2);
    expect(third).toEqual({ items: [], cursor: { seq: 3 }, more: false, waiting: null });
  });

  it('reads one item from everything that arrived about it', async () => {
    const item = await platform.get('BUG-42');
    expect(item.journals).toHaveLength(1);
    await expect(platform.get('NOPE')).rejects.toMatchObject({ kind: 'not_found' });
  });
});
