import type { IncidentState } from '../domain/incident';
import type { ClockKind, Tier } from '../domain/sla-policy';
import type { DeliveryChannel } from './notify-messages';

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
    recovered: '告警已恢复待确认',
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
    recovered: 'recovered by itself, awaiting confirmation',
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

/** Modification request states (S3, S11, S17), as the hospital's platform reads them in progress comments (S15). */
export const MODIFICATION_STATE_LABELS: Record<Locale, Record<string, string>> = {
  'zh-CN': {
    submitted: '已登记',
    assessed: '已评估',
    approved: '范围已批准',
    live: '已上线',
    acceptance_requested: '待验收',
    accepted: '已验收',
    closed: '已关闭',
    scope_rejected: '范围未批准',
    cancelled: '已取消',
  },
  en: {
    submitted: 'submitted',
    assessed: 'assessed',
    approved: 'scope approved',
    live: 'live',
    acceptance_requested: 'awaiting acceptance',
    accepted: 'accepted',
    closed: 'closed',
    scope_rejected: 'scope rejected',
    cancelled: 'cancelled',
  },
};

/** What happened, for the progress Wardline posts back to a project-management platform (S15). */
export const PM_EVENT_LABELS: Record<Locale, Record<string, string>> = {
  'zh-CN': {
    opened: '已登记',
    submitted: '已登记',
    acknowledge: '已响应',
    arrive: '工程师已到场',
    resolve: '已修复，请院方确认',
    confirm: '院方已确认修复',
    reopen: '已重新处理',
    close: '已关闭',
    cancel: '已取消',
    assess: '已完成评估',
    approve_scope: '修改范围已批准',
    reject_scope: '修改范围未批准',
    deliver: '已交付上线',
    request_acceptance: '已申请验收',
    accept: '已验收',
    reject_acceptance: '验收未通过，继续完善',
    maintenance_ended: '免费维护期已结束',
  },
  en: {
    opened: 'registered',
    submitted: 'registered',
    acknowledge: 'acknowledged',
    arrive: 'engineer on site',
    resolve: 'fixed, please confirm',
    confirm: 'fix confirmed by the hospital',
    reopen: 'reopened',
    close: 'closed',
    cancel: 'cancelled',
    assess: 'assessed',
    approve_scope: 'scope approved',
    reject_scope: 'scope rejected',
    deliver: 'delivered and live',
    request_acceptance: 'acceptance requested',
    accept: 'accepted',
    reject_acceptance: 'acceptance rejected, work continues',
    maintenance_ended: 'free maintenance ended',
  },
};

export const PM_RECORD_LABELS: Record<Locale, Record<'incident' | 'modification', string>> = {
  'zh-CN': { incident: '故障单', modification: '修改申请' },
  en: { incident: 'incident', modification: 'modification request' },
};

/** The commands a status set on the platform may mean (S15 conflict rule). */
export const PM_COMMAND_LABELS: Record<Locale, Record<string, string>> = {
  'zh-CN': { cancel: '取消', confirm: '确认修复', reopen: '重新打开', close: '关闭', accept: '验收', reject_acceptance: '验收不通过' },
  en: { cancel: 'cancel', confirm: 'confirm the fix', reopen: 'reopen', close: 'close', accept: 'accept', reject_acceptance: 'reject acceptance' },
};

export const DELIVERY_CHANNEL_LABELS: Record<Locale, Record<DeliveryChannel, string>> = {
  'zh-CN': { in_app: '站内消息', email: '邮件', wecom: '企业微信群', dingtalk: '钉钉群', sms: '短信', webhook: '接口回调' },
  en: { in_app: 'in-app', email: 'email', wecom: 'WeCom group', dingtalk: 'DingTalk group', sms: 'SMS', webhook: 'webhook' },
};
