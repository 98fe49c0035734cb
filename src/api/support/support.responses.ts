import { list, obj, page } from '../common/schemas';

export const SUPPORT_REQUEST = obj({
  id: 'uuid',
  number: 'string',
  type: 'string',
  typeLabel: 'string',
  title: 'string',
  description: 'string',
  state: 'string',
  stateLabel: 'string',
  system: obj({ id: 'uuid', code: 'string', name: 'string' }),
  requester: obj({ name: 'string', department: 'string' }),
  submittedAt: 'date-time',
  dueAt: 'date-time',
  workingDays: 'number',
  touchesData: 'boolean',
  fulfilledAt: 'date-time?',
  result: 'string?',
  change: { type: 'object', nullable: true },
  breached: 'boolean',
  confirmedAt: 'date-time?',
  allowedActions: list({ type: 'string' }),
});

export const SUPPORT_REQUEST_DETAIL = obj({
  ...(SUPPORT_REQUEST.properties as Record<string, never>),
  timeline: list(obj({ seq: 'integer', type: 'string', actor: 'string?', at: 'date-time', note: 'string?' })),
});
export const SUPPORT_REQUEST_PAGE = page(SUPPORT_REQUEST);
export const SUPPORT_POLICIES = obj({ policies: list(obj({ type: 'string', label: 'string', workingDays: 'number', touchesData: 'boolean' })) });
