import { createHmac } from 'node:crypto';
import { ChannelKind, DeliveryResult, invalidConfig, NotificationChannel, OutboundMessage, rejectedLocally } from './channel';
import { DEFAULT_HTTP_TIMEOUT_MS, httpRequest, JSON_HEADERS } from './http';
import { defaultMarkdown, robotResult } from './robot';
import { truncateUtf8, utf8Bytes } from './text';
import { isValidRobotKey, optionalHttpUrl, optionalInteger, optionalRobotKey, optionalString } from './validate';

export const DINGTALK_DEFAULT_BASE_URL = 'https://oapi.dingtalk.com';
export const DINGTALK_RATE_LIMITED = 130101;
/** DingTalk refuses a request body over 20000 bytes ("body 大小不合法"). */
export const DINGTALK_BODY_MAX_BYTES = 20_000;

export interface DingtalkChannelConfig {
  kind: 'dingtalk';
  /** Default https://oapi.dingtalk.com. */
  baseUrl?: string;
  /** The robot's access_token; a message's `recipient.robotKey` overrides it. */
  accessToken?: string;
  /** The robot's 加签 secret (SEC…); required with `accessToken`, and `recipient.robotSecret` goes with `recipient.robotKey`. */
  secret?: string;
  /** Largest request body in bytes, default 20000; the markdown text is cut to keep the body within it. */
  maxBytes?: number;
  timeoutMs?: number;
}

/** S = URL-encoded base64 HMAC-SHA256(key = secret, message = timestamp + "\n" + secret). */
export function dingtalkSign(timestampMs: number, secret: string): string {
  const digest = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
  return encodeURIComponent(digest);
}

/** DingTalk custom robot (钉钉自定义机器人) with signing: POST /robot/send?access_token=…&timestamp=T&sign=S. */
export class DingtalkChannel implements NotificationChannel {
  readonly kind: ChannelKind = 'dingtalk';
  private readonly baseUrl: string;
  private readonly accessToken: string | undefined;
  private readonly secret: string | undefined;
  private readonly maxBytes: number;
  readonly timeoutMs: number;

  constructor(
    config: DingtalkChannelConfig,
    private readonly clock: () => number = Date.now,
  ) {
    this.baseUrl = optionalHttpUrl(config.baseUrl, 'dingtalk.baseUrl', DINGTALK_DEFAULT_BASE_URL);
    this.accessToken = optionalRobotKey(config.accessToken, 'dingtalk.accessToken');
    this.secret = optionalString(config.secret, 'dingtalk.secret');
    if (this.accessToken && !this.secret) throw invalidConfig('dingtalk.secret', 'is required with dingtalk.accessToken (the robot must use 加签 signing)');
    this.maxBytes = optionalInteger(config.maxBytes, 'dingtalk.maxBytes', DINGTALK_BODY_MAX_BYTES, 512, 1_000_000);
    this.timeoutMs = optionalInteger(config.timeoutMs, 'dingtalk.timeoutMs', DEFAULT_HTTP_TIMEOUT_MS, 100, 300_000);
  }

  /** The exact JSON body sent for a message: the text is cut until the whole body, escapes included, fits. */
  payload(message: OutboundMessage): string {
    const title = truncateUtf8(message.title, 256);
    const markdown = defaultMarkdown(message);
    let budget = this.maxBytes;
    for (;;) {
      const body = JSON.stringify({ msgtype: 'markdown', markdown: { title, text: truncateUtf8(markdown, budget) } });
      const overshoot = utf8Bytes(body) - this.maxBytes;
      if (overshoot <= 0 || budget <= 0) return body;
      budget = Math.max(0, budget - overshoot);
    }
  }

  async send(message: OutboundMessage): Promise<DeliveryResult> {
    const fromRecipient = message.recipient.robotKey !== undefined;
    const token = fromRecipient ? message.recipient.robotKey : this.accessToken;
    const secret = fromRecipient ? message.recipient.robotSecret : this.secret;
    if (!token) return rejectedLocally('no DingTalk access token: set dingtalk.accessToken or recipient.robotKey');
    if (!isValidRobotKey(token)) return rejectedLocally('the DingTalk access token has characters a token cannot have');
    if (!secret) return rejectedLocally('no DingTalk signing secret for this robot: set recipient.robotSecret');
    const timestamp = this.clock();
    const url = `${this.baseUrl}/robot/send?access_token=${encodeURIComponent(token)}&timestamp=${timestamp}&sign=${dingtalkSign(timestamp, secret)}`;
    const outcome = await httpRequest({ method: 'POST', url, headers: JSON_HEADERS, body: this.payload(message), timeoutMs: this.timeoutMs });
    return robotResult(outcome, DINGTALK_RATE_LIMITED);
  }
}
