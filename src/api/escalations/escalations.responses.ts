import { list, obj, text } from '../common/schemas';

export const ESCALATION = obj(
  {
    id: 'uuid',
    incidentId: 'uuid',
    workflowId: 'string',
    vendorId: 'uuid?',
    trigger: 'string',
    reason: 'string',
    status: 'string',
    level: 'integer',
    startedAt: 'date-time',
    acknowledgedAt: 'date-time?',
    acknowledgedBy: 'string?',
    promisedOnSiteAt: 'date-time?',
    arrivedAt: 'date-time?',
    endedAt: 'date-time?',
    history: list(obj({ at: 'date-time', type: 'string', note: 'string?' })),
  },
  '原厂升级 / a vendor escalation (S7)',
);
export const ESCALATIONS = list(ESCALATION);
export const ESCALATION_STATE = obj({ id: 'uuid', workflowId: 'string', status: 'string', level: 'integer', acknowledgedBy: 'string?', recordedBy: 'string?', acknowledgedAt: 'date-time?', promisedOnSiteAt: 'date-time?', arrivedAt: 'date-time?' });
export const ACK_PAGE = text('确认页面（HTML）/ the acknowledgement form (HTML)');
