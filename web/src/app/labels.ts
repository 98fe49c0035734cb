/** The words people read for the API's codes, zh-CN and English. */
type Pair = [string, string];

export const INCIDENT_STATES: Record<string, Pair> = {
  reported: ['待响应', 'Reported'],
  acknowledged: ['已响应', 'Acknowledged'],
  on_site: ['已到场', 'On site'],
  resolved: ['已修复待确认', 'Resolved'],
  confirmed: ['院方已确认', 'Confirmed'],
  closed: ['已关闭', 'Closed'],
  reopened: ['已重开', 'Reopened'],
  cancelled: ['已取消', 'Cancelled'],
  recovered: ['告警已恢复', 'Recovered'],
};
export const OPEN_STATES = ['reported', 'acknowledged', 'on_site', 'reopened', 'resolved', 'recovered'];

export const INCIDENT_ACTIONS: Record<string, Pair> = {
  acknowledge: ['响应', 'Acknowledge'],
  arrive: ['到场', 'Arrive on site'],
  resolve: ['修复完成', 'Resolve'],
  confirm: ['确认修复', 'Confirm fix'],
  confirm_recovery: ['确认已自动恢复', 'Confirm recovery'],
  reopen: ['重开', 'Reopen'],
  close: ['关闭', 'Close'],
  cancel: ['取消', 'Cancel'],
  assign: ['指派', 'Assign'],
  change_priority: ['调整优先级', 'Change priority'],
  pause_repair_clock: ['暂停修复计时', 'Pause repair clock'],
  request_repair_clock_pause: ['申请暂停修复计时', 'Ask to pause repair clock'],
  confirm_repair_clock_pause: ['同意暂停', 'Confirm pause'],
  decline_repair_clock_pause: ['不同意暂停', 'Decline pause'],
  resume_repair_clock: ['恢复修复计时', 'Resume repair clock'],
  escalate: ['升级原厂', 'Escalate to vendor'],
};

export const CLOCKS: Record<string, Pair> = {
  respond: ['响应', 'Respond'],
  on_site: ['到场', 'On site'],
  onSite: ['到场', 'On site'],
  repair: ['修复', 'Repair'],
};

export const PRIORITY_COLORS: Record<string, string> = { P1: 'red', P2: 'volcano', P3: 'gold', P4: 'blue' };

export const CHANNELS: Record<string, Pair> = {
  phone: ['电话', 'Phone'],
  onsite: ['现场', 'On site'],
  api: ['接口', 'API'],
  alert: ['告警', 'Alert'],
  'pm-platform': ['项目平台', 'PM platform'],
};

export const CHANGE_STATES: Record<string, Pair> = {
  submitted: ['待审核', 'Submitted'],
  in_review: ['审核中', 'In review'],
  sent_back: ['已退回', 'Sent back'],
  approved: ['已批准', 'Approved'],
  rejected: ['已驳回', 'Rejected'],
  implemented: ['已实施', 'Implemented'],
  verified: ['已验证', 'Verified'],
  rolled_back: ['已回滚', 'Rolled back'],
  closed: ['已关闭', 'Closed'],
  cancelled: ['已取消', 'Cancelled'],
};

export const ESCALATION_STATES: Record<string, Pair> = {
  awaiting_ack: ['等待原厂响应', 'Awaiting acknowledgement'],
  acknowledged: ['原厂已响应', 'Acknowledged'],
  vendor_on_site: ['原厂已到场', 'Vendor on site'],
  exhausted: ['各级均未响应', 'Nobody answered'],
  no_contacts: ['无联系人', 'No contacts'],
  resolved: ['已解决', 'Resolved'],
};

export const RISK_COLORS: Record<string, string> = { low: 'green', medium: 'gold', high: 'red' };
export const RISKS: Record<string, Pair> = { low: ['低', 'low'], medium: ['中', 'medium'], high: ['高', 'high'] };
export const CHANGE_KINDS: Record<string, Pair> = { standard: ['标准变更', 'Standard'], normal: ['一般变更', 'Normal'], emergency: ['紧急变更', 'Emergency'] };
export const STATEMENT_KINDS: Record<string, Pair> = { ddl: ['结构变更 DDL', 'DDL'], dml: ['数据变更 DML', 'DML'], dcl: ['权限 DCL', 'DCL'], query: ['查询', 'Query'], other: ['其他', 'Other'] };
export const CHANGE_ACTIONS: Record<string, Pair> = {
  submitted: ['提交', 'Submitted'],
  auto_approved: ['自动批准', 'Approved automatically'],
  review_reminder: ['审核提醒', 'Review reminder'],
  review_escalated: ['审核超期上报', 'Review overdue: escalated'],
  review: ['审核', 'Review'],
  approve: ['批准', 'Approved'],
  reject: ['驳回', 'Rejected'],
  send_back: ['退回修改', 'Sent back'],
  revise: ['提交修订', 'Revised'],
  implement: ['实施', 'Implemented'],
  verify: ['验证', 'Verified'],
  close: ['关闭', 'Closed'],
  cancel: ['取消', 'Cancelled'],
};

export function label(map: Record<string, Pair>, code: string | null | undefined, lang: 'zh' | 'en'): string {
  if (!code) return '—';
  const pair = map[code];
  return pair ? pair[lang === 'en' ? 1 : 0] : code;
}
