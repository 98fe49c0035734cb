import { list, obj, strings } from '../common/schemas';

/** Success schemas of job templates, runs and schedules (P5). */
export const TEMPLATE = obj({ id: 'uuid', name: 'string', description: 'string?', shell: 'string', readOnly: 'boolean', currentVersion: 'integer', versions: list({ type: 'object' }) }, '作业模板 / a job template');
export const TEMPLATES = list(TEMPLATE);
export const RUN = obj({ id: 'uuid', number: 'string', state: 'string', templateId: 'uuid', templateVersion: 'integer', counts: 'object', hosts: list({ type: 'object' }), createdAt: 'date-time' }, '作业执行 / a job run');
export const RUNS = list(RUN);
export const AUDIT = list(obj({ at: 'date-time', actor: 'string?', action: 'string', detail: 'object' }));
export const SCHEDULE = obj({ id: 'uuid', name: 'string', cron: 'string', paused: 'boolean', runs: list({ type: 'object' }) }, '运维计划 / a schedule');
export const SCHEDULES = list(SCHEDULE);
export const REMOVED = obj({ id: 'uuid', deleted: 'boolean' });
export const CREDENTIAL = obj({ id: 'uuid', name: 'string', kind: 'string', username: 'string', createdAt: 'date-time' }, 'SSH 凭据（不含密钥）/ an SSH credential, never its secret');
export const CREDENTIALS = list(CREDENTIAL);
export const HOST_KEY = obj({ id: 'uuid', host: 'string', port: 'integer', algorithm: 'string', fingerprint: 'string', state: 'string' });
export const HOST_KEYS = list(HOST_KEY);
export const SCANNED = obj({ host: 'string', port: 'integer', keys: list(obj({ algorithm: 'string', fingerprint: 'string', key: 'string' })), pinned: strings });
