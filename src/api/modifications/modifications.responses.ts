import { list, nullable, obj, strings } from '../common/schemas';

/** A modification request (S3, S11, S17): delivery clock, acceptance and free maintenance. */
export const MODIFICATION_VIEW = obj(
  {
    id: 'uuid',
    number: 'string',
    type: 'string',
    title: 'string',
    state: 'string',
    assessment: nullable(obj({ feasible: 'boolean', effortDays: 'number', schemaChange: 'boolean', linkedChangeId: 'uuid?', note: 'string?' })),
    delivery: obj({ deadline: 'date-time?', state: 'string', breached: 'boolean', breachedAt: 'date-time?' }),
    liveAt: 'date-time?',
    acceptanceEligibleAt: 'date-time?',
    acceptedAt: 'date-time?',
    maintenanceEndsAt: 'date-time?',
    allowedActions: strings,
    events: list(obj({ seq: 'integer', type: 'string', at: 'date-time', fromState: 'string?', toState: 'string', note: 'string?' })),
  },
  '改造需求 / a modification request',
);

export const MODIFICATION_ROWS = list(
  obj({ id: 'uuid', number: 'string', type: 'string', title: 'string', state: 'string', department: 'string', submittedAt: 'date-time', deliveryDue: 'date-time?', deliveryBreached: 'boolean', liveAt: 'date-time?', acceptedAt: 'date-time?', maintenanceEndsAt: 'date-time?' }),
);
