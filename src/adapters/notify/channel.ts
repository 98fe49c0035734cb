/** The port every outbound notification channel implements (STYLE.md: one interface, drivers chosen by config). */
export type ChannelKind = 'email' | 'wecom' | 'dingtalk' | 'sms' | 'webhook';

export const CHANNEL_KINDS: readonly ChannelKind[] = ['email', 'wecom', 'dingtalk', 'sms', 'webhook'];

export interface OutboundRecipient {
  name?: string;
  email?: string;
  phone?: string;
  webhookUrl?: string;
  /** WeCom robot key or DingTalk access token; overrides the channel's configured robot. */
  robotKey?: string;
  /** DingTalk signing secret that belongs with `robotKey`. */
  robotSecret?: string;
}

export interface OutboundMessage {
  title: string;
  /** Plain text, lines separated by "\n". */
  body: string;
  /** The whole rendered markdown (title included) for robot channels; without it they build one from title and body. */
  markdown?: string;
  /** Stable per (process, event, recipient, channel): retries and replays reuse it. */
  idempotencyKey: string;
  recipient: OutboundRecipient;
}

export interface DeliveryResult {
  ok: boolean;
  providerMessageId?: string;
  /** The provider's answer as received (truncated), or a description of the failure when there was none. */
  providerResponse: string;
  /** True when the same message may succeed later: network errors, timeouts, 5xx, rate limits. */
  retryable: boolean;
  rateLimited?: boolean;
  error?: string;
}

/** `send` never rejects: every failure comes back as a DeliveryResult so the caller can record it and fall back. */
export interface NotificationChannel {
  kind: ChannelKind;
  /** The longest one send() may take; kept under the calling activity's timeout (infra/notify-config checks it). */
  readonly timeoutMs: number;
  send(message: OutboundMessage): Promise<DeliveryResult>;
}

export enum ChannelErrorCode {
  /** A configuration value is missing or malformed; retrying cannot help. */
  InvalidConfig = 'CHANNEL_INVALID_CONFIG',
  UnknownKind = 'CHANNEL_UNKNOWN_KIND',
}

/** Raised while building a channel, never while sending; `field` names the offending setting, e.g. `wecom.baseUrl`. */
export class ChannelConfigError extends Error {
  constructor(
    readonly code: ChannelErrorCode,
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'ChannelConfigError';
  }
}

export function invalidConfig(field: string, reason: string): ChannelConfigError {
  return new ChannelConfigError(ChannelErrorCode.InvalidConfig, field, reason);
}

/** A failure found before anything was sent (no recipient address, say): permanent, nothing reached the provider. */
export function rejectedLocally(reason: string): DeliveryResult {
  return { ok: false, retryable: false, providerResponse: `not sent: ${reason}`, error: reason };
}

/** How much of a provider's answer a DeliveryResult keeps. */
export const PROVIDER_RESPONSE_MAX_CHARS = 2000;

export function clip(text: string, max = PROVIDER_RESPONSE_MAX_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
