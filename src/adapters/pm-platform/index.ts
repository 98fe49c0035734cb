import { PmPlatform } from './port';
import { RedmineAdapter } from './redmine';
import { PmInbox, WebhookPlatform } from './webhook';

export * from './port';
export { RedmineAdapter } from './redmine';
export { WebhookPlatform, checkInbound, pmSignature, PM_SIGNATURE_HEADER, PM_MIN_SECRET_LENGTH, DEFAULT_TOLERANCE_MS } from './webhook';
export type { PmInbox, PmInboxRow, PmWebhookEvent, PmProgressCall } from './webhook';

export interface PmPlatformSettings {
  kind: 'redmine' | 'webhook';
  baseUrl: string | null;
  project: string | null;
  progressUrl: string | null;
  platformUserId: string | null;
}

/** The adapter an integration's settings name, with its secret (the Redmine API key, or the webhook's HMAC secret). */
export function createPmPlatform(settings: PmPlatformSettings, secret: string, inbox: PmInbox, timeoutMs?: number): PmPlatform {
  if (settings.kind === 'redmine') {
    return new RedmineAdapter({ baseUrl: settings.baseUrl!, project: settings.project!, apiKey: secret, timeoutMs });
  }
  return new WebhookPlatform({ progressUrl: settings.progressUrl!, secret, selfId: settings.platformUserId, timeoutMs }, inbox);
}
