import { list, nullable, obj, page, strings, text } from './common/schemas';

/** Success schemas of the smaller areas (users, roster, systems, notifications, SLA and calendar, health). */
export const USER = obj({ id: 'uuid', username: 'string', displayName: 'string', roles: strings, phone: 'string?', email: 'string?', active: 'boolean', authSource: { type: 'string', enum: ['local', 'directory'] }, lastSignInAt: 'date-time?' }, '用户 / a user');
export const PASSWORD_SET = obj({ id: 'uuid', passwordSet: 'boolean' });
export const USERS = list(USER);
export const ME = obj({ userId: 'uuid', username: 'string', displayName: 'string', roles: strings, tokenId: 'uuid?', sessionId: 'uuid?' }, '当前登录者（令牌或登录会话） / the signed-in caller (token or session)');
export const TOKEN_CREATED = obj({ id: 'uuid', token: 'string', prefix: 'string', userId: 'uuid', name: 'string', expiresAt: 'date-time?' }, '令牌只显示这一次 / the token is shown this once');
export const TOKENS = list(obj({ id: 'uuid', name: 'string', prefix: 'string', createdAt: 'date-time', expiresAt: 'date-time?', lastUsedAt: 'date-time?', revokedAt: 'date-time?' }));
export const REVOKED = obj({ id: 'uuid', revoked: 'boolean' });

export const MEMBERS = list(obj({ id: 'uuid', username: 'string', displayName: 'string', roles: strings, phone: 'string?', email: 'string?' }));
export const SHIFT = obj({ id: 'uuid', userId: 'uuid', startsAt: 'date-time', endsAt: 'date-time', note: 'string?' });
export const ON_DUTY = obj({ onDuty: nullable(obj({ userId: 'uuid', displayName: 'string', shiftId: 'uuid' })) });

export const SYSTEM = obj({ id: 'uuid', code: 'string', seq: 'integer', displayName: 'string', sourceName: 'string', entryKind: 'string', vendorName: 'string?', active: 'boolean' }, '业务系统 / a business system');
export const SYSTEMS = list(SYSTEM);

export const DELIVERIES = page(
  obj({ id: 'uuid', processId: 'string?', incidentNumber: 'string?', event: 'string', recipientKind: 'string', recipientId: 'string?', recipient: 'string?', channel: 'string', status: 'string', attempts: 'integer', lastError: 'string?', providerResponse: 'string?', title: 'string', createdAt: 'date-time', sentAt: 'date-time?' }),
);
export const INBOX = list(obj({ id: 'uuid', incidentId: 'uuid?', event: 'string', title: 'string', body: 'string', createdAt: 'date-time', readAt: 'date-time?' }));
export const CHANNELS = obj({ userId: 'uuid', channels: strings, quietHours: nullable(obj({ start: 'string', end: 'string' })) });

export const SLA_PREVIEW = obj({ kind: 'string', tier: 'string', policyVersion: 'integer', calendarCovered: 'boolean', workingTime: 'boolean', deadlines: { type: 'object', additionalProperties: { type: 'string', format: 'date-time' } }, acceptanceEligibleAt: 'date-time?' });
const coverage = obj({ ok: 'boolean', firstUncoveredDate: 'string?', horizonDays: 'integer', coveredYears: list({ type: 'integer' }) });
export const CALENDAR = obj({ timeZone: 'string', workingHours: list({ type: 'object' }), bundledYears: list({ type: 'integer' }), loadedYears: list(obj({ year: 'integer', source: 'string', loadedBy: 'string', loadedAt: 'date-time' })), coverage });
export const CALENDAR_YEAR = obj({ year: 'integer', holidays: strings, workdays: strings, source: 'string', coverage });
export const SLA_POLICY = obj({ version: 'integer', name: 'string', incident: 'object', modification: 'object', warningFractions: list({ type: 'number' }), overrides: list({ type: 'object' }) }, 'SLA 策略（版本化）/ a versioned SLA policy');
export const SLA_POLICIES = list(SLA_POLICY);

const probe = obj({ ok: 'boolean', latencyMs: 'integer', error: 'string?' });
export const HEALTH = obj(
  { status: { type: 'string', enum: ['ok', 'degraded', 'down'] }, postgres: probe, temporal: probe, worker: probe, calendar: coverage },
  '管理员可见全部细节，其他人只看到 status / admins see every detail, others the status alone',
);
export const LIVE = obj({ status: 'string' });
export const HTML = text('HTML');
