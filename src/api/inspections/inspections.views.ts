import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** Success bodies of the inspection routes (P4, S16), for the OpenAPI page. */
const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const bool = { type: 'boolean' } as const;
const obj = { type: 'object' } as const;
const nullable = (s: SchemaObject): SchemaObject => ({ ...s, nullable: true });
const text: SchemaObject = { type: 'object', properties: { zh: str, en: str } };
const list = (items: SchemaObject): SchemaObject => ({ type: 'object', properties: { items: { type: 'array', items } } });
const severity: SchemaObject = { type: 'string', enum: ['info', 'low', 'medium', 'high', 'critical'] };

export const INSPECTION_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: str,
    number: { type: 'string', example: 'INS-20261130-0001' },
    workflowId: str,
    profile: { type: 'string', enum: ['quarterly', 'monthly'] },
    trigger: { type: 'string', enum: ['on_demand', 'schedule'] },
    scope: obj,
    state: { type: 'string', enum: ['running', 'completed', 'failed'] },
    phase: { type: 'string', enum: ['preparing', 'collecting', 'scoring', 'reporting', 'done', 'failed'] },
    progress: { type: 'object', properties: { total: int, done: int, running: int, pending: int, findings: int } },
    requestedBy: str,
    previousId: nullable(str),
    catalogue: { type: 'array', items: { type: 'object', properties: { id: str, version: int } } },
    summary: nullable({ type: 'object', description: 'items, scored, findingsBySeverity, worsening, topRisks' }),
    error: nullable(str),
    startedAt: str,
    finishedAt: nullable(str),
    reports: { type: 'array', items: { type: 'object', properties: { id: str, version: int, state: str, createdAt: str } } },
  },
};
export const INSPECTION_LIST_SCHEMA = list(INSPECTION_SCHEMA);

export const FINDING_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: str,
    itemId: str,
    itemName: str,
    itemType: str,
    checkId: str,
    checkVersion: int,
    title: text,
    subject: str,
    status: { type: 'string', enum: ['passed', 'finding', 'skipped', 'error'] },
    severity: nullable(severity),
    severityLabel: nullable(text),
    value: nullable(num),
    compared: nullable(num),
    unit: str,
    threshold: nullable({ type: 'object', properties: { op: str, value: num, severity } }),
    evidence: { type: 'object', description: 'collector, target, command or query, output, detail, previous, errorKind, message' },
    explanation: nullable(text),
    advice: nullable(text),
    measuredAt: str,
  },
};
export const FINDING_LIST_SCHEMA = list(FINDING_SCHEMA);

export const ITEM_SCORE_LIST_SCHEMA = list({
  type: 'object',
  properties: {
    itemId: str,
    type: str,
    name: str,
    displayName: str,
    criticality: str,
    status: str,
    attempts: int,
    checksRun: int,
    findings: int,
    reachable: nullable(bool),
    score: nullable(int),
    previousScore: nullable(int),
    trend: nullable({ type: 'object', properties: { previous: nullable(int), delta: nullable(int), direction: str, worsening: bool } }),
    explanation: nullable({ type: 'object', properties: { rule: text, deductions: { type: 'array', items: { type: 'object', properties: { resultId: str, checkId: str, subject: str, severity, points: num, reason: str } } } } }),
    startedAt: nullable(str),
    finishedAt: nullable(str),
  },
});

export const SYSTEM_SCORE_LIST_SCHEMA = list({
  type: 'object',
  properties: {
    systemId: str,
    name: str,
    displayName: str,
    score: nullable(int),
    previousScore: nullable(int),
    trend: obj,
    explanation: { type: 'object', description: 'mean, weakestCritical, parts (item, criticality, weight, score), unscored, rule (zh/en)' },
  },
});

export const RISK_LIST_SCHEMA = list({
  type: 'object',
  properties: {
    rank: int,
    riskScore: num,
    dependants: int,
    finding: FINDING_SCHEMA,
    raised: { type: 'array', items: { type: 'object', properties: { kind: str, ref: str, by: str, at: str } } },
    raise: str,
  },
});

export const RAISED_SCHEMA: SchemaObject = { type: 'object', properties: { kind: { type: 'string', enum: ['incident', 'change', 'problem'] }, ref: str, created: bool } };

export const CHECK_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: str,
    version: int,
    collector: { type: 'string', enum: ['ssh', 'postgresql', 'mysql', 'prometheus', 'cmdb'] },
    appliesTo: obj,
    profiles: { type: 'array', items: str },
    query: str,
    precondition: str,
    columns: obj,
    unit: str,
    basis: str,
    thresholds: { type: 'array', items: { type: 'object', properties: { op: str, value: num, severity } } },
    onNull: severity,
    severity,
    title: text,
    explanation: text,
    advice: text,
    enabled: bool,
    source: { type: 'string', enum: ['shipped', 'hospital'] },
    createdBy: str,
    createdAt: str,
  },
};
export const CHECK_LIST_SCHEMA = list(CHECK_SCHEMA);
export const CHECK_VERSIONS_SCHEMA: SchemaObject = { type: 'object', properties: { id: str, versions: { type: 'array', items: CHECK_SCHEMA } } };

export const DB_CREDENTIAL_SCHEMA: SchemaObject = { type: 'object', properties: { id: str, name: str, username: str, createdAt: str } };
export const DB_CREDENTIAL_LIST_SCHEMA = list(DB_CREDENTIAL_SCHEMA);

export const SCHEDULE_LIST_SCHEMA = list({
  type: 'object',
  properties: {
    profile: str,
    scheduleId: str,
    exists: bool,
    paused: nullable(bool),
    cron: { type: 'array', items: str },
    timeZone: nullable(str),
    nextRuns: { type: 'array', items: str },
    recentRuns: { type: 'array', items: { type: 'object', properties: { at: str, workflowId: str } } },
  },
});

const file: SchemaObject = { type: 'object', properties: { sha256: str, bytes: int, href: str } };
export const REPORT_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: str,
    inspectionId: str,
    inspectionNumber: str,
    version: int,
    title: str,
    periodStart: nullable(str),
    periodEnd: str,
    state: { type: 'string', enum: ['awaiting_signoff', 'signed_off'] },
    pdf: file,
    xlsx: file,
    signOffs: { type: 'array', items: { type: 'object', properties: { role: str, by: str, note: nullable(str), at: str } } },
    createdAt: str,
  },
};
export const REPORT_LIST_SCHEMA = list(REPORT_SCHEMA);
export const BINARY: SchemaObject = { type: 'string', format: 'binary' };
