import type { NotificationChannel } from '../adapters/notify/channel';
import { DingtalkChannel, DingtalkChannelConfig } from '../adapters/notify/dingtalk';
import { EmailChannel, EmailChannelConfig } from '../adapters/notify/email';
import { SmsChannel, SmsChannelConfig } from '../adapters/notify/sms';
import { WebhookChannel, WebhookChannelConfig } from '../adapters/notify/webhook';
import { parseAllowList } from '../adapters/notify/destination';
import { WecomChannel, WecomChannelConfig } from '../adapters/notify/wecom';
import { ROBOT_MESSAGES_PER_MINUTE } from '../adapters/notify/robot';
import { invalidInput } from '../domain/errors';
import { CHANNEL_TIMEOUT_LIMIT_MS, SEND_DELIVERY_TIMEOUT_MS } from '../shared/notify-messages';

/** Outbound channels as configuration; a channel that is not configured is skipped (in-app always works). */
export interface NotifyConfig {
  email?: EmailChannelConfig;
  wecom?: WecomChannelConfig;
  dingtalk?: DingtalkChannelConfig;
  sms?: SmsChannelConfig;
  webhook?: WebhookChannelConfig;
  robotLimit: { limit: number; windowMs: number };
  /**
   * Non-public addresses or CIDR ranges that people's webhook URLs may point at (WARDLINE_WEBHOOK_ALLOW, comma
   * separated), checked when a URL is saved and on every send. Empty: public addresses only (SSRF).
   */
  webhookAllow: string[];
}

function json<T>(value: string | undefined, name: string): T | undefined {
  if (!value) return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    throw invalidInput(name, 'must be JSON');
  }
}

/** From the environment: SMTP, the robots' base URLs (air-gapped sites point them at a proxy), an SMS gateway, a webhook secret. */
export function loadNotifyConfig(env: NodeJS.ProcessEnv): NotifyConfig {
  const config: NotifyConfig = {
    robotLimit: { limit: Number(env.WARDLINE_ROBOT_LIMIT ?? ROBOT_MESSAGES_PER_MINUTE), windowMs: Number(env.WARDLINE_ROBOT_WINDOW_MS ?? 60_000) },
    webhookAllow: parseAllowList(env.WARDLINE_WEBHOOK_ALLOW),
  };
  if (env.WARDLINE_SMTP_HOST) {
    config.email = {
      kind: 'email',
      host: env.WARDLINE_SMTP_HOST,
      port: env.WARDLINE_SMTP_PORT ? Number(env.WARDLINE_SMTP_PORT) : undefined,
      secure: env.WARDLINE_SMTP_SECURE === 'true',
      rejectUnauthorized: env.WARDLINE_SMTP_REJECT_UNAUTHORIZED !== 'false',
      auth: env.WARDLINE_SMTP_USER ? { user: env.WARDLINE_SMTP_USER, pass: env.WARDLINE_SMTP_PASS ?? '' } : undefined,
      from: env.WARDLINE_SMTP_FROM ?? 'Wardline <wardline@localhost>',
    };
  }
  if (env.WARDLINE_WECOM_ENABLED !== 'false') config.wecom = { kind: 'wecom', baseUrl: env.WARDLINE_WECOM_BASE_URL || undefined };
  if (env.WARDLINE_DINGTALK_ENABLED !== 'false') config.dingtalk = { kind: 'dingtalk', baseUrl: env.WARDLINE_DINGTALK_BASE_URL || undefined };
  if (env.WARDLINE_SMS_URL) {
    config.sms = {
      kind: 'sms',
      url: env.WARDLINE_SMS_URL,
      method: (env.WARDLINE_SMS_METHOD as 'POST' | 'GET' | undefined) ?? 'POST',
      bodyTemplate: env.WARDLINE_SMS_BODY_TEMPLATE ?? '{"phone":"{{phone}}","text":"{{text}}"}',
      headers: json<Record<string, string>>(env.WARDLINE_SMS_HEADERS, 'WARDLINE_SMS_HEADERS'),
    };
  }
  if (env.WARDLINE_WEBHOOK_SECRET) {
    config.webhook = { kind: 'webhook', secret: env.WARDLINE_WEBHOOK_SECRET, url: env.WARDLINE_WEBHOOK_URL || undefined, allowDestinations: config.webhookAllow };
  }
  return config;
}

/** Refuses a channel whose own timeout could outlive the activity that calls it (issue 9): its delivery would be left unconfirmed. */
export function checkChannelTimeouts(channels: Partial<Record<string, NotificationChannel>>): void {
  for (const [name, channel] of Object.entries(channels)) {
    if (channel && channel.timeoutMs > CHANNEL_TIMEOUT_LIMIT_MS) {
      throw invalidInput(`${name}.timeoutMs`, `must be at most ${CHANNEL_TIMEOUT_LIMIT_MS} ms, under the ${SEND_DELIVERY_TIMEOUT_MS} ms of the activity that sends`);
    }
  }
}

export function createChannels(config: NotifyConfig): Partial<Record<'email' | 'wecom' | 'dingtalk' | 'sms' | 'webhook', NotificationChannel>> {
  const channels = {
    ...(config.email ? { email: new EmailChannel(config.email) } : {}),
    ...(config.wecom ? { wecom: new WecomChannel(config.wecom) } : {}),
    ...(config.dingtalk ? { dingtalk: new DingtalkChannel(config.dingtalk) } : {}),
    ...(config.sms ? { sms: new SmsChannel(config.sms) } : {}),
    ...(config.webhook ? { webhook: new WebhookChannel(config.webhook) } : {}),
  };
  checkChannelTimeouts(channels);
  return channels;
}
