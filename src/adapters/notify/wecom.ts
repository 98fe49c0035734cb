import { ChannelKind, DeliveryResult, invalidConfig, NotificationChannel, OutboundMessage, rejectedLocally } from './channel';
import { DEFAULT_HTTP_TIMEOUT_MS, httpRequest, JSON_HEADERS } from './http';
import { defaultMarkdown, robotResult } from './robot';
import { truncateUtf8 } from './text';
import { isValidRobotKey, optionalHttpUrl, optionalInteger, optionalRobotKey } from './validate';

export const WECOM_DEFAULT_BASE_URL = 'https://qyapi.weixin.qq.com';
export const WECOM_MARKDOWN_MAX_BYTES = 4096;
export const WECOM_TEXT_MAX_BYTES = 2048;
export const WECOM_RATE_LIMITED = 45009;

export interface WecomChannelConfig {
  kind: 'wecom';
  /** Default https://qyapi.weixin.qq.com; a proxy or a test server otherwise. */
  baseUrl?: string;
  /** The group robot's key; a message's `recipient.robotKey` overrides it. */
  robotKey?: string;
  /** Default markdown (4096 bytes); text allows 2048. */
  msgtype?: 'markdown' | 'text';
  timeoutMs?: number;
}

/** WeCom group robot (企业微信群机器人): POST /cgi-bin/webhook/send?key=…, answer {errcode, errmsg}. */
export class WecomChannel implements NotificationChannel {
  readonly kind: ChannelKind = 'wecom';
  private readonly baseUrl: string;
  private readonly robotKey: string | undefined;
  private readonly msgtype: 'markdown' | 'text';
  readonly timeoutMs: number;

  constructor(config: WecomChannelConfig) {
    this.baseUrl = optionalHttpUrl(config.baseUrl, 'wecom.baseUrl', WECOM_DEFAULT_BASE_URL);
    this.robotKey = optionalRobotKey(config.robotKey, 'wecom.robotKey');
    if (config.msgtype !== undefined && config.msgtype !== 'markdown' && config.msgtype !== 'text') {
      throw invalidConfig('wecom.msgtype', 'must be "markdown" or "text"');
    }
    this.msgtype = config.msgtype ?? 'markdown';
    this.timeoutMs = optionalInteger(config.timeoutMs, 'wecom.timeoutMs', DEFAULT_HTTP_TIMEOUT_MS, 100, 300_000);
  }

  /** The exact JSON body sent for a message (content cut to the msgtype's byte limit). */
  payload(message: OutboundMessage): string {
    if (this.msgtype === 'text') {
      const content = truncateUtf8(`${message.title}\n${message.body}`, WECOM_TEXT_MAX_BYTES);
      return JSON.stringify({ msgtype: 'text', text: { content } });
    }
    const content = truncateUtf8(defaultMarkdown(message), WECOM_MARKDOWN_MAX_BYTES);
    return JSON.stringify({ msgtype: 'markdown', markdown: { content } });
  }

  async send(message: OutboundMessage): Promise<DeliveryResult> {
    const key = message.recipient.robotKey ?? this.robotKey;
    if (!key) return rejectedLocally('no WeCom robot key: set wecom.robotKey or recipient.robotKey');
    if (!isValidRobotKey(key)) return rejectedLocally('the WeCom robot key has characters a key cannot have');
    const outcome = await httpRequest({
      method: 'POST',
      url: `${this.baseUrl}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`,
      headers: JSON_HEADERS,
      body: this.payload(message),
      timeoutMs: this.timeoutMs,
    });
    return robotResult(outcome, WECOM_RATE_LIMITED);
  }
}
