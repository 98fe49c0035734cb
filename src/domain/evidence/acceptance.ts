import { DomainError, DomainErrorCode, invalidInput } from '../errors';
import { Role, holdsAny } from '../roles';

/**
 * S17: an acceptance pack is built, then the hospital accepts or rejects it. Only the IT manager decides (the
 * hospital's side of the contract); a rejection says why. An accepted pack of the contract's period is what the
 * 60 % payment milestone waits on (S18).
 */
export type PackState = 'building' | 'submitted' | 'accepted' | 'rejected' | 'failed';
export const PACK_DECIDERS: readonly Role[] = ['it_manager'];
export const PACK_STATE_ZH: Record<PackState, string> = { building: '生成中', submitted: '待验收', accepted: '已验收', rejected: '已退回', failed: '生成失败' };

export interface PackDecision {
  decision: 'accept' | 'reject';
  note: string | null;
  actor: { id: string; name: string; roles: string[] };
}

export function validatePackDecision(state: PackState, d: PackDecision): void {
  if (!holdsAny(d.actor.roles, PACK_DECIDERS)) {
    throw new DomainError(DomainErrorCode.Forbidden, 'only the IT manager accepts or rejects an acceptance pack', {}, '仅信息科主任可验收或退回验收资料包');
  }
  if (state !== 'submitted') {
    throw new DomainError(DomainErrorCode.IllegalTransition, `a ${state} acceptance pack cannot be ${d.decision}ed`, { state, allowedActions: [] }, `验收资料包当前为「${PACK_STATE_ZH[state]}」，不能${d.decision === 'accept' ? '验收' : '退回'}`);
  }
  if (d.decision === 'reject' && !d.note?.trim()) throw invalidInput('note', 'a rejection says why', '退回须说明原因');
}
