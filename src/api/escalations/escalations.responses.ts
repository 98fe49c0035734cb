import { list, obj, text } from '../common/schemas';

export const ESCALATION = obj(
  {
    id: 'uuid',
    incidentId: 'uuid',
    workflowId: 'string',
    vendorId: 'uuid?',
    trigger: 'string',
    reason: 'string',
    reasonEn: 'string',
    status: 'string',
    level: 'integer',
    startedAt: 'date-time',
    acknowledgedAt: 'date-time?',
    acknowledgedBy: 'string?',
    promisedOnSiteAt: 'date-time?',
    arrivedAt: 'date-time?',
    endedAt: 'date-time?',
    history: list(obj({ at: 'date-time', type: 'string', text: 'string', textEn: 'string', note: 'string?' })),
  },
  '原厂升级 / a vendor escalation (S7)',
);
export const ESCALATIONS = list(ESCALATION);
/** A vendor contact's list: the incident it is about (number, title, system) and the vendor called (issue 16). */
export const MY_ESCALATIONS = list({
  ...ESCALATION,
  properties: { ...ESCALATION.properties, vendor: { type: 'string' }, incident: obj({ number: 'string', title: 'string', systemName: 'string' }) },
});
export const ESCALATION_STATE = obj({ id: 'uuid', workflowId: 'string', status: 'string', level: 'integer', acknowledgedBy: 'string?', recordedBy: 'string?', acknowledgedAt: 'date-time?', promisedOnSiteAt: 'date-time?', arrivedAt: 'date-time?' });
export const ACK_PAGE = text('确认页面（HTML）/ the acknowledgement form (HTML)');
