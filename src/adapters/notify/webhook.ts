import { createHmac } from 'node:crypto';
import { ChannelKind, clip, DeliveryResult, invalidConfig, NotificationChannel, OutboundMessage, rejectedLocally } from './channel';
import { DestinationPolicy } from './destination';
import { DEFAULT_HTTP_TIMEOUT_MS, guardedHttpRequest, httpFailure, JSON_HEADERS } from './http';
import { headerSafe } from './text';
import { isValidWebhookUrl, optionalHeaders, optionalInteger, requireHttpUrl, requireString } from './validate';

export const WEBHOOK_SIGNATURE_HEADER = 'x-wardline-signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'x-wardline-timestamp';
export const WEBHOOK_MIN_SECRET_LENGTH = 16;

export interface WebhookChannelConfig {
  kind: 'webhook';
  /** Where to post when the message's recipient has no `webhookUrl` of its own. */
  url?: string;
  /** Shared secret for X-Wardline-Signature; at least 16 characters. */
  secret: string;
  /** Extra headers, e.g. an Authorization the receiver wants. */
  headers?: Record<string, string>;
  timeoutMs?: number;
  /**
   * Non-public addresses or CIDR ranges webhooks may reach (WARDLINE_WEBHOOK_ALLOW), e.g. the hospital's intranet.
   * Without them only public unicast addresses are posted to: webhook URLs are typed by users (SSRF).
   */
  allowDestinations?: string[];
}

/** The JSON a receiver gets. `sentAt` is ISO 8601 and, like everything in the body, covered by the signature. */
export interface WebhookPayload {
  idempotencyKey: string;
  title: string;
  body: string;
  sentAt: string;
}

/** `sha256=` + hex HMAC-SHA256 of the raw request body: what a receiver recomputes to trust a request. */
export function webhookSignature(rawBody: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

/** Generic signed webhook: 2xx delivered, 408/429/5xx retryable, other 4xx permanent. */
export class WebhookChannel implements NotificationChannel {
  readonly kind: ChannelKind = 'webhook';
  private readonly url: string | undefined;
  private readonly secret: string;
  private readonly headers: Record<string, string>;
  readonly timeoutMs: number;
  private readonly destinations: DestinationPolicy;

  constructor(
    config: WebhookChannelConfig,
    private readonly clock: () => number = Date.now,
  ) {
    this.url = config.url === undefined ? undefined : requireHttpUrl(config.url, 'webhook.url');
    this.secret = requireString(config.secret, 'webhook.secret');
    if (this.secret.length < WEBHOOK_MIN_SECRET_LENGTH) {
      throw invalidConfig('webhook.secret', `must be at least ${WEBHOOK_MIN_SECRET_LENGTH} characters`);
    }
    this.headers = optionalHeaders(config.headers, 'webhook.headers');
    this.timeoutMs = optionalInteger(config.timeoutMs, 'webhook.timeoutMs', DEFAULT_HTTP_TIMEOUT_MS, 100, 300_000);
    this.destinations = { allow: config.allowDestinations ?? [] };
  }

  async send(message: OutboundMessage): Promise<DeliveryResult> {
    const url = message.recipient.webhookUrl ?? this.url;
    if (!url) return rejectedLocally('no webhook URL: set webhook.url or recipient.webhookUrl');
    if (!isValidWebhookUrl(url)) return rejectedLocally('the recipient webhook URL is not an http(s) URL');
    const now = this.clock();
    const payload: WebhookPayload = { idempotencyKey: message.idempotencyKey, title: message.title, body: message.body, sentAt: new Date(now).toISOString() };
    const raw = JSON.stringify(payload);
    const request = {
      method: 'POST' as const,
      url,
      headers: {
        ...this.headers,
        ...JSON_HEADERS,
        [WEBHOOK_SIGNATURE_HEADER]: webhookSignature(raw, this.secret),
        [WEBHOOK_TIMESTAMP_HEADER]: String(now),
        'idempotency-key': headerSafe(message.idempotencyKey),
      },
      body: raw,
      timeoutMs: this.timeoutMs,
    };
    const outcome = await guardedHttpRequest(request, this.destinations);
    // A destination Wardline may not reach is a permanent failure: nothing was sent.
    if (outcome.kind === 'refused') return rejectedLocally(outcome.error);
    const failure = httpFailure(outcome);
    if (failure) return failure;
    const answer = outcome.kind === 'response' ? `HTTP ${outcome.status} ${outcome.text}`.trim() : '';
    return { ok: true, retryable: false, providerResponse: clip(answer) };
  }
}
