import { CHANNEL_KINDS, ChannelConfigError, ChannelErrorCode, type ChannelKind, type NotificationChannel } from './channel';
import { DingtalkChannel, type DingtalkChannelConfig } from './dingtalk';
import { EmailChannel, type EmailChannelConfig } from './email';
import { SmsChannel, type SmsChannelConfig } from './sms';
import { requireObject } from './validate';
import { WebhookChannel, type WebhookChannelConfig } from './webhook';
import { WecomChannel, type WecomChannelConfig } from './wecom';

export * from './channel';
export { DingtalkChannel, dingtalkSign, DINGTALK_BODY_MAX_BYTES, DINGTALK_DEFAULT_BASE_URL, DINGTALK_RATE_LIMITED } from './dingtalk';
export type { DingtalkChannelConfig } from './dingtalk';
export { EmailChannel, IDEMPOTENCY_HEADER } from './email';
export type { EmailChannelConfig } from './email';
export { DIGEST_MIN_BYTES, digestCapacity, foldIntoDigest } from './digest';
export type { DigestMessage } from './digest';
export { ROBOT_MESSAGES_PER_MINUTE } from './robot';
export { SmsChannel } from './sms';
export type { SmsChannelConfig, SmsContentType } from './sms';
export { TRUNCATION_MARKER, truncateUtf8, utf8Bytes } from './text';
export { isMobilePhone, isValidEmail, isValidPhone, isValidRobotKey, isValidWebhookUrl, normalizeMobile } from './validate';
export { WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, WebhookChannel, webhookSignature } from './webhook';
export type { WebhookChannelConfig, WebhookPayload } from './webhook';
export { WECOM_DEFAULT_BASE_URL, WECOM_MARKDOWN_MAX_BYTES, WECOM_RATE_LIMITED, WECOM_TEXT_MAX_BYTES, WecomChannel } from './wecom';
export type { WecomChannelConfig } from './wecom';

export type ChannelConfig = EmailChannelConfig | WecomChannelConfig | DingtalkChannelConfig | SmsChannelConfig | WebhookChannelConfig;

/** What a channel needs besides its configuration; tests inject the clock. */
export interface ChannelDeps {
  clock?: () => number;
}

/**
 * Builds the driver a configuration names. Configuration often comes from JSON or the environment, so it is
 * checked at run time too: a bad value throws a ChannelConfigError naming the field (`wecom.baseUrl`, `sms.url`, …).
 */
export function createChannel(config: ChannelConfig, deps: ChannelDeps = {}): NotificationChannel {
  const kind = requireObject(config, 'channel').kind as ChannelKind;
  switch (kind) {
    case 'email':
      return new EmailChannel(config as EmailChannelConfig);
    case 'wecom':
      return new WecomChannel(config as WecomChannelConfig);
    case 'dingtalk':
      return new DingtalkChannel(config as DingtalkChannelConfig, deps.clock);
    case 'sms':
      return new SmsChannel(config as SmsChannelConfig);
    case 'webhook':
      return new WebhookChannel(config as WebhookChannelConfig, deps.clock);
    default: {
      const unknown: never = kind;
      throw new ChannelConfigError(ChannelErrorCode.UnknownKind, 'channel.kind', `must be one of ${CHANNEL_KINDS.join(', ')}, got ${JSON.stringify(unknown)}`);
    }
  }
}
