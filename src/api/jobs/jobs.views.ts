import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** Success bodies of the jobs, patch and SSH routes, for the OpenAPI page. */
const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const nullable = (s: SchemaObject): SchemaObject => ({ ...s, nullable: true });
const output = { type: 'object', properties: { head: str, tail: str, omittedBytes: int } } as const;

export const RUN_HOST_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: str,
    seq: int,
    batch: int,
    itemId: str,
    name: str,
    address: str,
    port: int,
    osFamily: str,
    status: { type: 'string', enum: ['pending', 'running', 'succeeded', 'failed', 'skipped'] },
    exitCode: nullable(int),
    errorKind: nullable({ type: 'string', enum: ['unreachable', 'auth', 'host_key', 'timeout', 'nonzero_exit', 'error'] }),
    errorMessage: nullable(str),
    durationMs: nullable(int),
    stdout: output,
    stderr: output,
    data: { type: 'object', description: 'patch runs: available, plan, before, after, verify, rollback; host-key problems' },
    startedAt: nullable(str),
    finishedAt: nullable(str),
  },
};

export const RUN_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: str,
    number: { type: 'string', example: 'JOB-20261130-0001' },
    kind: { type: 'string', enum: ['job', 'patch'] },
    state: { type: 'string', enum: ['running', 'paused', 'succeeded', 'completed_with_failures', 'stopped_threshold', 'stopped_window', 'rolled_back', 'cancelled'] },
    stopReason: nullable(str),
    allowedActions: { type: 'array', items: { type: 'string', enum: ['pause', 'resume', 'cancel'] } },
    template: nullable({ type: 'object', properties: { id: str, name: str, version: int, scriptSha256: str } }),
    parameters: { type: 'object' },
    readOnly: bool,
    production: bool,
    change: nullable({ type: 'object', properties: { id: str, number: str } }),
    scheduleId: nullable(str),
    requestedBy: str,
    counts: { type: 'object', properties: { total: int, pending: int, running: int, succeeded: int, failed: int, skipped: int } },
    byErrorKind: { type: 'object', additionalProperties: int },
    events: { type: 'array', items: { type: 'object' } },
    createdAt: str,
    finishedAt: nullable(str),
    hosts: { type: 'array', items: RUN_HOST_SCHEMA },
  },
};

export const RUN_LIST_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { items: { type: 'array', items: { type: 'object', properties: { id: str, number: str, kind: str, state: str, requestedBy: str, changeId: nullable(str), createdAt: str, finishedAt: nullable(str) } } } },
};

export const TEMPLATE_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: str,
    name: str,
    description: nullable(str),
    shell: { type: 'string', enum: ['bash', 'powershell'] },
    readOnly: bool,
    currentVersion: int,
    versions: { type: 'array', items: { type: 'object', properties: { version: int, script: str, scriptSha256: str, parameters: { type: 'array', items: { type: 'object' } }, readOnly: bool, createdBy: str, createdAt: str } } },
  },
};

export const TEMPLATE_LIST_SCHEMA: SchemaObject = { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { id: str, name: str, shell: str, readOnly: bool, currentVersion: int } } } } };

export const SCHEDULE_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: str,
    name: str,
    scheduleId: str,
    template: { type: 'object', properties: { id: str, name: str } },
    cron: str,
    timeZone: str,
    overlap: str,
    changeId: nullable(str),
    paused: nullable(bool),
    note: nullable(str),
    nextRuns: { type: 'array', items: str },
    recentRuns: { type: 'array', items: { type: 'object', properties: { id: str, number: str, state: str, createdAt: str } } },
  },
};

export const SCHEDULE_LIST_SCHEMA: SchemaObject = { type: 'object', properties: { items: { type: 'array', items: SCHEDULE_SCHEMA } } };
export const DELETED_SCHEMA: SchemaObject = { type: 'object', properties: { id: str, deleted: bool } };
export const AUDIT_SCHEMA: SchemaObject = { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { id: int, at: str, actor: str, action: str, data: { type: 'object' } } } } } };

export const CREDENTIAL_SCHEMA: SchemaObject = { type: 'object', description: 'never the secret', properties: { id: str, name: str, username: str, kind: { type: 'string', enum: ['password', 'key'] }, become: str, createdAt: str } };
export const CREDENTIAL_LIST_SCHEMA: SchemaObject = { type: 'object', properties: { items: { type: 'array', items: CREDENTIAL_SCHEMA } } };
export const HOST_KEY_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { id: str, host: str, port: int, keyType: str, publicKey: str, fingerprint: { type: 'string', example: 'SHA256:…' }, source: { type: 'string', enum: ['scan', 'import'] }, state: str, acceptedBy: str, acceptedAt: str, revokedAt: nullable(str) },
};
export const HOST_KEY_LIST_SCHEMA: SchemaObject = { type: 'object', properties: { items: { type: 'array', items: HOST_KEY_SCHEMA } } };
export const SCAN_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { host: str, port: int, presented: { type: 'object', properties: { keyType: str, publicKey: str, fingerprint: str } }, pinned: nullable(HOST_KEY_SCHEMA), status: { type: 'string', enum: ['not_pinned', 'matches', 'changed'] } },
};
