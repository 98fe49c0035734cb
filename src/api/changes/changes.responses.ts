import { list, nullable, obj, strings } from '../common/schemas';

const decision = obj({ seq: 'integer', action: 'string', by: 'string?', at: 'date-time', revision: 'integer?', from: 'string?', to: 'string', comment: 'string?' });

/** A change (S4): state, risk found in its SQL, approvals and what may follow. */
/** One statement of a script as the SQL classifier read it (src/infra/sql-classifier.ts). */
const STATEMENT = obj({
  index: 'integer',
  text: { type: 'string', description: '语句（去首尾空白，最多 2000 字符）/ the statement, trimmed, at most 2000 characters' },
  kind: { type: 'string', enum: ['ddl', 'dml', 'dcl', 'query', 'other'] },
  destructive: 'boolean',
  reasons: strings,
  parsed: 'boolean',
  parseError: 'string?',
  objects: list(obj({ type: 'string', name: 'string', action: 'string' })),
});

export const CHANGE_VIEW = obj(
  {
    id: 'uuid',
    number: 'string',
    systemId: 'uuid',
    kind: 'string',
    title: 'string',
    reason: 'string',
    state: 'string',
    risk: 'string',
    schemaChange: 'boolean',
    destructive: 'boolean',
    window: obj({ start: 'date-time', end: 'date-time' }),
    currentRevision: 'integer',
    approvedRevision: 'integer?',
    approvals: list(obj({ revision: 'integer', by: 'string', roles: strings, at: 'date-time', comment: 'string?' })),
    reviewed: 'boolean',
    reviewDueAt: 'date-time?',
    implementedAt: 'date-time?',
    verification: nullable(obj({ outcome: 'string', evidence: 'string', at: 'date-time' })),
    allowedActions: strings,
    history: list(decision),
  },
  '变更及其审核状态 / a change and its review',
);

export const CHANGE_DETAIL = {
  ...CHANGE_VIEW,
  properties: {
    ...CHANGE_VIEW.properties,
    revisions: list(
      obj({
        number: 'integer',
        risk: 'string',
        schemaChange: 'boolean',
        destructive: 'boolean',
        objects: list({ type: 'object' }),
        unparsed: list({ type: 'object' }),
        dialect: 'string?',
        forwardScript: 'string',
        rollbackScript: 'string',
        // Issue 16: each statement with what the classifier made of it, for the reviewer's page (S4).
        forwardStatements: list(STATEMENT),
        rollbackStatements: list(STATEMENT),
        submittedAt: 'date-time',
        submittedBy: 'string',
        diffFromPrevious: nullable(obj({ forward: strings, rollback: strings })),
      }),
    ),
  },
};

export const CHANGE_ROWS = list(
  obj({ id: 'uuid', number: 'string', kind: 'string', title: 'string', state: 'string', risk: 'string', schemaChange: 'boolean', destructive: 'boolean', currentRevision: 'integer', approvedRevision: 'integer?', windowStart: 'date-time', windowEnd: 'date-time' }),
);
