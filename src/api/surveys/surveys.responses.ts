import { list, nullable, obj, text } from '../common/schemas';

const stats = {
  responses: 'integer',
  average: nullable({ type: 'number' }),
  satisfiedPercent: nullable({ type: 'number' }),
  distribution: obj({ 1: 'integer', 2: 'integer', 3: 'integer', 4: 'integer', 5: 'integer' }),
} as const;

/** S8: satisfaction of a period, per month, engineer and system. */
export const SURVEY_SUMMARY = obj({
  from: 'date-time',
  to: 'date-time',
  sent: 'integer',
  ...stats,
  byMonth: list(obj({ month: 'string', ...stats })),
  byEngineer: list(obj({ engineerId: 'string?', name: 'string', ...stats })),
  bySystem: list(obj({ systemId: 'uuid', code: 'string', name: 'string', ...stats })),
});

export const SURVEY_ANSWERS = list(
  obj({ incident: 'string', title: 'string', system: 'string', engineer: 'string?', reporter: 'string', score: 'integer', comment: 'string?', answeredAt: 'date-time' }),
);

export const INCIDENT_SURVEY = obj({
  incident: 'string',
  state: { type: 'string', enum: ['none', 'open', 'answered', 'expired'] },
  sentAt: 'date-time?',
  expiresAt: 'date-time?',
  score: 'integer?',
  comment: 'string?',
  answeredAt: 'date-time?',
  invitation: nullable(
    obj({ status: { type: 'string', enum: ['pending', 'sent', 'failed', 'no_channel'], description: '短信邀请 / the SMS invitation' }, at: 'date-time?', detail: 'string?' }),
  ),
  link: nullable({ type: 'string', description: '一次性链接（仅院方调度与信息科可见） / the one-time link (the hospital desk only)' }),
});

export const SURVEY_PAGE = text('满意度调查页面（HTML）/ the survey form (HTML)');
export const SURVEY_ANSWERED = obj({ incident: 'string', score: 'integer', message: 'string' });
