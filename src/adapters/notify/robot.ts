import { clip, DeliveryResult, OutboundMessage } from './channel';
import { httpFailure, HttpOutcome, parseJson } from './http';

/** Both robots allow 20 messages a minute each; above it WeCom answers 45009, DingTalk 130101 and throttles for 10 minutes. */
export const ROBOT_MESSAGES_PER_MINUTE = 20;

/** "System busy" from either robot API: worth another try. */
const SYSTEM_BUSY = -1;

/** Reads a robot's `{errcode, errmsg}` answer: 0 delivered, the rate-limit code retryable, any other code permanent. */
export function robotResult(outcome: HttpOutcome, rateLimitCode: number): DeliveryResult {
  const failure = httpFailure(outcome);
  if (failure) return failure;
  const text = outcome.kind === 'response' ? outcome.text : '';
  const providerResponse = clip(text);
  const json = parseJson(text) as { errcode?: unknown; errmsg?: unknown } | undefined;
  if (!json || typeof json !== 'object' || typeof json.errcode !== 'number') {
    // Delivery is unknown, and robots have no idempotency key, so a retry could post twice: fail for a fallback instead.
    return { ok: false, retryable: false, providerResponse, error: 'the robot answered without an errcode' };
  }
  const errmsg = typeof json.errmsg === 'string' ? json.errmsg : '';
  if (json.errcode === 0) return { ok: true, retryable: false, providerResponse };
  const error = `errcode ${json.errcode}${errmsg ? `: ${errmsg}` : ''}`;
  if (json.errcode === rateLimitCode) return { ok: false, retryable: true, rateLimited: true, providerResponse, error };
  if (json.errcode === SYSTEM_BUSY) return { ok: false, retryable: true, providerResponse, error };
  return { ok: false, retryable: false, providerResponse, error };
}

/** The markdown a robot shows when the caller gave none: the title as a heading over the body. */
export function defaultMarkdown(message: OutboundMessage): string {
  return message.markdown ?? `### ${message.title}\n${message.body}`;
}
