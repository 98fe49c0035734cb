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

/** Statements the classifier did not understand; `script` says which script (absent: the forward script, as before issue 9). */
export interface UnparsedStatement {
  index: number;
  error: string;
  script?: 'forward' | 'rollback';
}

/** What the SQL classifier found in one script. */
export interface ScriptFindings {
  objects: AffectedObject[];
  schemaChange: boolean;
  destructive: boolean;
  unparsed: { index: number; error: string }[];
  riskFloor: Risk;
}

export interface Revision {
  number: number;
  /** The SQL by reference (every revision submitted since issue 9). */
  scripts?: RevisionScripts;
  /** Revisions submitted before carried the SQL inline; readers take either. */
  forwardScript?: string;
  rollbackScript?: string;
  /** What the submitter declared and what the SQL classifier found in the forward script, merged. */
  objects: AffectedObject[];
  /** Of either script: the rollback is run on the same database and is reviewed with the same rules (S4). */
  schemaChange: boolean;
  destructive: boolean;
  unparsed: UnparsedStatement[];
  risk: Risk;
  submittedAt: number;
  submittedBy: ChangeActor;
  /** What the classifier found in the rollback script; absent on revisions submitted before issue 9. */
  rollback?: Omit<ScriptFindings, 'riskFloor'>;
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

/**
 * S4: whatever the submitter claimed, a schema object makes it a reviewed change; destructive SQL, and SQL the
 * classifier could not see through, make it high risk. The rollback script is judged by the same rules.
 */
export function assessRevision(input: {
  declaredRisk: Risk;
  declaredObjects: AffectedObject[];
  found: ScriptFindings;
  rollback?: ScriptFindings;
}): Pick<Revision, 'objects' | 'schemaChange' | 'destructive' | 'unparsed' | 'risk' | 'rollback'> {
  const key = (o: AffectedObject) => `${o.type}|${o.name.toLowerCase()}|${o.action}`;
  const objects = [...input.declaredObjects];
  for (const o of input.found.objects) if (!objects.some((d) => key(d) === key(o))) objects.push(o);
  const declaredSchema = input.declaredObjects.some((o) => o.type !== 'data');
  const back = input.rollback;
  const schemaChange = input.found.schemaChange || declaredSchema || (back?.schemaChange ?? false);
  const destructive = input.found.destructive || (back?.destructive ?? false);
  const unparsed: UnparsedStatement[] = [
    ...input.found.unparsed.map((u) => ({ ...u, script: 'forward' as const })),
    ...(back?.unparsed ?? []).map((u) => ({ ...u, script: 'rollback' as const })),
  ];
  const failClosed: Risk = destructive || unparsed.length > 0 ? 'high' : 'low';
  return {
    objects,
    schemaChange,
    destructive,
    unparsed,
    risk: maxRisk(input.declaredRisk, input.found.riskFloor, back?.riskFloor ?? 'low', schemaChange ? 'medium' : 'low', failClosed),
    ...(back ? { rollback: { objects: back.objects, schemaChange: back.schemaChange, destructive: back.destructive, unparsed: back.unparsed } } : {}),
  };
}

/** How review is decided; workflows that started before issue 9 replay with the old rule. */
export interface ReviewRules {
  /** A standard change may not carry a destructive statement (S4): it goes to review. */
  destructiveForcesReview: boolean;
}
export const REVIEW_RULES: ReviewRules = { destructiveForcesReview: true };

/**
 * A standard change skips review only when nothing in either script touches the schema, destroys data or was not
 * understood (fail closed).
 */
export function needsReview(kind: ChangeKind, revision: Revision, rules: ReviewRules = REVIEW_RULES): boolean {
  if (kind !== 'standard' || revision.schemaChange || revision.unparsed.length > 0) return true;
  return rules.destructiveForcesReview && revision.destructive;
}

/** High risk needs two approvals, one of them an it_manager; otherwise one. */
export function approvalsComplete(risk: Risk, approvals: Approval[]): boolean {
  if (risk !== 'high') return approvals.length >= 1;
  return approvals.length >= 2 && approvals.some((a) => a.by.roles.includes('it_manager'));
}

export function forbidden(message: string, messageZh?: string): DomainError {
  return new DomainError(DomainErrorCode.Forbidden, message, {}, messageZh);
}

export function illegal(state: string, message: string, allowedActions: string[], messageZh?: string): DomainError {
  return new DomainError(DomainErrorCode.IllegalTransition, message, { state, allowedActions }, messageZh);
}
