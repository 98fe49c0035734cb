import { urlRefusal } from '../../adapters/notify/destination';
import type { WardlineConfig } from '../../config';
import { invalidFields } from './errors';

/**
 * SSRF: a webhook URL someone types is refused when saved if it resolves to loopback, link-local, private or other
 * non-public addresses the administrator did not allow (WARDLINE_WEBHOOK_ALLOW). The worker checks again on send.
 */
export async function refuseWebhookDestination(url: string, config: WardlineConfig, field: string): Promise<void> {
  const refused = await urlRefusal(url, { allow: config.notify.webhookAllow });
  if (!refused) return;
  throw invalidFields([
    { field, zh: `${field} 只能指向公网地址或管理员放行的地址：${refused}`, en: `${field} may point only at public addresses or those an administrator allows: ${refused}` },
  ]);
}
