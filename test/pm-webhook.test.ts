import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { pmSignature } from '../src/adapters/pm-platform';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { Receiver, startReceiver } from './support/receivers';
import { waitUntil as waitFor } from './support/workflow-input';

/**
 * S15 for platforms that push (禅道 and home-grown ones): signed events in, signed progress out, against the real API,
 * worker and Temporal, with a loopback HTTP server standing where the hospital's platform receives progress.
 */
const SECRET = 'hospital-shared-secret-0123456789';
const MAPPING = {
  trackers: { fault: ['缺陷'], requirement: ['需求'] },
  system: { field: '系统', default: 'SYS-11' },
  department: { field: '科室', default: '信息科' },
  priorities: { map: { '1': 'P1', '2': 'P2', '3': 'P3', '4': 'P4' }, default: 'P3' },
  modificationType: 'interface',
  numberField: 'wardline',
  outbound: { incident: { reported: '待处理', acknowledged: '处理中', on_site: '处理中', resolved: '已解决', closed: '已关闭', cancelled: '已取消' }, modification: { submitted: '待评估' } },
  inbound: { incident: { 已取消: 'cancel' }, modification: {} },
};

/** Redmine is one Ruby process and the machine is shared: generous waits, which end as soon as the condition holds. */
jest.setTimeout(300_000);
const waitUntil = <T>(what: string, probe: () => Promise<T | null | undefined | false>) => waitFor(what, probe, 120_000);

describe('generic signed webhook platform (S15)', () => {
  let p: TestPlatform;
  let itManager: TestUser;
  let engineer: TestUser;
  let integrationId: string;
  let platform: Receiver;
  let seq = 0;

  beforeAll(async () => {
    // One receiver for the whole file: progress posted during one test is looked at in the next.
    platform = await startReceiver({ reply: () => ({ status: 200, body: {} }) });
    p = await startPlatform({ config: { pm: { retryInitialMs: 200, retryMaxMs: 500, retryAttempts: 2 } } });
    itManager = await p.user(['it_manager'], '信息科主任');
    engineer = await p.user(['engineer'], '李工');
  });
  afterAll(async () => {
    if (integrationId) await p.temporal.workflow.getHandle(`pm-integration-${integrationId}`).terminate('test done').catch(() => undefined);
    await p?.stop();
    await platform?.close();
  });

  const event = (overrides: Record<string, unknown> = {}, item: Record<string, unknown> = {}) => ({
    eventId: `zentao-${++seq}`,
    sentAt: new Date().toISOString(),
    item: { id: 'BUG-42', type: '缺陷', title: '检验报告打印乱码', description: '门诊检验报告打印出来是乱码', status: '激活', priority: '2', author: { id: 'u7', name: '王护士' }, updatedAt: new Date().toISOString(), fields: { 系统: 'SYS-11', 科室: '检验科' }, ...item },
    ...overrides,
  });
  const push = async (body: unknown, sign: (raw: string) => string | null = (raw) => pmSignature(raw, SECRET), id = integrationId) => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const signature = sign(raw);
    const res = await fetch(`${p.baseUrl}/integrations/${id}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature ? { 'x-wardline-signature': signature } : {}) },
      body: raw,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const integration = async () => (await p.call('GET', `/integrations/${integrationId}`, itManager.token)).body;
  const progressCalls = () => platform.requests.filter((r) => r.url.pathname === '/progress');

  it('connects a pushing platform; its mapping has no platform catalogue to check, only its shape', async () => {
    const bad = await p.call('POST', '/integrations', itManager.token, { name: '禅道', kind: 'webhook', webhook: { progressUrl: `${platform.base}/progress`, secret: 'short' }, mapping: { ...MAPPING, colour: 'red' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['webhook.secret']);
    const badMapping = await p.call('POST', '/integrations', itManager.token, { name: '禅道', kind: 'webhook', webhook: { progressUrl: `${platform.base}/progress`, secret: SECRET }, mapping: { ...MAPPING, colour: 'red' } });
    expect(badMapping.status).toBe(400);
    expect(badMapping.body.errors).toEqual([{ field: 'mapping.colour', reasons: ['不认识的字段 / is not a known field'] }]);
    const res = await p.call('POST', '/integrations', itManager.token, {
      name: '禅道',
      kind: 'webhook',
      webhook: { progressUrl: `${platform.base}/progress`, secret: SECRET, toleranceSeconds: 120, platformUserId: 'wardline-bot' },
      mapping: MAPPING,
      pollIntervalSeconds: 30,
    });
    expect(res.status).toBe(201);
    integrationId = res.body.id;
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    expect(res.body.webhook).toEqual({ inboundUrl: `${p.config.publicUrl}/integrations/${integrationId}/webhook`, progressUrl: `${platform.base}/progress`, toleranceSeconds: 120, secret: { configured: true } });
  });

  it('refuses unsigned, wrongly signed, altered, stale, future, malformed and replayed events', async () => {
    const e = event();
    expect((await push(e, () => null)).body).toMatchObject({ statusCode: 401, code: 'WEBHOOK_MISSING_SIGNATURE' });
    expect((await push(e, (raw) => pmSignature(raw, 'another-secret-0123456789'))).body).toMatchObject({ statusCode: 401, code: 'WEBHOOK_BAD_SIGNATURE' });
    expect((await push(e, () => pmSignature(JSON.stringify({ ...e, eventId: 'other' }), SECRET))).body).toMatchObject({ statusCode: 401, code: 'WEBHOOK_BAD_SIGNATURE' });
    const stale = await push(event({ sentAt: new Date(Date.now() - 10 * 60_000).toISOString() }));
    expect(stale.body).toMatchObject({ statusCode: 401, code: 'WEBHOOK_STALE' });
    expect(stale.body.messageEn).toMatch(/tolerance is 120 s/);
    expect((await push(event({ sentAt: new Date(Date.now() + 10 * 60_000).toISOString() }))).body).toMatchObject({ statusCode: 401, code: 'WEBHOOK_STALE' });
    const malformed = await push(event({}, { title: '' }));
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors.map((x: any) => x.field)).toEqual(['item.title']);
    expect((await push(event({ extra: 1 }))).body.errors.map((x: any) => x.field)).toEqual(['extra']);
    expect((await push(e, undefined, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    // None of these reached the inbox.
    expect(await p.ds.query(`SELECT count(*)::int AS n FROM pm_inbox`)).toEqual([{ n: 0 }]);

    const first = await push(e);
    expect(first.status).toBe(202);
    const replay = await push(e);
    expect(replay.status).toBe(409);
    expect(replay.body.code).toBe('WEBHOOK_REPLAYED');
    expect(await p.ds.query(`SELECT count(*)::int AS n FROM pm_inbox`)).toEqual([{ n: 1 }]);
  });

  it('turns the pushed fault report into an incident and posts signed progress back, with an Idempotency-Key', async () => {
    const item = await waitUntil('the linked incident', async () => (await integration()).items.find((i: any) => i.externalId === 'BUG-42' && i.syncState === 'synced'));
    const n = item.record.number;
    const incident = (await p.call('GET', `/incidents/${n}`, engineer.token)).body;
    expect(incident).toMatchObject({ channel: 'pm-platform', priority: 'P2', reporter: { name: '王护士', department: '检验科' }, title: '检验报告打印乱码' });
    const calls = progressCalls();
    expect(calls).toHaveLength(1);
    const body = JSON.parse(calls[0].text);
    expect(calls[0].headers['x-wardline-signature']).toBe(pmSignature(calls[0].raw, SECRET));
    expect(calls[0].headers['idempotency-key']).toBe(`${n}:1`);
    expect(body).toMatchObject({ eventId: `${n}:1`, itemId: 'BUG-42', action: 'status', status: '待处理', fields: { wardline: n }, link: null });
    expect(body.comment).toContain(`故障单 ${n}：已登记`);
  });

  it('takes a comment and a cancellation from the platform, ignoring what Wardline’s own account did', async () => {
    const n = (await integration()).items[0].record.number;
    expect((await push(event({ actor: { id: 'u9', name: '检验科张主任' }, comment: { text: '急诊也有' } }))).status).toBe(202);
    expect((await push(event({ actor: { id: 'wardline-bot', name: 'Wardline' }, comment: { text: '（Wardline 自己的回写）' } }))).status).toBe(202);
    await waitUntil('the comment', async () => (await p.call('GET', `/incidents/${n}`, engineer.token)).body.timeline.some((e: any) => e.type === 'comment'));
    expect((await push(event({ actor: { id: 'u9', name: '检验科张主任' }, changes: [{ field: 'status', from: '激活', to: '已取消' }] }, { status: '已取消' }))).status).toBe(202);
    const detail = await waitUntil('cancelled', async () => {
      const d = (await p.call('GET', `/incidents/${n}`, engineer.token)).body;
      return d.state === 'cancelled' && d;
    });
    expect(detail.timeline.map((e: any) => [e.type, e.note])).toEqual([
      ['opened', null],
      ['comment', '急诊也有'],
      ['cancel', '检验科张主任在禅道中将状态改为“已取消”'],
    ]);
    const calls = await waitUntil('the cancellation posted back', async () => {
      const c = progressCalls();
      return c.length === 2 && c;
    });
    expect(JSON.parse(calls[1].text)).toMatchObject({ eventId: `${n}:3`, action: 'status', status: '已取消' });
  });

  it('documents both bodies in the OpenAPI page: the signed event in, the signed progress call out', async () => {
    const doc = (await (await fetch(`${p.baseUrl}/docs-json`)).json()) as any;
    const op = doc.paths['/integrations/{id}/webhook'].post;
    expect(op.summary).toMatch(/^推送式平台.* \/ Signed events/);
    expect(op.security ?? []).toEqual([]);
    expect(op.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/PmWebhookEventDto');
    expect(op.parameters.map((x: any) => x.name)).toContain('X-Wardline-Signature');
    expect(Object.keys(op.responses).sort()).toEqual(['202', '400', '401', '404', '409', '429']);
    expect(op.description).toContain('#/components/schemas/PmProgressCallDto');
    const call = doc.components.schemas.PmProgressCallDto;
    expect(Object.keys(call.properties).sort()).toEqual(['action', 'comment', 'eventId', 'fields', 'itemId', 'link', 'sentAt', 'status']);
    expect(doc.components.schemas.PmWebhookEventDto.required.sort()).toEqual(['eventId', 'item', 'sentAt']);
    const create = doc.paths['/integrations'].post;
    expect(create.parameters.map((x: any) => x.name)).toContain('Idempotency-Key');
    expect(Object.keys(create.responses).sort()).toEqual(['201', '400', '401', '403', '409', '422']);
  });

  it('keeps retrying progress the platform cannot take yet, and delivers each piece once it can', async () => {
    let failures = 0;
    platform.reply = (req) => (req.url.pathname === '/progress' && failures++ < 3 ? { status: 503, body: { error: 'maintenance' } } : { status: 200, body: {} });
    expect((await push(event({}, { id: 'BUG-43', title: '自助机无法打印' }))).status).toBe(202);
    const failing = await waitUntil('the failure shown', async () => {
      const b = await integration();
      return b.lastError && b.items.find((i: any) => i.externalId === 'BUG-43')?.syncState === 'failing' && b;
    });
    expect(failing.lastError.message).toContain('HTTP 503');
    await p.call('POST', `/integrations/${integrationId}/poll`, itManager.token);
    const item = await waitUntil('delivered', async () => (await integration()).items.find((i: any) => i.externalId === 'BUG-43' && i.syncState === 'synced'));
    const attempts = progressCalls().filter((r) => JSON.parse(r.text).itemId === 'BUG-43');
    expect(attempts.length).toBe(4);
    expect(new Set(attempts.map((r) => r.headers['idempotency-key']))).toEqual(new Set([`${item.record.number}:1`]));
  });
});
