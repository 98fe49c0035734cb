import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import {
  type ChannelConfig,
  ChannelConfigError,
  ChannelErrorCode,
  createChannel,
  type DeliveryResult,
  DingtalkChannel,
  EmailChannel,
  IDEMPOTENCY_HEADER,
  type OutboundMessage,
  SmsChannel,
  TRUNCATION_MARKER,
  utf8Bytes,
  WebhookChannel,
  WecomChannel,
} from '../src/adapters/notify';
import { freePort } from '../src/infra/net';
import { Receiver, parseMail, startReceiver, startSmtp, suiteReceiver } from './support/receivers';

/** Every channel against a real server on loopback that the test starts: SMTP, and HTTP receivers for the rest. */

// ---------- fixtures ----------

const message = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => ({
  title: '【已超时】INC-20261127-0001 修复时限已超过合同时限',
  body: '放射科PACS/RIS系统：PACS 影像无法调阅\n时限：2026-11-27 09:00\n当前状态：已到场，负责工程师：李工',
  idempotencyKey: 'incident-INC-20261127-0001:sla_breached:user-7:wecom',
  recipient: { name: '李工', email: 'li.gong@vendor-team.example.cn', phone: '13812345678' },
  ...overrides,
});

const SECRET = 'SEC-0123456789abcdef-shared';

function expectConfigError(config: unknown, field: string): void {
  let caught: unknown;
  try {
    createChannel(config as ChannelConfig);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ChannelConfigError);
  expect((caught as ChannelConfigError).field).toBe(field);
  expect((caught as ChannelConfigError).message).toContain(field);
}

async function refusedBase(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

// ---------- configuration ----------

describe('channel configuration', () => {
  it('names the field of every bad setting', () => {
    expectConfigError({ kind: 'wecom', baseUrl: 'ftp://qyapi.example' }, 'wecom.baseUrl');
    expectConfigError({ kind: 'wecom', robotKey: 'key with spaces' }, 'wecom.robotKey');
    expectConfigError({ kind: 'wecom', msgtype: 'news' }, 'wecom.msgtype');
    expectConfigError({ kind: 'dingtalk', accessToken: 'abcdef0123456789' }, 'dingtalk.secret');
    expectConfigError({ kind: 'webhook', url: 'https://x.example/hook' }, 'webhook.secret');
    expectConfigError({ kind: 'webhook', url: 'https://x.example/hook', secret: 'short' }, 'webhook.secret');
    expectConfigError({ kind: 'webhook', url: 'mailto:a@b.cn', secret: SECRET }, 'webhook.url');
    expectConfigError({ kind: 'webhook', secret: SECRET, headers: { 'x-evil': 'a\r\nx-injected: 1' } }, 'webhook.headers.x-evil');
    expectConfigError({ kind: 'sms', url: 'https://sms.example/send', bodyTemplate: '{"text": {{text}}}' }, 'sms.bodyTemplate');
    expectConfigError({ kind: 'sms', url: 'https://sms.example/send', bodyTemplate: '{"text":"{{txet}}"}' }, 'sms.bodyTemplate');
    expectConfigError({ kind: 'sms', url: 'https://sms.example/send' }, 'sms.bodyTemplate');
    expectConfigError({ kind: 'sms', url: 'sms.example/send', bodyTemplate: '{}' }, 'sms.url');
    expectConfigError({ kind: 'sms', url: 'https://sms.example/send', method: 'PUT', bodyTemplate: '{}' }, 'sms.method');
    expectConfigError({ kind: 'email', host: 'smtp.example.cn', from: 'not-an-address' }, 'email.from');
    expectConfigError({ kind: 'email', host: '', from: 'a@b.cn' }, 'email.host');
    expectConfigError({ kind: 'email', host: 'smtp.example.cn', from: 'a@b.cn', port: 70000 }, 'email.port');
    expectConfigError({ kind: 'email', host: 'smtp.example.cn', from: 'a@b.cn', auth: { user: 'u' } }, 'email.auth.pass');
  });

  it('rejects an unknown kind with its own code', () => {
    let caught: unknown;
    try {
      createChannel({ kind: 'fax' } as unknown as ChannelConfig);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ChannelConfigError);
    expect((caught as ChannelConfigError).code).toBe(ChannelErrorCode.UnknownKind);
  });

  it('builds each driver from its configuration', () => {
    expect(createChannel({ kind: 'wecom', robotKey: '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa' })).toBeInstanceOf(WecomChannel);
    expect(createChannel({ kind: 'dingtalk', accessToken: 'abcdef0123456789', secret: SECRET })).toBeInstanceOf(DingtalkChannel);
    expect(createChannel({ kind: 'webhook', secret: SECRET })).toBeInstanceOf(WebhookChannel);
    expect(createChannel({ kind: 'sms', url: 'https://sms.example/send', bodyTemplate: '{"m":"{{phone}}","t":"{{text}}"}' })).toBeInstanceOf(SmsChannel);
    expect(createChannel({ kind: 'email', host: 'smtp.example.cn', from: '"Wardline 运维平台" <wardline@hospital.example.cn>' })).toBeInstanceOf(EmailChannel);
  });
});

// ---------- email ----------

describe('email over SMTP', () => {
  const from = '"Wardline 运维平台" <wardline@hospital.example.cn>';

  it('delivers UTF-8 Chinese subject and body with a stable Message-ID and the idempotency header', async () => {
    const smtp = await startSmtp({ authOptional: true, disabledCommands: ['STARTTLS'] });
    try {
      const channel = createChannel({ kind: 'email', host: '127.0.0.1', port: smtp.port, from }) as EmailChannel;
      const m = message();
      const result = await channel.send(m);
      expect(result).toMatchObject({ ok: true, retryable: false, providerMessageId: channel.messageId(m.idempotencyKey) });
      expect(result.providerResponse).toContain('queued as TEST-1');
      expect(smtp.mails).toHaveLength(1);
      const mail = smtp.mails[0];
      expect(mail.from).toBe('wardline@hospital.example.cn');
      expect(mail.to).toEqual(['li.gong@vendor-team.example.cn']);
      const parsed = parseMail(mail.raw);
      expect(parsed.headers.get('subject')).toBe(m.title);
      expect(parsed.headers.get('from')).toBe('Wardline 运维平台 <wardline@hospital.example.cn>');
      expect(parsed.headers.get('to')).toBe('李工 <li.gong@vendor-team.example.cn>');
      expect(parsed.headers.get(IDEMPOTENCY_HEADER.toLowerCase())).toBe(m.idempotencyKey);
      expect(parsed.headers.get('message-id')).toBe(channel.messageId(m.idempotencyKey));
      expect(parsed.headers.get('content-type')).toMatch(/^text\/plain; charset=utf-8/i);
      expect(parsed.text).toBe(m.body);

      // A retry of the same notification carries the same Message-ID, so the mailbox can tell it is one message.
      await channel.send(m);
      expect(parseMail(smtp.mails[1].raw).headers.get('message-id')).toBe(parseMail(smtp.mails[0].raw).headers.get('message-id'));
    } finally {
      await smtp.close();
    }
  });

  it('authenticates with AUTH PLAIN, and a wrong password is a permanent failure', async () => {
    const smtp = await startSmtp({
      authMethods: ['PLAIN'],
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      onAuth(auth, _session, callback) {
        if (auth.method === 'PLAIN' && auth.username === 'wardline' && auth.password === '口令-pass-1') callback(null, { user: 'wardline' });
        else callback(new Error('Invalid username or password'));
      },
    });
    try {
      const good = createChannel({ kind: 'email', host: '127.0.0.1', port: smtp.port, from, auth: { user: 'wardline', pass: '口令-pass-1' } });
      expect(await good.send(message())).toMatchObject({ ok: true });
      expect(smtp.mails[0].user).toBe('wardline');

      const bad = createChannel({ kind: 'email', host: '127.0.0.1', port: smtp.port, from, auth: { user: 'wardline', pass: 'wrong' } });
      const result = await bad.send(message());
      expect(result).toMatchObject({ ok: false, retryable: false });
      expect(result.error).toMatch(/EAUTH/);
      expect(result.providerResponse).toMatch(/^535/);
      expect(smtp.mails).toHaveLength(1);
    } finally {
      await smtp.close();
    }
  });

  it('upgrades with STARTTLS; a self-signed certificate is refused unless rejectUnauthorized is false', async () => {
    const smtp = await startSmtp({ authOptional: true });
    try {
      const strict = createChannel({ kind: 'email', host: '127.0.0.1', port: smtp.port, from, requireTLS: true });
      const refused = await strict.send(message());
      expect(refused).toMatchObject({ ok: false, retryable: false });
      expect(refused.error).toMatch(/certificate/i);
      expect(smtp.mails).toHaveLength(0);

      const lenient = createChannel({ kind: 'email', host: '127.0.0.1', port: smtp.port, from, requireTLS: true, rejectUnauthorized: false });
      expect(await lenient.send(message())).toMatchObject({ ok: true });
      expect(smtp.mails[0].secure).toBe(true);
    } finally {
      await smtp.close();
    }
  });

  it('treats a 4xx reply as retryable and a 5xx reply as permanent', async () => {
    const smtp = await startSmtp({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onRcptTo(address, _session, callback) {
        const code = address.address.startsWith('full') ? 452 : 550;
        callback(Object.assign(new Error(code === 452 ? 'Mailbox full, try later' : 'No such user'), { responseCode: code }));
      },
    });
    try {
      const channel = createChannel({ kind: 'email', host: '127.0.0.1', port: smtp.port, from });
      const later = await channel.send(message({ recipient: { email: 'full@hospital.example.cn' } }));
      expect(later).toMatchObject({ ok: false, retryable: true });
      expect(later.providerResponse).toMatch(/^452/);
      const never = await channel.send(message({ recipient: { email: 'nobody@hospital.example.cn' } }));
      expect(never).toMatchObject({ ok: false, retryable: false });
      expect(never.providerResponse).toMatch(/^550/);
    } finally {
      await smtp.close();
    }
  });

  it('reports a refused connection as retryable, and a recipient without an address without connecting', async () => {
    const channel = createChannel({ kind: 'email', host: '127.0.0.1', port: await freePort(), from, timeoutMs: 2000 });
    const result = await channel.send(message());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.error).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);
    expect(await channel.send(message({ recipient: { name: '无邮箱' } }))).toMatchObject({ ok: false, retryable: false, error: 'the recipient has no email address' });
    expect(await channel.send(message({ recipient: { email: 'bad@@x' } }))).toMatchObject({ ok: false, retryable: false });
  });
});

// ---------- robots ----------

describe('WeCom group robot', () => {
  const key = '693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa';
  const rx = suiteReceiver();

  it('posts the markdown body to /cgi-bin/webhook/send with the key', async () => {
    const channel = createChannel({ kind: 'wecom', baseUrl: `${rx.base}/`, robotKey: key });
    const m = message();
    expect(await channel.send(m)).toEqual({ ok: true, retryable: false, providerResponse: '{"errcode":0,"errmsg":"ok"}' });
    const [req] = rx.requests;
    expect(req.method).toBe('POST');
    expect(req.url.pathname).toBe('/cgi-bin/webhook/send');
    expect(req.url.search).toBe(`?key=${key}`);
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    expect(req.text).toBe(JSON.stringify({ msgtype: 'markdown', markdown: { content: `### ${m.title}\n${m.body}` } }));

    // A contact's own robot wins over the configured one; given markdown is sent as it is.
    await channel.send(message({ markdown: '**自定义** markdown', recipient: { robotKey: 'other-robot-key-0001' } }));
    expect(rx.requests[1].url.searchParams.get('key')).toBe('other-robot-key-0001');
    expect(JSON.parse(rx.requests[1].text)).toEqual({ msgtype: 'markdown', markdown: { content: '**自定义** markdown' } });
  });

  it('cuts Chinese markdown to 4096 bytes and text to 2048 bytes on a character boundary', async () => {
    const long = message({ body: '放射科影像无法调阅，'.repeat(400) });
    await createChannel({ kind: 'wecom', baseUrl: rx.base, robotKey: key }).send(long);
    await createChannel({ kind: 'wecom', baseUrl: rx.base, robotKey: key, msgtype: 'text' }).send(long);
    const markdown = (JSON.parse(rx.requests[0].text) as { markdown: { content: string } }).markdown.content;
    const text = (JSON.parse(rx.requests[1].text) as { msgtype: string; text: { content: string } }).text.content;
    expect(utf8Bytes(markdown)).toBeLessThanOrEqual(4096);
    expect(utf8Bytes(markdown)).toBeGreaterThan(4096 - 4);
    expect(utf8Bytes(text)).toBeLessThanOrEqual(2048);
    expect(utf8Bytes(text)).toBeGreaterThan(2048 - 4);
    for (const content of [markdown, text]) {
      expect(content.endsWith(TRUNCATION_MARKER)).toBe(true);
      expect(content).not.toContain('\uFFFD');
    }
    expect(markdown.startsWith(`### ${long.title}\n放射科影像无法调阅，`)).toBe(true);
    expect(text.startsWith(`${long.title}\n放射科影像无法调阅，`)).toBe(true);
  });

  it('classifies answers: 45009 rate limited, other errcodes permanent, 500 retryable, 400 permanent, refused retryable', async () => {
    const channel = createChannel({ kind: 'wecom', baseUrl: rx.base, robotKey: key });
    rx.reply = () => ({ status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' } });
    expect(await channel.send(message())).toMatchObject({ ok: false, retryable: true, rateLimited: true, error: 'errcode 45009: api freq out of limit' });
    rx.reply = () => ({ status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } });
    expect(await channel.send(message())).toMatchObject({ ok: false, retryable: false, error: 'errcode 93000: invalid webhook url' });
    rx.reply = () => ({ status: 200, body: { errcode: -1, errmsg: 'system busy' } });
    expect(await channel.send(message())).toMatchObject({ ok: false, retryable: true });
    rx.reply = () => ({ status: 500, body: 'upstream down' });
    expect(await channel.send(message())).toMatchObject({ ok: false, retryable: true, error: 'HTTP 500', providerResponse: 'HTTP 500 upstream down' });
    rx.reply = () => ({ status: 400, body: 'bad request' });
    expect(await channel.send(message())).toMatchObject({ ok: false, retryable: false });
    rx.reply = () => ({ status: 200, body: '<html>proxy login</html>' });
    expect(await channel.send(message())).toMatchObject({ ok: false, retryable: false, error: 'the robot answered without an errcode' });

    const refused = await createChannel({ kind: 'wecom', baseUrl: await refusedBase(), robotKey: key }).send(message());
    expect(refused).toMatchObject({ ok: false, retryable: true });
    expect(refused.error).toMatch(/ECONNREFUSED/);
  });

  it('times out a robot that never answers, as retryable', async () => {
    rx.reply = () => 'hang';
    const result = await createChannel({ kind: 'wecom', baseUrl: rx.base, robotKey: key, timeoutMs: 300 }).send(message());
    expect(result).toMatchObject({ ok: false, retryable: true, error: 'no answer within 300 ms' });
  });

  it('refuses to send without a robot key, before any request', async () => {
    expect(await createChannel({ kind: 'wecom', baseUrl: rx.base }).send(message())).toMatchObject({ ok: false, retryable: false });
    expect(rx.requests).toHaveLength(0);
  });
});

describe('DingTalk robot', () => {
  const token = 'b5f4e3d2c1a0b5f4e3d2c1a0b5f4e3d2c1a0';
  const clock = () => 1_764_216_000_123;
  const rx = suiteReceiver();

  it('signs the request: sign = URL-encoded base64 HMAC-SHA256 of timestamp + "\\n" + secret', async () => {
    const channel = createChannel({ kind: 'dingtalk', baseUrl: rx.base, accessToken: token, secret: SECRET }, { clock });
    const m = message();
    expect(await channel.send(m)).toMatchObject({ ok: true });
    const [req] = rx.requests;
    expect(req.url.pathname).toBe('/robot/send');
    expect(req.url.searchParams.get('access_token')).toBe(token);
    expect(req.url.searchParams.get('timestamp')).toBe('1764216000123');
    const expected = createHmac('sha256', SECRET).update(`1764216000123\n${SECRET}`).digest('base64');
    expect(req.url.searchParams.get('sign')).toBe(expected);
    expect(req.url.search).toContain(`&sign=${encodeURIComponent(expected)}`);
    expect(req.text).toBe(JSON.stringify({ msgtype: 'markdown', markdown: { title: m.title, text: `### ${m.title}\n${m.body}` } }));
  });

  it('uses a contact robot with its own secret, and will not send unsigned', async () => {
    const channel = createChannel({ kind: 'dingtalk', baseUrl: rx.base }, { clock });
    await channel.send(message({ recipient: { robotKey: 'vendor-robot-token-01', robotSecret: 'SECvendor' } }));
    const sign = createHmac('sha256', 'SECvendor').update(`1764216000123\nSECvendor`).digest('base64');
    expect(rx.requests[0].url.searchParams.get('access_token')).toBe('vendor-robot-token-01');
    expect(rx.requests[0].url.searchParams.get('sign')).toBe(sign);

    expect(await channel.send(message({ recipient: { robotKey: 'vendor-robot-token-01' } }))).toMatchObject({ ok: false, retryable: false });
    expect(rx.requests).toHaveLength(1);
  });

  it('reports 130101 as rate limited and retryable, 500 retryable, 400 permanent, refused retryable', async () => {
    const channel = createChannel({ kind: 'dingtalk', baseUrl: rx.base, accessToken: token, secret: SECRET }, { clock });
    rx.reply = () => ({ status: 200, body: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } });
    expect(await channel.send(message())).toMatchObject({ ok: false, retryable: true, rateLimited: true });
    rx.reply = () => ({ status: 200, body: { errcode: 310000, errmsg: 'sign not match' } });
    expect(await channel.send(message())).toMatchObject({ ok: false, retryable: false, error: 'errcode 310000: sign not match' });
    rx.reply = () => ({ status: 502, body: 'bad gateway' });
    expect(await channel.send(message())).toMatchObject({ ok: false, retryable: true });
    rx.reply = () => ({ status: 400, body: {} });
    expect(await channel.send(message())).toMatchObject({ ok: false, retryable: false });
    const refused = await createChannel({ kind: 'dingtalk', baseUrl: await refusedBase(), accessToken: token, secret: SECRET }).send(message());
    expect(refused).toMatchObject({ ok: false, retryable: true });
    expect(refused.error).toMatch(/ECONNREFUSED/);
  });

  it('keeps the request body within 20000 bytes, escapes included', async () => {
    const channel = createChannel({ kind: 'dingtalk', baseUrl: rx.base, accessToken: token, secret: SECRET }, { clock });
    await channel.send(message({ body: '"引号"与\n换行\\'.repeat(3000) }));
    expect(rx.requests[0].raw.length).toBeLessThanOrEqual(20_000);
    expect(rx.requests[0].raw.length).toBeGreaterThan(19_000);
    const text = (JSON.parse(rx.requests[0].text) as { markdown: { text: string } }).markdown.text;
    expect(text.endsWith(TRUNCATION_MARKER)).toBe(true);
  });
});

// ---------- SMS gateway ----------

describe('SMS through an HTTP gateway', () => {
  const rx = suiteReceiver(() => ({ status: 200, body: { code: 'OK', data: { bizId: 'biz-778899' } } }));

  const hostile = message({ title: '【超时】"PACS" 告警', body: '路径 C:\\pacs\\data 写满\n第二行 {{phone}} & <b>' });

  it('fills the JSON template with JSON-escaped values and checks the answer', async () => {
    rx.reply = () => ({ status: 200, body: { code: 'OK', data: { bizId: 'biz-778899' } } });
    const channel = createChannel({
      kind: 'sms',
      url: `${rx.base}/sms/send`,
      bodyTemplate: '{"mobile":"{{phone}}","content":"{{text}}","sign":"某医院信息科","ref":"{{idempotencyKey}}"}',
      headers: { Authorization: 'Bearer sms-token-123' },
      success: { path: 'code', equals: 'OK' },
      messageIdPath: 'data.bizId',
    });
    const result = await channel.send({ ...hostile, recipient: { phone: '+86 13812345678' } });
    expect(result).toMatchObject({ ok: true, retryable: false, providerMessageId: 'biz-778899' });
    const [req] = rx.requests;
    expect(req.method).toBe('POST');
    expect(req.url.pathname).toBe('/sms/send');
    expect(req.headers.authorization).toBe('Bearer sms-token-123');
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(req.text)).toEqual({
      mobile: '13812345678',
      content: `${hostile.title}\n${hostile.body}`,
      sign: '某医院信息科',
      ref: hostile.idempotencyKey,
    });
    expect(req.text).toContain('C:\\\\pacs\\\\data');
    expect(req.text).toContain('\\"PACS\\"');

    rx.reply = () => ({ status: 200, body: { code: 'isv.BUSINESS_LIMIT_CONTROL', message: '触发分钟级流控' } });
    expect(await channel.send(hostile)).toMatchObject({ ok: false, retryable: false, error: 'the gateway answered code=isv.BUSINESS_LIMIT_CONTROL, expected OK' });
  });

  it('sends a GET gateway its values URL-encoded in the query, and a form body form-encoded', async () => {
    rx.reply = () => ({ status: 200, body: 'OK' });
    const get = createChannel({ kind: 'sms', method: 'GET', url: `${rx.base}/send?to={{phone}}&msg={{text}}&user=wardline` });
    expect(await get.send(hostile)).toMatchObject({ ok: true });
    expect(rx.requests[0].method).toBe('GET');
    expect(rx.requests[0].url.searchParams.get('to')).toBe('13812345678');
    expect(rx.requests[0].url.searchParams.get('msg')).toBe(`${hostile.title}\n${hostile.body}`);
    expect(rx.requests[0].url.searchParams.get('user')).toBe('wardline');

    const form = createChannel({ kind: 'sms', url: `${rx.base}/form`, contentType: 'form', bodyTemplate: 'to={{phone}}&msg={{text}}' });
    expect(await form.send(hostile)).toMatchObject({ ok: true });
    expect(rx.requests[1].headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
    expect(Object.fromEntries(new URLSearchParams(rx.requests[1].text))).toEqual({ to: '13812345678', msg: `${hostile.title}\n${hostile.body}` });
  });

  it('cuts long text, refuses non-mobile numbers, and classifies 503 and 401', async () => {
    const channel = createChannel({ kind: 'sms', url: `${rx.base}/sms`, bodyTemplate: '{"m":"{{phone}}","t":"{{text}}"}', maxTextChars: 70 });
    await channel.send(message({ body: '长'.repeat(200) }));
    const t = (JSON.parse(rx.requests[0].text) as { t: string }).t;
    expect(Array.from(t)).toHaveLength(70);
    expect(t.endsWith('…')).toBe(true);

    expect(await channel.send(message({ recipient: { phone: '010-62345678' } }))).toMatchObject({ ok: false, retryable: false });
    expect(await channel.send(message({ recipient: {} }))).toMatchObject({ ok: false, retryable: false, error: 'the recipient has no phone number' });
    expect(rx.requests).toHaveLength(1);

    rx.reply = () => ({ status: 503, body: 'maintenance' });
    expect(await channel.send(message())).toMatchObject({ ok: false, retryable: true });
    rx.reply = () => ({ status: 401, body: 'bad token' });
    expect(await channel.send(message())).toMatchObject({ ok: false, retryable: false });
    const refused = await createChannel({ kind: 'sms', url: `${await refusedBase()}/sms`, bodyTemplate: '{"t":"{{text}}"}' }).send(message());
    expect(refused).toMatchObject({ ok: false, retryable: true });
    expect(refused.error).toMatch(/ECONNREFUSED/);
  });
});

// ---------- generic webhook ----------

describe('generic signed webhook', () => {
  const now = Date.parse('2026-11-27T01:02:03.456Z');
  const rx = suiteReceiver(() => ({ status: 200, body: { received: true } }));
  // The receivers listen on loopback, which webhooks may reach only when allowed (test/webhook-ssrf.test.ts).
  const LOOPBACK = ['127.0.0.1'];

  it('posts the JSON body with an HMAC-SHA256 signature of the raw bytes, a timestamp and the idempotency key', async () => {
    const channel = createChannel({ kind: 'webhook', url: `${rx.base}/hooks/wardline`, secret: SECRET, headers: { 'X-Site': 'main-campus' }, allowDestinations: LOOPBACK }, { clock: () => now });
    const m = message();
    expect(await channel.send(m)).toMatchObject({ ok: true, retryable: false, providerResponse: 'HTTP 200 {"received":true}' });
    const [req] = rx.requests;
    expect(req.url.pathname).toBe('/hooks/wardline');
    expect(req.text).toBe(JSON.stringify({ idempotencyKey: m.idempotencyKey, title: m.title, body: m.body, sentAt: '2026-11-27T01:02:03.456Z' }));
    const expected = `sha256=${createHmac('sha256', SECRET).update(req.raw).digest('hex')}`;
    expect(req.headers['x-wardline-signature']).toBe(expected);
    expect(req.headers['x-wardline-timestamp']).toBe(String(now));
    expect(req.headers['idempotency-key']).toBe(m.idempotencyKey);
    expect(req.headers['x-site']).toBe('main-campus');
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8');

    // A receiver holding another secret computes a different signature.
    expect(`sha256=${createHmac('sha256', 'another-secret-0000').update(req.raw).digest('hex')}`).not.toBe(expected);
  });

  it('sends to the recipient URL when there is one', async () => {
    const channel = createChannel({ kind: 'webhook', secret: SECRET, allowDestinations: LOOPBACK }, { clock: () => now });
    expect(await channel.send(message({ recipient: { webhookUrl: `${rx.base}/vendor/mijian` } }))).toMatchObject({ ok: true });
    expect(rx.requests[0].url.pathname).toBe('/vendor/mijian');
    expect(await channel.send(message({ recipient: {} }))).toMatchObject({ ok: false, retryable: false });
    expect(await channel.send(message({ recipient: { webhookUrl: 'ftp://x.example/' } }))).toMatchObject({ ok: false, retryable: false });
  });

  it('treats 2xx as delivered, 429 and 5xx as retryable, other 4xx and redirects as permanent', async () => {
    const channel = createChannel({ kind: 'webhook', url: rx.base, secret: SECRET, allowDestinations: LOOPBACK });
    const cases: [number, Partial<DeliveryResult>][] = [
      [202, { ok: true }],
      [429, { ok: false, retryable: true, rateLimited: true }],
      [500, { ok: false, retryable: true }],
      [503, { ok: false, retryable: true }],
      [400, { ok: false, retryable: false }],
      [404, { ok: false, retryable: false }],
      [410, { ok: false, retryable: false }],
      [302, { ok: false, retryable: false }],
    ];
    for (const [status, expected] of cases) {
      rx.reply = () => ({ status, body: {} });
      expect({ status, result: await channel.send(message()) }).toMatchObject({ status, result: expected });
    }
    const refused = await createChannel({ kind: 'webhook', url: await refusedBase(), secret: SECRET, allowDestinations: LOOPBACK }).send(message());
    expect(refused).toMatchObject({ ok: false, retryable: true });
    expect(refused.error).toMatch(/ECONNREFUSED/);
  });
});
