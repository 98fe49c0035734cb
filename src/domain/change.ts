import { DomainError, DomainErrorCode } from './errors';

/**
 * Change management (S4): no change to database tables, views or stored procedures before the hospital's IT
 * department has reviewed and approved it. Standard changes are pre-approved templates; emergency changes are
 * implemented first and reviewed afterwards.
 */
export const CHANGE_KINDS = ['standard', 'normal', 'emergency'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export const RISKS = ['low', 'medium', 'high'] as const;
export type Risk = (typeof RISKS)[number];

export const CHANGE_STATES = ['in_review', 'sent_back', 'approved', 'rejected', 'implemented', 'verified', 'rolled_back', 'closed', 'cancelled'] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];

export const REVIEW_DECISIONS = ['approve', 'reject', 'send_back'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export const OBJECT_TYPES = ['table', 'view', 'procedure', 'function', 'trigger', 'index', 'data'] as const;
export const OBJECT_ACTIONS = ['create', 'alter', 'drop', 'update'] as const;

export interface AffectedObject {
  type: string;
  name: string;
  action: string;
}

export interface ChangeActor {
  id: string;
  name: string;
  roles: string[];
}

/** Where a revision's SQL is kept (table change_scripts) and what it hashes to: the workflow never holds the text. */
export interface RevisionScripts {
  id: string;
  dialect: string;
  forwardSha256: string;
  rollbackSha256: string;
  forwardChars: number;
  rollbackChars: number;
}

export interface Revision {
  number: number;
  /** The SQL by reference (every revision submitted since issue 9). */
  scripts?: RevisionScripts;
  /** Revisions submitted before carried the SQL inline; readers take either. */
  forwardScript?: string;
  rollbackScript?: string;
  /** What the submitter declared and what the SQL classifier found, merged. */
  objects: AffectedObject[];
  schemaChange: boolean;
  destructive: boolean;
  unparsed: { index: number; error: string }[];
  risk: Risk;
  submittedAt: number;
  submittedBy: ChangeActor;
}

export interface Approval {
  revision: number;
  by: ChangeActor;
  at: number;
  comment: string | null;
}

const RANK: Record<Risk, number> = { low: 0, medium: 1, high: 2 };
export function maxRisk(...risks: Risk[]): Risk {
  return risks.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'low' as Risk);
}

/** S4: whatever the submitter claimed, a schema object makes it a reviewed change; destructive SQL raises the risk. */
export function assessRevision(input: {
  declaredRisk: Risk;
  declaredObjects: AffectedObject[];
  found: { objects: AffectedObject[]; schemaChange: boolean; destructive: boolean; unparsed: { index: number; error: string }[]; riskFloor: Risk };
}): Pick<Revision, 'objects' | 'schemaChange' | 'destructive' | 'unparsed' | 'risk'> {
  const key = (o: AffectedObject) => `${o.type}|${o.name.toLowerCase()}|${o.action}`;
  const objects = [...input.declaredObjects];
  for (const o of input.found.objects) if (!objects.some((d) => key(d) === key(o))) objects.push(o);
  const declaredSchema = input.declaredObjects.some((o) => o.type !== 'data');
  const schemaChange = input.found.schemaChange || declaredSchema;
  return {
    objects,
    schemaChange,
    destructive: input.found.destructive,
    unparsed: input.found.unparsed,
    risk: maxRisk(input.declaredRisk, input.found.riskFloor, schemaChange ? 'medium' : 'low'),
  };
}

/** A standard change skips review only when nothing in it touches the schema or fails to parse. */
export function needsReview(kind: ChangeKind, revision: Revision): boolean {
  return kind !== 'standard' || revision.schemaChange || revision.unparsed.length > 0;
}

/** High risk needs two approvals, one of them an it_manager; otherwise one. */
export function approvalsComplete(risk: Risk, approvals: Approval[]): boolean {
  if (risk !== 'high') return approvals.length >= 1;
  return approvals.length >= 2 && approvals.some((a) => a.by.roles.includes('it_manager'));
}

export function forbidden(message: string): DomainError {
  return new DomainError(DomainErrorCode.Forbidden, message);
}

export function illegal(state: string, message: string, allowedActions: string[]): DomainError {
  return new DomainError(DomainErrorCode.IllegalTransition, message, { state, allowedActions });
}
