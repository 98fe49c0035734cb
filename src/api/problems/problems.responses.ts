import { list, obj, page } from '../common/schemas';

const ref = obj({ id: 'uuid', number: 'string' });

export const PROBLEM = obj({
  id: 'uuid',
  number: 'string',
  title: 'string',
  description: 'string',
  state: 'string',
  stateLabel: 'string',
  system: obj({ id: 'uuid', code: 'string', name: 'string' }),
  origin: { type: 'object' },
  rootCause: 'string?',
  workaround: 'string?',
  changes: list(obj({ id: 'uuid', number: 'string', state: 'string' })),
  fixedBy: { type: 'object', nullable: true },
  incidents: list(ref),
  openedAt: 'date-time',
  closedAt: 'date-time?',
  allowedActions: list({ type: 'string' }),
});

export const PROBLEM_DETAIL = obj({
  ...(PROBLEM.properties as Record<string, never>),
  timeline: list(obj({ seq: 'integer', type: 'string', actor: 'string?', at: 'date-time', fromState: 'string?', toState: 'string', note: 'string?' })),
});

export const PROBLEM_PAGE = page(PROBLEM);
export const RECURRENCE_RULES = obj({ rules: list(obj({ kind: 'string', threshold: 'integer', windowDays: 'integer', enabled: 'boolean', label: 'string' })) });
