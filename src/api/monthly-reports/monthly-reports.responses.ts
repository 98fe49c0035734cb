import { list, nullable, obj, strings } from '../common/schemas';

/** S8: a monthly service report as the API shows it. */
export const MONTHLY_REPORT_VIEW = obj(
  {
    id: 'uuid',
    month: 'string',
    title: 'string',
    state: 'string',
    stateLabel: 'string',
    trigger: 'string',
    period: obj({ from: 'string', to: 'string' }),
    version: 'integer',
    figures: { type: 'object', nullable: true, description: '报告中的全部数字 / every figure the report shows' },
    sections: strings,
    improvementPlan: 'string?',
    planEdits: list(obj({ by: obj({ id: 'string', name: 'string' }), as: strings, at: 'date-time' })),
    pdf: nullable(obj({ sha256: 'string', download: 'string' })),
    xlsx: nullable(obj({ sha256: 'string', download: 'string' })),
    published: nullable(obj({ by: obj({ id: 'string', name: 'string' }), at: 'date-time' })),
    error: 'string?',
    allowedActions: strings,
  },
  '月度服务报告 / a monthly service report',
);
export const MONTHLY_REPORT_LIST = list(MONTHLY_REPORT_VIEW);
