import type { IncidentState } from '../domain/incident';
import type { ClockKind, Tier } from '../domain/sla-policy';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

/** People read Simplified Chinese first; English is the second locale. */
export const STATE_LABELS: Record<Locale, Record<IncidentState, string>> = {
  'zh-CN': {
    reported: '已报障',
    acknowledged: '已响应',
    on_site: '已到场',
    resolved: '已修复待确认',
    confirmed: '院方已确认',
    closed: '已关闭',
    reopened: '已重开',
    cancelled: '已取消',
  },
  en: {
    reported: 'reported',
    acknowledged: 'acknowledged',
    on_site: 'on site',
    resolved: 'resolved, awaiting confirmation',
    confirmed: 'confirmed by the hospital',
    closed: 'closed',
    reopened: 'reopened',
    cancelled: 'cancelled',
  },
};

export const CLOCK_LABELS: Record<Locale, Record<ClockKind, string>> = {
  'zh-CN': { respond: '响应时限', on_site: '到场时限', repair: '修复时限', data_repair: '数据修复时限', delivery: '交付时限' },
  en: { respond: 'response', on_site: 'on-site', repair: 'repair', data_repair: 'data repair', delivery: 'delivery' },
};

export const TIER_LABELS: Record<Locale, Record<Tier, string>> = {
  'zh-CN': { working_time: '工作时间', off_hours: '非工作时间' },
  en: { working_time: 'working time', off_hours: 'outside working time' },
};

export const RISK_LABELS: Record<Locale, Record<string, string>> = {
  'zh-CN': { low: '低', medium: '中', high: '高' },
  en: { low: 'low', medium: 'medium', high: 'high' },
};

export const DECISION_LABELS: Record<Locale, Record<string, string>> = {
  'zh-CN': { approve: '同意', reject: '驳回', send_back: '退回修改' },
  en: { approve: 'approved', reject: 'rejected', send_back: 'sent back' },
};
