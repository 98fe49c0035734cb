import { request as httpsRequest } from 'node:https';
import { IncomingMessage, request as plainRequest } from 'node:http';
import ipaddr from 'ipaddr.js';
import { clip, DeliveryResult } from './channel';
import { DestinationPolicy, DestinationRefused, addressRefusal, guardedLookup } from './destination';

/** Robots, SMS gateways and webhooks answer in well under a second; 10 s leaves the activity time to record the outcome. */
export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

export type HttpOutcome =
  | { kind: 'response'; status: number; text: string; headers: Headers }
  | { kind: 'network'; error: string };

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** One request with Node's fetch and a hard timeout; a transport failure comes back as a value, never a throw. */
export async function httpRequest(req: HttpRequest): Promise<HttpOutcome> {
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      // A redirect on a POST would silently turn it into a GET elsewhere; report it instead.
      redirect: 'manual',
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    const text = await res.text();
    return { kind: 'response', status: res.status, text, headers: res.headers };
  } catch (err) {
    return { kind: 'network', error: describeFetchError(err, req.timeoutMs) };
  }
}

export type GuardedOutcome = HttpOutcome | { kind: 'refused'; error: string };

/** How much of an answer a guarded request reads: a receiver's acknowledgement, never a page of someone's intranet. */
export const GUARDED_MAX_RESPONSE_BYTES = 16 * 1024;

/**
 * One request to a URL a user gave (a webhook), allowed only to the destinations `policy` permits. Node's http
 * client is used rather than fetch so the check runs inside the connection's own DNS lookup: what is checked is
 * what is connected to. Redirects are not followed; the answer is read up to GUARDED_MAX_RESPONSE_BYTES.
 */
export function guardedHttpRequest(req: HttpRequest, policy: DestinationPolicy): Promise<GuardedOutcome> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return Promise.resolve({ kind: 'refused', error: 'not a URL' });
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  // An address in the URL is never looked up, so it is checked here.
  if (ipaddr.isValid(host)) {
    const refused = addressRefusal(host, policy);
    if (refused) return Promise.resolve({ kind: 'refused', error: `destination refused: ${refused}` });
  }
  const send = url.protocol === 'https:' ? httpsRequest : plainRequest;
  return new Promise((resolve) => {
    const done = (outcome: GuardedOutcome) => resolve(outcome);
    const fail = (err: unknown) =>
      done(err instanceof DestinationRefused ? { kind: 'refused', error: err.message } : { kind: 'network', error: describeFetchError(err, req.timeoutMs) });
    const r = send(url, { method: req.method, headers: req.headers, lookup: guardedLookup(policy), signal: AbortSignal.timeout(req.timeoutMs), agent: false }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < GUARDED_MAX_RESPONSE_BYTES) chunks.push(c.subarray(0, GUARDED_MAX_RESPONSE_BYTES - size));
        size += c.length;
        if (size >= GUARDED_MAX_RESPONSE_BYTES) res.destroy();
      });
      const finish = () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
        done({ kind: 'response', status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers });
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', () => finish());
    });
    r.on('error', fail);
    r.end(req.body);
  });
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

/** Duck-typed: errors from fetch may come from another realm (a test VM), where `instanceof Error` fails. */
function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorLike;
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const message = typeof e.message === 'string' ? e.message : String(err);
  // undici hides the socket error (ECONNREFUSED, ENOTFOUND, …) in `cause`.
  const cause = (typeof e.cause === 'object' && e.cause !== null ? e.cause : null) as ErrorLike | null;
  if (!cause) return message;
  const code = typeof cause.code === 'string' ? cause.code : '';
  const causeMessage = typeof cause.message === 'string' ? cause.message : '';
  const detail = code && !causeMessage.includes(code) ? `${code} ${causeMessage}` : causeMessage || code;
  return detail ? `${message}: ${detail}` : message;
}

/** The classification every HTTP provider shares: network, timeout, 408, 429 and 5xx may succeed later; other 4xx will not. */
export function httpFailure(outcome: HttpOutcome): DeliveryResult | null {
  if (outcome.kind === 'network') {
    return { ok: false, retryable: true, providerResponse: `no response: ${outcome.error}`, error: outcome.error };
  }
  const { status, text } = outcome;
  if (status >= 200 && status < 300) return null;
  const providerResponse = clip(`HTTP ${status} ${text}`.trim());
  if (status === 429) return { ok: false, retryable: true, rateLimited: true, providerResponse, error: `HTTP 429: rate limited` };
  if (status >= 500 || status === 408) return { ok: false, retryable: true, providerResponse, error: `HTTP ${status}` };
  if (status >= 300 && status < 400) {
    const location = outcome.headers.get('location');
    return { ok: false, retryable: false, providerResponse, error: `HTTP ${status}: redirected${location ? ` to ${location}` : ''}; configure the final URL` };
  }
  return { ok: false, retryable: false, providerResponse, error: `HTTP ${status}: rejected by the provider` };
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export const JSON_HEADERS: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' };
