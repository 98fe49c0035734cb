import Handlebars from 'handlebars';
import { ChannelKind, clip, DeliveryResult, invalidConfig, NotificationChannel, OutboundMessage, rejectedLocally } from './channel';
import { DEFAULT_HTTP_TIMEOUT_MS, httpFailure, httpRequest, parseJson } from './http';
import { isMobilePhone, isValidWebhookUrl, normalizeMobile, optionalHeaders, optionalInteger, requireString } from './validate';

export type SmsContentType = 'json' | 'form' | 'text';

export interface SmsChannelConfig {
  kind: 'sms';
  /** The gateway URL; may hold placeholders too (values URL-encoded there), as GET gateways need. */
  url: string;
  /** Default POST. */
  method?: 'POST' | 'GET';
  /** How values are escaped in `bodyTemplate` and the Content-Type sent; default json. */
  contentType?: SmsContentType;
  /** Required for POST, e.g. `{"mobile":"{{phone}}","content":"{{text}}"}`; placeholders: phone, text, title, body, name, idempotencyKey. */
  bodyTemplate?: string;
  /** Extra headers, the gateway's auth header among them. */
  headers?: Record<string, string>;
  /** Beyond a 2xx, the answer's JSON must hold this value at this dot path, e.g. {path: "code", equals: "OK"}. */
  success?: { path: string; equals: string | number | boolean };
  /** Dot path of the gateway's message id in its JSON answer. */
  messageIdPath?: string;
  /** `text` is title and body cut to this many characters; default 500. */
  maxTextChars?: number;
  timeoutMs?: number;
}

interface SmsTemplateData {
  phone: string;
  text: string;
  title: string;
  body: string;
  name: string;
  idempotencyKey: string;
}

const CONTENT_TYPES: Record<SmsContentType, string> = {
  json: 'application/json; charset=utf-8',
  form: 'application/x-www-form-urlencoded; charset=utf-8',
  text: 'text/plain; charset=utf-8',
};

/** Escapes a value for the place it lands: inside a JSON string literal, a form or URL component, or plain text. */
const ESCAPERS: Record<SmsContentType | 'url', (value: string) => string> = {
  json: (value) => JSON.stringify(value).slice(1, -1),
  form: (value) => encodeURIComponent(value),
  url: (value) => encodeURIComponent(value),
  text: (value) => value,
};

/** Values with every character that breaks JSON, forms or URLs, to prove a template at startup. */
const PROBE: SmsTemplateData = {
  phone: '13800000000',
  text: '探针 "quote" \\ back\nline & = ? # %',
  title: '标题 "t"',
  body: '正文\t"b"',
  name: '名 "n"',
  idempotencyKey: 'probe:"key"',
};

type Template = (data: SmsTemplateData) => string;

/** SMS through the site's HTTP gateway; the request shape is configuration, not code. */
export class SmsChannel implements NotificationChannel {
  readonly kind: ChannelKind = 'sms';
  private readonly method: 'POST' | 'GET';
  private readonly contentType: SmsContentType;
  private readonly urlTemplate: Template;
  private readonly bodyTemplate: Template | null;
  private readonly headers: Record<string, string>;
  private readonly success: { path: string[]; equals: string } | null;
  private readonly messageIdPath: string[] | null;
  private readonly maxTextChars: number;
  readonly timeoutMs: number;

  constructor(config: SmsChannelConfig) {
    const hbs = Handlebars.create();
    const compile = (source: string, escape: (v: string) => string): Template => {
      const template = hbs.compile(source, { noEscape: true, strict: true });
      return (data) => template(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, escape(v as string)])));
    };

    const url = requireString(config.url, 'sms.url');
    if (config.method !== undefined && config.method !== 'POST' && config.method !== 'GET') throw invalidConfig('sms.method', 'must be "POST" or "GET"');
    this.method = config.method ?? 'POST';
    if (config.contentType !== undefined && !(config.contentType in CONTENT_TYPES)) throw invalidConfig('sms.contentType', 'must be "json", "form" or "text"');
    this.contentType = config.contentType ?? 'json';

    this.urlTemplate = this.prove('sms.url', () => compile(url, ESCAPERS.url), (rendered) => {
      if (!isValidWebhookUrl(rendered)) throw new Error('does not render to an http(s) URL');
    });
    if (this.method === 'POST') {
      const source = requireString(config.bodyTemplate, 'sms.bodyTemplate');
      this.bodyTemplate = this.prove('sms.bodyTemplate', () => compile(source, ESCAPERS[this.contentType]), (rendered) => {
        if (this.contentType === 'json' && parseJson(rendered) === undefined) throw new Error(`does not render to JSON (put string placeholders inside quotes): ${rendered}`);
      });
    } else {
      if (config.bodyTemplate !== undefined) throw invalidConfig('sms.bodyTemplate', 'a GET gateway takes its placeholders in sms.url');
      this.bodyTemplate = null;
    }

    this.headers = optionalHeaders(config.headers, 'sms.headers');
    if (config.success !== undefined) {
      const path = requireString(config.success.path, 'sms.success.path');
      const equals = config.success.equals;
      if (!['string', 'number', 'boolean'].includes(typeof equals)) throw invalidConfig('sms.success.equals', 'must be a string, number or boolean');
      this.success = { path: path.split('.'), equals: String(equals) };
    } else {
      this.success = null;
    }
    this.messageIdPath = config.messageIdPath === undefined ? null : requireString(config.messageIdPath, 'sms.messageIdPath').split('.');
    this.maxTextChars = optionalInteger(config.maxTextChars, 'sms.maxTextChars', 500, 10, 10_000);
    this.timeoutMs = optionalInteger(config.timeoutMs, 'sms.timeoutMs', DEFAULT_HTTP_TIMEOUT_MS, 100, 300_000);
  }

  /** Compiles a template and renders it once with hostile values, so a broken template fails at startup naming its field. */
  private prove(field: string, build: () => Template, check: (rendered: string) => void): Template {
    try {
      const template = build();
      check(template(PROBE));
      return template;
    } catch (err) {
      throw invalidConfig(field, err instanceof Error ? err.message : String(err));
    }
  }

  async send(message: OutboundMessage): Promise<DeliveryResult> {
    const phone = message.recipient.phone;
    if (!phone) return rejectedLocally('the recipient has no phone number');
    if (!isMobilePhone(phone)) return rejectedLocally(`"${phone}" is not a mainland mobile number`);
    const chars = Array.from(`${message.title}\n${message.body}`);
    const text = chars.length <= this.maxTextChars ? chars.join('') : `${chars.slice(0, this.maxTextChars - 1).join('')}…`;
    const data: SmsTemplateData = {
      phone: normalizeMobile(phone),
      text,
      title: message.title,
      body: message.body,
      name: message.recipient.name ?? '',
      idempotencyKey: message.idempotencyKey,
    };
    const headers = this.bodyTemplate ? { 'content-type': CONTENT_TYPES[this.contentType], ...this.headers } : this.headers;
    const outcome = await httpRequest({
      method: this.method,
      url: this.urlTemplate(data),
      headers,
      body: this.bodyTemplate ? this.bodyTemplate(data) : undefined,
      timeoutMs: this.timeoutMs,
    });
    const failure = httpFailure(outcome);
    if (failure) return failure;
    const answer = outcome.kind === 'response' ? outcome.text : '';
    const providerResponse = clip(`HTTP ${outcome.kind === 'response' ? outcome.status : ''} ${answer}`.trim());
    const json = parseJson(answer);
    if (this.success) {
      const actual = valueAt(json, this.success.path);
      if (actual === undefined || String(actual) !== this.success.equals) {
        return { ok: false, retryable: false, providerResponse, error: `the gateway answered ${this.success.path.join('.')}=${String(actual)}, expected ${this.success.equals}` };
      }
    }
    const id = this.messageIdPath ? valueAt(json, this.messageIdPath) : undefined;
    return { ok: true, retryable: false, providerResponse, ...(id !== undefined && id !== null ? { providerMessageId: String(id) } : {}) };
  }
}

function valueAt(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
