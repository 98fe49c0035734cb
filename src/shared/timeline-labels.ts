import type { EscalationTrigger } from '../domain/escalation';
import type { Channel, ResolutionCategory } from '../domain/incident';
import { SYSTEM_ACTOR, type TimelineEvent } from '../domain/incident-process';
import type { ClockKind } from '../domain/sla-policy';
import { formatInZone } from '../domain/time';
import { CLOCK_LABELS, Locale, TIER_LABELS } from './labels';

/**
 * What the system itself says in an incident's timeline and in escalation reasons, zh-CN first and English second.
 * Workflows store codes and parameters (event type, `data`); the text is made here, at the edge, in the reader's
 * language (issue 9: no English leaking into Chinese pages). People's own words (reasons, notes) stay as written.
 */

export const CHANNEL_LABELS: Record<Locale, Record<Channel, string>> = {
  'zh-CN': { phone: '电话', onsite: '现场', api: '接口', alert: '监控告警', 'pm-platform': '项目管理平台' },
  en: { phone: 'phone', onsite: 'on site', api: 'API', alert: 'monitoring alert', 'pm-platform': 'PM platform' },
};

export const CATEGORY_LABELS: Record<Locale, Record<ResolutionCategory, string>> = {
  'zh-CN': { system_error_fix: '系统错误修复', data_repair: '数据修复', other: '其他' },
  en: { system_error_fix: 'system error fix', data_repair: 'data repair', other: 'other' },
};

/** Why a vendor escalation started; a manual one carries the requester's own words instead. */
export function escalationReasonText(locale: Locale, trigger: EscalationTrigger, params: { share?: number | null; reason?: string | null } = {}): string {
  const zh = locale === 'zh-CN';
  switch (trigger) {
    case 'repair_share': {
      const percent = typeof params.share === 'number' ? Math.round(params.share * 100) : null;
      if (zh) return percent === null ? '修复时限已过半，自动升级原厂' : `修复时限已用去 ${percent}%，自动升级原厂`;
      return percent === null ? 'the repair clock passed its share: escalated automatically' : `the repair clock passed ${percent}%: escalated automatically`;
    }
    case 'not_acknowledged':
      return zh ? '超过响应时限仍未响应，自动升级原厂' : 'not acknowledged by the response deadline: escalated automatically';
    case 'manual':
      return params.reason?.trim() ? params.reason : zh ? '人工申请升级原厂' : 'escalation requested';
  }
}

/** Why an escalation found nobody to call. */
export const NO_CONTACTS_LABELS: Record<Locale, Record<'no_vendor' | 'no_active_contacts', (vendor: string) => string>> = {
  'zh-CN': { no_vendor: () => '该系统未登记原厂', no_active_contacts: (v) => `原厂「${v}」没有有效联系人` },
  en: { no_vendor: () => 'no vendor is recorded for this system', no_active_contacts: (v) => `${v} has no active contacts` },
};

type Data = Record<string, unknown>;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const nameOf = (v: unknown): string | null => (v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string' ? (v as { name: string }).name : null);

/** The alert names of an alert timeline entry (P3), as its data lists them. */
function alertNames(d: Data): string {
  const alerts = Array.isArray(d.alerts) ? (d.alerts as { alertname?: unknown }[]) : [];
  return [...new Set(alerts.map((a) => String(a.alertname ?? '')))].filter(Boolean).join('、');
}

/** One line for a timeline entry, from its type and data, in `locale`; times in the contract's zone. */
export function timelineText(event: Pick<TimelineEvent, 'type' | 'data'>, locale: Locale, utcOffsetMinutes: number): string {
  const zh = locale === 'zh-CN';
  const d: Data = event.data ?? {};
  const time = (v: unknown) => {
    const ms = num(v);
    return ms === null ? '' : formatInZone(ms, utcOffsetMinutes).replace('T', ' ').slice(0, 16);
  };
  const clock = (v: unknown) => CLOCK_LABELS[locale][(v as ClockKind) ?? 'repair'] ?? String(v);
  switch (event.type) {
    case 'opened': {
      const tier = TIER_LABELS[locale][d.tier as 'working_time' | 'off_hours'] ?? '';
      const channel = CHANNEL_LABELS[locale][d.channel as Channel] ?? '';
      const assignee = nameOf(d.assignee);
      return zh
        ? `报障：${String(d.priority ?? '')}，${tier}，来自${channel}${assignee ? `，指派给${assignee}` : ''}`
        : `reported: ${String(d.priority ?? '')}, ${tier}, by ${channel}${assignee ? `, assigned to ${assignee}` : ''}`;
    }
    case 'acknowledge': {
      // S12: who responds owns it; taking over a colleague's incident is said so.
      const from = nameOf((d.reassigned as Data | undefined)?.from);
      if (d.reassigned) return zh ? `已响应，并由${from ?? '未指派'}改派给响应人` : `acknowledged, taking it over from ${from ?? 'nobody'}`;
      return zh ? '已响应' : 'acknowledged';
    }
    case 'arrive':
      return zh ? '工程师已到场' : 'engineer on site';
    case 'resolve': {
      const category = CATEGORY_LABELS[locale][d.category as ResolutionCategory] ?? '';
      return zh ? `已修复（${category}）：原因 ${String(d.cause ?? '')}；处理 ${String(d.fix ?? '')}` : `resolved (${category}): cause ${String(d.cause ?? '')}; fix ${String(d.fix ?? '')}`;
    }
    case 'confirm':
      return zh ? '院方已确认修复' : 'fix confirmed by the hospital';
    case 'reopen':
      return zh ? '工单重新打开' : 'reopened';
    case 'close':
      return zh ? '工单已关闭' : 'closed';
    case 'cancel':
      return zh ? '工单已取消' : 'cancelled';
    case 'assign': {
      const to = nameOf(d.to) ?? '';
      return zh ? `指派给${to}` : `assigned to ${to}`;
    }
    case 'change_priority':
      return zh ? `优先级由 ${String(d.from ?? '')} 调整为 ${String(d.to ?? '')}` : `priority changed from ${String(d.from ?? '')} to ${String(d.to ?? '')}`;
    case 'pause_repair_clock':
      return zh ? '修复时限暂停' : 'repair clock paused';
    case 'request_repair_clock_pause':
      return zh ? '申请暂停修复时限（待院方确认，计时继续）' : 'pause of the repair clock requested (the clock runs until the hospital confirms)';
    case 'confirm_repair_clock_pause': {
      const by = nameOf((d.request as Data | undefined)?.by);
      return zh ? `院方确认暂停修复时限${by ? `（${by}申请）` : ''}` : `the hospital confirmed the repair-clock pause${by ? ` ${by} asked for` : ''}`;
    }
    case 'decline_repair_clock_pause':
      return zh ? '院方未同意暂停修复时限' : 'the hospital declined the repair-clock pause';
    case 'resume_repair_clock':
      return zh ? '修复时限恢复计时' : 'repair clock resumed';
    case 'escalate':
      return zh ? '申请升级原厂' : 'escalation to the vendor requested';
    case 'comment':
      return zh ? '备注' : 'comment';
    case 'confirm_recovery':
      return zh ? '调度员确认告警已自动恢复，工单关闭' : 'a dispatcher confirmed the recovery; closed';
    case 'alerts_fired':
      return zh ? `新告警：${alertNames(d)}` : `alerts fired: ${alertNames(d)}`;
    case 'alerts_resolved':
      return zh ? `告警恢复：${alertNames(d)}${d.allResolved ? '（全部恢复）' : ''}` : `alerts cleared: ${alertNames(d)}${d.allResolved ? ' (all clear)' : ''}`;
    case 'auto_recovered':
      return zh ? '告警已全部自动恢复，等待调度员确认' : "every alert cleared by itself; awaiting a dispatcher's confirmation";
    case 'alert_refired':
      return zh ? `告警再次触发，工单恢复为已报障：${alertNames(d)}` : `the alerts fired again; reported again: ${alertNames(d)}`;
    case 'sla_warning': {
      const percent = num(d.fraction) === null ? '' : `${Math.round(num(d.fraction)! * 100)}%`;
      return zh ? `${clock(d.clock)}已用去 ${percent}（截止 ${time(d.deadline)}）` : `${clock(d.clock)} clock at ${percent} (due ${time(d.deadline)})`;
    }
    case 'sla_breached':
      return zh ? `${clock(d.clock)}已超时（截止 ${time(d.deadline)}）` : `${clock(d.clock)} deadline missed (due ${time(d.deadline)})`;
    case 'escalated': {
      const trigger = (str(d.trigger) ?? 'manual') as EscalationTrigger;
      if (trigger === 'manual') return zh ? '已升级原厂' : 'escalated to the vendor';
      return escalationReasonText(locale, trigger, { share: num(d.share) });
    }
    case 'escalation_level': {
      const contacts = Array.isArray(d.contacts) ? (d.contacts as unknown[]).map(String).join('、') : '';
      return zh ? `已通知原厂第${String(d.level ?? '')}级${contacts ? `：${contacts}` : ''}` : `vendor level ${String(d.level ?? '')} called${contacts ? `: ${contacts}` : ''}`;
    }
    case 'vendor_acknowledged': {
      const promised = time(d.promisedOnSiteAt);
      const behalf = nameOf(d.onBehalfOf);
      return zh
        ? `原厂已响应${promised ? `，承诺 ${promised} 到场` : ''}${behalf ? `（代${behalf}记录）` : ''}`
        : `vendor acknowledged${promised ? `, on site by ${promised}` : ''}${behalf ? ` (recorded on behalf of ${behalf})` : ''}`;
    }
    case 'vendor_arrived': {
      const behalf = nameOf(d.onBehalfOf);
      return zh ? `原厂已到场${behalf ? `（代${behalf}记录）` : ''}` : `vendor on site${behalf ? ` (recorded on behalf of ${behalf})` : ''}`;
    }
    case 'vendor_remote_session':
      return zh ? '原厂远程处理中' : 'vendor working remotely';
    case 'vendor_resolved':
      return zh ? '原厂报告已解决' : 'vendor reports it fixed';
    case 'vendor_promise_missed':
      return zh ? `原厂未在承诺时间 ${time(d.promisedOnSiteAt)} 到场` : `vendor not on site by the promised ${time(d.promisedOnSiteAt)}`;
    case 'escalation_exhausted':
      return zh ? '原厂各级均未在时限内响应' : 'no vendor level acknowledged in time';
    case 'escalation_no_contacts': {
      const code = d.reasonCode === 'no_active_contacts' ? 'no_active_contacts' : 'no_vendor';
      return `${zh ? '无法升级原厂：' : 'cannot escalate: '}${NO_CONTACTS_LABELS[locale][code](String(d.vendorName ?? ''))}`;
    }
    case 'escalation_ended':
      if (d.outcome === 'cancelled') return zh ? '原厂技术支援结束（工单已取消）' : 'vendor escalation ended (incident cancelled)';
      return zh ? '原厂技术支援结束（故障已修复）' : 'vendor escalation ended (incident resolved)';
  }
}

/** Both languages, zh-CN first, for pages and reports that show one line per entry. */
export function timelineTexts(event: Pick<TimelineEvent, 'type' | 'data'>, utcOffsetMinutes: number): { text: string; textEn: string } {
  return { text: timelineText(event, 'zh-CN', utcOffsetMinutes), textEn: timelineText(event, 'en', utcOffsetMinutes) };
}

/** Escalation history entries the system writes by itself; before issue 9 their notes were English sentences. */
const SYSTEM_ESCALATION_EVENTS = new Set(['escalation_level', 'escalation_no_contacts', 'escalation_exhausted', 'vendor_promise_missed', 'escalation_ended']);

/**
 * The note to show: a person's own words as written; none for what the system did by itself (its text comes from
 * `timelineText`, and older records held English sentences there).
 */
export function peopleNote(note: string | null, by: { actorId?: string | null; type?: string }): string | null {
  if (by.actorId === SYSTEM_ACTOR.id) return null;
  if (by.actorId === undefined && by.type && SYSTEM_ESCALATION_EVENTS.has(by.type)) return null;
  return note;
}
