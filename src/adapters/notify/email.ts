import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { ChannelKind, clip, DeliveryResult, invalidConfig, NotificationChannel, OutboundMessage, rejectedLocally } from './channel';
import { headerSafe } from './text';
import { isValidEmail, optionalBoolean, optionalInteger, optionalString, requireObject, requireString } from './validate';

export const IDEMPOTENCY_HEADER = 'X-Wardline-Idempotency-Key';

/** The whole send (connect, greeting, TLS, the message) must end in this, well inside the 20 s activity around it. */
export const DEFAULT_EMAIL_TIMEOUT_MS = 12_000;

export interface EmailChannelConfig {
  kind: 'email';
  host: string;
  /** Default 465 when `secure`, else 587. */
  port?: number;
  /** TLS from the first byte (SMTPS, port 465); otherwise STARTTLS when the server offers it. */
  secure?: boolean;
  /** Refuse to send unless the server upgrades with STARTTLS. */
  requireTLS?: boolean;
  /** Default true; false only for an internal relay with a self-signed certificate. */
  rejectUnauthorized?: boolean;
  auth?: { user: string; pass: string };
  /** The sender, e.g. `"Wardline 运维平台" <wardline@hospital.example>` or a bare address. */
  from: string;
  /** Name sent with EHLO; default the machine's host name. */
  clientName?: string;
  timeoutMs?: number;
}

type SmtpError = Error & { code?: string; responseCode?: number; response?: string; permanent?: boolean };

/** Error codes that mean the configuration or the message is wrong, not the moment. */
const PERMANENT_CODES = new Set(['EAUTH', 'ENOAUTH', 'ECONFIG', 'EENVELOPE', 'EMESSAGE', 'EREQUIRETLS', 'EOAUTH2']);
const CERTIFICATE_TROUBLE = /certificate|self[- ]signed|CERT_|unable to verify/i;

/** Email over SMTP with nodemailer: subject = title, text body, a stable Message-ID per idempotency key. */
export class EmailChannel implements NotificationChannel {
  readonly kind: ChannelKind = 'email';
  private readonly transport: Transporter;
  private readonly from: string;
  private readonly fromDomain: string;
  readonly timeoutMs: number;

  constructor(config: EmailChannelConfig) {
    const host = requireString(config.host, 'email.host');
    const secure = optionalBoolean(config.secure, 'email.secure', false);
    const port = optionalInteger(config.port, 'email.port', secure ? 465 : 587, 1, 65535);
    const requireTLS = optionalBoolean(config.requireTLS, 'email.requireTLS', false);
    const rejectUnauthorized = optionalBoolean(config.rejectUnauthorized, 'email.rejectUnauthorized', true);
    this.from = requireString(config.from, 'email.from');
    const fromAddress = /<([^>]+)>\s*$/.exec(this.from)?.[1] ?? this.from;
    if (!isValidEmail(fromAddress)) throw invalidConfig('email.from', `"${this.from}" has no valid address`);
    this.fromDomain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1);
    let auth: { user: string; pass: string } | undefined;
    if (config.auth !== undefined) {
      const a = requireObject(config.auth, 'email.auth');
      auth = { user: requireString(a.user, 'email.auth.user'), pass: requireString(a.pass, 'email.auth.pass') };
    }
    const timeoutMs = optionalInteger(config.timeoutMs, 'email.timeoutMs', DEFAULT_EMAIL_TIMEOUT_MS, 100, 600_000);
    this.timeoutMs = timeoutMs;
    const clientName = optionalString(config.clientName, 'email.clientName');
    this.transport = nodemailer.createTransport({
      host,
      port,
      secure,
      requireTLS,
      auth,
      name: clientName,
      tls: { rejectUnauthorized },
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      // Fail fast and let the caller's retry policy decide; nodemailer's own logging stays off.
      logger: false,
    });
  }

  /** A Message-ID derived from the idempotency key, so a retried send carries the same one and receivers can spot it. */
  messageId(idempotencyKey: string): string {
    return `<${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 32)}@${this.fromDomain}>`;
  }

  /**
   * nodemailer's timeouts bound each phase (connect, greeting, each command), not the whole send: a server that
   * answers slowly at every step could take several times `timeoutMs`. The race bounds the whole of it.
   */
  async send(message: OutboundMessage): Promise<DeliveryResult> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<DeliveryResult>((resolve) => {
      timer = setTimeout(() => {
        const error = `no SMTP answer within ${this.timeoutMs} ms`;
        resolve({ ok: false, retryable: true, providerResponse: error, error });
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([this.sendOnce(message), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async sendOnce(message: OutboundMessage): Promise<DeliveryResult> {
    const to = message.recipient.email;
    if (!to) return rejectedLocally('the recipient has no email address');
    if (!isValidEmail(to)) return rejectedLocally(`"${to}" is not a valid email address`);
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: message.recipient.name ? { name: message.recipient.name, address: to } : to,
        subject: message.title,
        text: message.body,
        messageId: this.messageId(message.idempotencyKey),
        headers: { [IDEMPOTENCY_HEADER]: headerSafe(message.idempotencyKey) },
      });
      const response = typeof info.response === 'string' ? info.response : '';
      return { ok: true, retryable: false, providerMessageId: String(info.messageId), providerResponse: clip(response) };
    } catch (err) {
      return smtpFailure(err as SmtpError);
    }
  }

  /** Closes pooled connections, if any; sends open their own connection, so this is safe to skip. */
  close(): void {
    this.transport.close();
  }
}

function smtpFailure(err: SmtpError): DeliveryResult {
  const error = `${err.code ? `${err.code}: ` : ''}${err.message}`;
  const providerResponse = clip(err.response ?? `no SMTP answer: ${error}`);
  if (typeof err.responseCode === 'number') {
    // RFC 5321: 5yz is a permanent refusal (503 is a session-state hiccup); 4yz is "try again later".
    const permanent = err.permanent ?? (err.responseCode >= 500 && err.responseCode !== 503);
    return { ok: false, retryable: !permanent, providerResponse, error };
  }
  if ((err.code && PERMANENT_CODES.has(err.code)) || CERTIFICATE_TROUBLE.test(err.message)) {
    return { ok: false, retryable: false, providerResponse, error };
  }
  // Connection refused, reset, timed out, DNS: the server may be back in a minute.
  return { ok: false, retryable: true, providerResponse, error };
}
