import { DomainError, DomainErrorCode } from '../errors';
import { HOSPITAL_SIDE, Role, holdsAny } from '../roles';

/**
 * S14 maintenance records: every piece of finished work (a resolved incident, a fulfilled support request, an
 * implemented change, a delivered modification) becomes a record of 问题、处理过程、原因、结果, who and when, and
 * the SLA outcome, which both parties confirm: the hospital side (the reporter's department or the IT department)
 * and the vendor side (the project manager). Either may dispute it with a reason; a hospital dispute of an incident
 * reopens the work, any other dispute asks the vendor for a correction, which is a new ledger entry.
 */
export const RECORD_SOURCE_KINDS = ['incident', 'support_request', 'change', 'modification'] as const;
export type RecordSourceKind = (typeof RECORD_SOURCE_KINDS)[number];

export const RECORD_STATES = ['pending', 'confirmed', 'disputed', 'superseded'] as const;
export type RecordState = (typeof RECORD_STATES)[number];

export type Party = 'hospital' | 'vendor';
export const PARTIES: readonly Party[] = ['hospital', 'vendor'];

/** The vendor's signatories: the project manager signs for the vendor (S14), the quality manager may stand in. */
export const VENDOR_SIGNATORIES: readonly Role[] = ['project_manager', 'quality_manager'];
/** Who may correct a disputed record: the vendor's team that did and signs the work. */
export const RECORD_CORRECTORS: readonly Role[] = ['engineer', 'project_manager', 'quality_manager'];
export const RECORD_SIGNERS: readonly Role[] = [...HOSPITAL_SIDE, ...VENDOR_SIGNATORIES];

/** The side a signer acts for. Someone holding both (an administrator) must say which. */
export function partyOf(roles: readonly string[], asked?: Party): Party {
  const hospital = holdsAny(roles, HOSPITAL_SIDE);
  const vendor = holdsAny(roles, VENDOR_SIGNATORIES);
  if (asked) {
    if ((asked === 'hospital' && hospital) || (asked === 'vendor' && vendor)) return asked;
    throw new DomainError(DomainErrorCode.Forbidden, `you do not sign for the ${asked} side`, { party: asked }, `您不能代表${asked === 'hospital' ? '医院' : '服务商'}一方签署`);
  }
  if (hospital && vendor) {
    throw new DomainError(DomainErrorCode.InvalidInput, 'party: say which side you sign for (hospital or vendor)', { field: 'party', reason: 'required' }, 'party：请指明代表哪一方签署（hospital 或 vendor）');
  }
  if (hospital) return 'hospital';
  if (vendor) return 'vendor';
  throw new DomainError(DomainErrorCode.Forbidden, 'only the hospital side or the vendor project manager signs records', {}, '仅医院一方或服务商项目经理可签署维护记录');
}

/** One party's signature on the record's current version. */
export interface Signature {
  by: { id: string; name: string };
  at: number;
  entrySeq: number;
  comment: string | null;
}

export interface RecordStatus {
  state: RecordState;
  version: number;
  hospital: Signature | null;
  vendor: Signature | null;
  dispute: { party: Party; by: { id: string; name: string }; at: number; reason: string; entrySeq: number } | null;
}

export type RecordAction = 'confirm' | 'dispute' | 'correct';

/** What may happen to a record now, for the given party (null: a corrector). */
export function recordActions(s: RecordStatus, party: Party | null): RecordAction[] {
  if (s.state === 'pending' && party) return s[party] ? [] : ['confirm', 'dispute'];
  if (s.state === 'disputed' && party === null) return ['correct'];
  return [];
}

function illegal(s: RecordStatus, action: RecordAction, en: string, zh: string): DomainError {
  return new DomainError(DomainErrorCode.IllegalTransition, en, { state: s.state, action }, zh);
}

/** A party confirms the current version; the record is confirmed once both have. */
export function confirm(s: RecordStatus, party: Party, sig: Signature): RecordStatus {
  if (s.state !== 'pending') throw illegal(s, 'confirm', `a ${s.state} record cannot be confirmed`, `记录当前为「${STATE_ZH[s.state]}」，不能确认`);
  if (s[party]) throw illegal(s, 'confirm', `the ${party} side has already confirmed this version`, `${PARTY_ZH[party]}已确认此版本`);
  const next = { ...s, [party]: sig };
  return { ...next, state: next.hospital && next.vendor ? 'confirmed' : 'pending' };
}

/** A party disputes the current version with a reason; both signatures lapse until a correction or new work. */
export function dispute(s: RecordStatus, party: Party, by: { id: string; name: string }, at: number, reason: string, entrySeq: number): RecordStatus {
  if (s.state !== 'pending') throw illegal(s, 'dispute', `a ${s.state} record cannot be disputed`, `记录当前为「${STATE_ZH[s.state]}」，不能提出异议`);
  if (s[party]) throw illegal(s, 'dispute', `the ${party} side has already confirmed this version`, `${PARTY_ZH[party]}已确认此版本，不能再提出异议`);
  return { ...s, state: 'disputed', dispute: { party, by, at, reason, entrySeq } };
}

/** The vendor corrects a disputed record: a new version that both parties confirm afresh. */
export function correct(s: RecordStatus): RecordStatus {
  if (s.state !== 'disputed') throw illegal(s, 'correct', 'only a disputed record is corrected', '只有存在异议的记录可以更正');
  return { state: 'pending', version: s.version + 1, hospital: null, vendor: null, dispute: null };
}

/** Reopened work makes the record superseded: the next resolution brings its own record. */
export function supersede(s: RecordStatus): RecordStatus {
  return { ...s, state: 'superseded' };
}

export const STATE_ZH: Record<RecordState, string> = { pending: '待确认', confirmed: '双方已确认', disputed: '有异议', superseded: '已被后续记录取代' };
export const PARTY_ZH: Record<Party, string> = { hospital: '医院方', vendor: '服务商' };
export const SOURCE_ZH: Record<RecordSourceKind, string> = { incident: '故障处理', support_request: '服务请求', change: '变更实施', modification: '改造交付' };
