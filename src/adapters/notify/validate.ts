import { invalidConfig } from './channel';

/** Mainland mobile, optionally with +86 / 86: 1[3-9] and nine more digits. */
const MOBILE = /^(?:\+?86[- ]?)?1[3-9]\d{9}$/;
/** Landline with optional area code (010, 0755, (020)), 7–8 digits, optional extension (-123, 转123, ext 123, #123). */
const LANDLINE = /^(?:\(0\d{2,3}\)[- ]?|0\d{2,3}[- ]?)?[2-9]\d{6,7}(?:(?:[- ]|转|#|[- ]?ext\.? ?)\d{1,6})?$/i;
/** 400/800 service numbers, as vendors' hotlines usually are. */
const SERVICE_NUMBER = /^[48]00[- ]?\d{3}[- ]?\d{4}$/;
/** A hospital-internal extension such as 8021. */
const INTERNAL_EXTENSION = /^\d{3,6}$/;

export function isMobilePhone(value: unknown): value is string {
  return typeof value === 'string' && MOBILE.test(value);
}

/** Mobile, landline (with area code and extension), 400/800 hotline, or an internal extension. */
export function isValidPhone(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    (MOBILE.test(value) || LANDLINE.test(value) || SERVICE_NUMBER.test(value) || INTERNAL_EXTENSION.test(value))
  );
}

/** Digits only, without +86: the form SMS gateways expect. */
export function normalizeMobile(value: string): string {
  const digits = value.replace(/[^\d]/g, '');
  return digits.length === 13 && digits.startsWith('86') ? digits.slice(2) : digits;
}

const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A deliverable-looking address: dot-atom local part, a domain of at least two labels, an alphabetic TLD. */
export function isValidEmail(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at > 64) return false;
  const local = value.slice(0, at);
  const labels = value.slice(at + 1).split('.');
  return (
    EMAIL_LOCAL.test(local) &&
    labels.length >= 2 &&
    labels.every((label) => DOMAIN_LABEL.test(label)) &&
    /^[A-Za-z]{2,63}$/.test(labels[labels.length - 1])
  );
}

/** http or https, a host, no user:password part (it would leak into logs), at most 2048 characters. */
export function isValidWebhookUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 2048 || /\s/.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0 && !url.username && !url.password;
}

/** WeCom keys are UUIDs and DingTalk tokens hex; both go into a query string, so keep them to URL-safe characters. */
export function isValidRobotKey(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9._~-]{8,256}$/.test(value);
}

// Config checks: each throws a ChannelConfigError naming the field.

export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidConfig(field, 'must be an object');
  return value as Record<string, unknown>;
}

export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) throw invalidConfig(field, 'is required');
  return value;
}

export function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  return requireString(value, field);
}

/** An http(s) base URL without its trailing slash. */
export function requireHttpUrl(value: unknown, field: string): string {
  const url = requireString(value, field);
  if (!isValidWebhookUrl(url)) throw invalidConfig(field, `must be an http:// or https:// URL without credentials, got "${url}"`);
  return url.replace(/\/+$/, '');
}

export function optionalHttpUrl(value: unknown, field: string, fallback: string): string {
  return value === undefined ? fallback : requireHttpUrl(value, field);
}

export function optionalInteger(value: unknown, field: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidConfig(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function optionalBoolean(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidConfig(field, 'must be true or false');
  return value;
}

export function optionalRobotKey(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isValidRobotKey(value)) throw invalidConfig(field, 'must be 8–256 characters of letters, digits, ".", "_", "~" or "-"');
  return value;
}

/** Header names are RFC 9110 tokens; values may not carry line breaks (header injection). */
export function optionalHeaders(value: unknown, field: string): Record<string, string> {
  if (value === undefined) return {};
  const headers = requireObject(value, field);
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw invalidConfig(`${field}.${name}`, 'is not a valid header name');
    if (typeof v !== 'string' || /[\r\n\0]/.test(v)) throw invalidConfig(`${field}.${name}`, 'must be a string without line breaks');
    out[name.toLowerCase()] = v;
  }
  return out;
}
