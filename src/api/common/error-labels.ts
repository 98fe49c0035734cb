import { STATE_LABELS } from '../../shared/labels';

/**
 * zh-CN names of the states and actions that 409 errors mention, so a refused action reads in Chinese first
 * ("当前状态：已响应；可执行：到场、升级原厂") while the domain's English message stands beside it.
 */
const STATES_ZH: Record<string, string> = {
  ...STATE_LABELS['zh-CN'],
  // changes (S4)
  in_review: '审核中',
  sent_back: '已退回修改',
  approved: '已批准',
  rejected: '已驳回',
  implemented: '已实施',
  verified: '已验证',
  rolled_back: '已回退',
  // modification requests (S3, S11, S17)
  submitted: '已提交',
  assessed: '已评估',
  live: '已上线',
  acceptance_requested: '待验收',
  accepted: '已验收',
  scope_rejected: '范围被驳回',
  // escalations (S7) and clocks
  awaiting_ack: '等待原厂响应',
  vendor_on_site: '原厂已到场',
  exhausted: '已升级至最高级别',
  no_contacts: '无可联系人',
  running: '计时中',
  paused: '已暂停',
  stopped: '已停止',
};

const ACTIONS_ZH: Record<string, string> = {
  acknowledge: '响应',
  arrive: '到场',
  resolve: '修复',
  confirm: '确认',
  reopen: '重开',
  close: '关闭',
  cancel: '取消',
  assign: '指派',
  change_priority: '调整优先级',
  pause_repair_clock: '暂停修复计时',
  request_repair_clock_pause: '申请暂停修复计时',
  confirm_repair_clock_pause: '确认暂停修复计时',
  decline_repair_clock_pause: '不同意暂停修复计时',
  link_change: '关联变更',
  resume_repair_clock: '恢复修复计时',
  escalate: '升级原厂',
  confirm_recovery: '确认自动恢复',
  review: '审核',
  revise: '提交修订',
  implement: '实施',
  verify: '验证',
  assess: '评估',
  approve_scope: '批准范围',
  reject_scope: '驳回范围',
  deliver: '交付',
  request_acceptance: '申请验收',
  accept: '验收通过',
  reject_acceptance: '验收不通过',
};

export const stateZh = (state: unknown): string => STATES_ZH[String(state)] ?? String(state);
export const actionZh = (action: unknown): string => ACTIONS_ZH[String(action)] ?? String(action);
