import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createChannel, OutboundMessage } from '../src/adapters/notify';
import { loadNotifyConfig } from '../src/infra/notify-config';
import { TestPlatform, TestUser, startPlatform } from './support/platform';
import { suiteReceiver } from './support/receivers';
import { waitUntil } from './support/workflow-input';

const SECRET = 'webhook-secret-for-ssrf-tests-0123';
const message = (webhookUrl?: string): OutboundMessage => ({
  title: '【工单】INC-20261127-0001',
  body: '放射科PACS/RIS系统：影像无法调阅',
  idempotencyKey: 'incident-1:opened:user:webhook',
  recipient: webhookUrl ? { webhookUrl } : {},
});

/**
 * Issue 9, SSRF: anyone may type a webhook URL, so the worker posts only to public addresses unless an administrator
 * allows more (WARDLINE_WEBHOOK_ALLOW), checking the addresses a name resolves to when the URL is saved and again on
 * the connection itself. A receiver on loopback stands for the internal service an attacker would aim at.
 */
describe('webhooks may not be aimed inside the network', () => {
  const rx = suiteReceiver(() => ({ status: 200, body: { secret: 'internal data' } }));
  const port = () => new URL(rx.base).port;

  it('refuses loopback, link-local, private and IPv4-in-IPv6 destinations, by address or by name, and sends nothing', async () => {
    const channel = createChannel({ kind: 'webhook', secret: SECRET });
    const targets = [
      `${rx.base}/hook`,
      `http://localhost:${port()}/hook`,
      `http://[::1]:${port()}/hook`,
      `http://[::ffff:127.0.0.1]:${port()}/hook`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/hook',
      'http://192.168.1.10:8080/hook',
    ];
    for (const url of targets) {
      const result = await channel.send(message(url));
      expect({ url, ok: result.ok, retryable: result.retryable, refused: result.providerResponse.startsWith('not sent: destination refused') }).toEqual({
        url,
        ok: false,
        retryable: false,
        refused: true,
      });
    }
    expect(rx.requests).toHaveLength(0);
  });

  it('posts where an administrator allows it, and keeps at most a short answer', async () => {
    const allowed = createChannel({ kind: 'webhook', secret: SECRET, allowDestinations: ['127.0.0.0/8'] });
    expect(await allowed.send(message(`http://localhost:${port()}/hook`))).toMatchObject({ ok: true });
    rx.reply = () => ({ status: 200, body: 'x'.repeat(100_000) });
    const big = await allowed.send(message(`${rx.base}/hook`));
    expect(big.ok).toBe(true);
    expect(big.providerResponse.length).toBeLessThanOrEqual(2001);
    expect(rx.requests).toHaveLength(2);
  });

  describe('through the API and the worker', () => {
    let p: TestPlatform;
    let engineer: TestUser;
    let dispatcher: TestUser;

    beforeAll(async () => {
      // A webhook channel, and no allow-list: only public destinations.
      p = await startPlatform({ config: { notify: loadNotifyConfig({ WARDLINE_WEBHOOK_SECRET: SECRET, WARDLINE_WECOM_ENABLED: 'false', WARDLINE_DINGTALK_ENABLED: 'false' }) } });
      engineer = await p.user(['engineer'], '李工');
      dispatcher = await p.user(['dispatcher'], '王调度');
    });
    afterAll(() => p?.stop());

    it('refuses a webhook URL aimed inside when it is saved, for people and for vendor contacts', async () => {
      for (const url of [`${rx.base}/hook`, 'http://169.254.169.254/latest/meta-data/', `http://localhost:${port()}/`, 'http://[::1]/']) {
        const mine = await p.call('PUT', `/users/${engineer.id}/channels`, engineer.token, { channels: ['webhook'], webhookUrl: url });
        expect({ url, status: mine.status, field: mine.body.errors?.[0]?.field }).toEqual({ url, status: 400, field: 'webhookUrl' });
      }
      const vendor = await p.call('POST', '/vendors', p.adminToken, { name: '某厂商', systems: ['SYS-05'] });
      const contact = await p.call('POST', `/vendors/${vendor.body.id}/contacts`, p.adminToken, { name: '张工', role: '支持', level: 1, webhookUrl: 'http://10.0.0.7/hook' });
      expect(contact.status).toBe(400);
      expect(contact.body.errors[0].field).toBe('webhookUrl');
    });

    it('checks again when sending (a name may resolve elsewhere later), and nobody but an administrator reads a provider\'s answer', async () => {
      // As if the name had pointed somewhere public when it was saved: the row is written directly.
      await p.ds.query(
        `INSERT INTO user_channels (user_id, channels, webhook_url) VALUES ($1, '{webhook}', $2)
         ON CONFLICT (user_id) DO UPDATE SET channels = EXCLUDED.channels, webhook_url = EXCLUDED.webhook_url`,
        [engineer.id, `http://localhost:${port()}/internal`],
      );
      const opened = await p.call('POST', '/incidents', dispatcher.token, {
        systemId: 'SYS-05',
        title: '系统无法登录',
        description: 'd',
        reporter: { name: '李护士长', department: '放射科', phone: '8021' },
        priority: 'P3',
        channel: 'phone',
        assigneeId: engineer.id,
      });
      expect(opened.status).toBe(201);
      const failed = await waitUntil('the refused webhook delivery', async () => {
        const [row] = await p.ds.query(`SELECT status, last_error FROM notification_deliveries WHERE incident_id = $1 AND channel = 'webhook' AND recipient_id = $2`, [opened.body.id, engineer.id]);
        return row?.status === 'failed' ? row : null;
      });
      expect(failed.last_error).toContain('destination refused');
      expect(rx.requests).toHaveLength(0);
      // The message still reaches the engineer in Wardline.
      await waitUntil('the in-app fallback', async () => (await p.ds.query(`SELECT 1 FROM notifications WHERE incident_id = $1 AND recipient_id = $2`, [opened.body.id, engineer.id])).length > 0);

      const asStaff = await p.call('GET', `/notifications?incident=${opened.body.number}`, dispatcher.token);
      expect(asStaff.body.items.length).toBeGreaterThan(0);
      expect(asStaff.body.items.every((d: any) => !('providerResponse' in d))).toBe(true);
      const asAdmin = await p.call('GET', `/notifications?incident=${opened.body.number}&channel=webhook`, p.adminToken);
      expect(asAdmin.body.items[0].providerResponse).toContain('destination refused');
    });
  });
});
