import { describe, expect, it } from '@jest/globals';
import { DEFAULT_EMAIL_TIMEOUT_MS } from '../src/adapters/notify/email';
import { DEFAULT_HTTP_TIMEOUT_MS } from '../src/adapters/notify/http';
import { checkChannelTimeouts, createChannels, loadNotifyConfig } from '../src/infra/notify-config';
import { SEND_DELIVERY_OPTIONS } from '../src/workflows/notify';
import { SEND_ROBOT_BATCH_OPTIONS } from '../src/workflows/robot-outbox.workflow';

/**
 * Every adapter gives up before the activity that calls it does (issue 9). An adapter that outlives its activity
 * leaves the delivery `sending` → `unconfirmed` on the retry, with no fallback to the next channel. Both sides are
 * read from the code and the configuration, so raising one without the other fails here.
 */
describe('adapter timeouts are shorter than their activities', () => {
  /** Time the activity needs besides the provider call: render, database rows before and after. */
  const HEADROOM_MS = 3_000;
  const everyChannel = createChannels(
    loadNotifyConfig({
      WARDLINE_SMTP_HOST: '127.0.0.1',
      WARDLINE_SMTP_PORT: '2525',
      WARDLINE_SMTP_FROM: 'Wardline <wardline@hospital.example.cn>',
      WARDLINE_SMS_URL: 'http://127.0.0.1:9/sms',
      WARDLINE_WEBHOOK_SECRET: 'a-webhook-secret-0123456789',
    }),
  );
  /** Which activity calls which channel: robots go through their outbox's batch, the rest are sent directly. */
  const callers: Record<string, { activity: string; timeoutMs: number }> = {
    email: { activity: 'sendDelivery', timeoutMs: SEND_DELIVERY_OPTIONS.startToCloseTimeout },
    sms: { activity: 'sendDelivery', timeoutMs: SEND_DELIVERY_OPTIONS.startToCloseTimeout },
    webhook: { activity: 'sendDelivery', timeoutMs: SEND_DELIVERY_OPTIONS.startToCloseTimeout },
    wecom: { activity: 'sendRobotBatch', timeoutMs: SEND_ROBOT_BATCH_OPTIONS.startToCloseTimeout },
    dingtalk: { activity: 'sendRobotBatch', timeoutMs: SEND_ROBOT_BATCH_OPTIONS.startToCloseTimeout },
  };

  it('each configured channel, with its default timeout, ends well inside the activity that calls it', () => {
    const names = Object.keys(everyChannel).sort();
    expect(names).toEqual(['dingtalk', 'email', 'sms', 'webhook', 'wecom']);
    const rows = names.map((name) => {
      const channel = everyChannel[name as keyof typeof everyChannel]!;
      const caller = callers[name];
      return { name, adapterMs: channel.timeoutMs, activity: caller.activity, activityMs: caller.timeoutMs, fits: channel.timeoutMs + HEADROOM_MS <= caller.timeoutMs };
    });
    expect(rows.filter((r) => !r.fits)).toEqual([]);
    // The defaults the adapters fall back on are the ones read above.
    expect(everyChannel.email!.timeoutMs).toBe(DEFAULT_EMAIL_TIMEOUT_MS);
    expect(everyChannel.webhook!.timeoutMs).toBe(DEFAULT_HTTP_TIMEOUT_MS);
  });

  it('refuses a channel configured with a timeout the activity cannot wait for', () => {
    const slow = createChannels(loadNotifyConfig({ WARDLINE_WEBHOOK_SECRET: 'a-webhook-secret-0123456789' }));
    expect(() => checkChannelTimeouts(slow)).not.toThrow();
    const webhook = slow.webhook!;
    const tooSlow = { ...slow, webhook: { kind: webhook.kind, timeoutMs: 30_000, send: webhook.send.bind(webhook) } };
    expect(() => checkChannelTimeouts(tooSlow)).toThrow(/webhook\.timeoutMs/);
  });
});
