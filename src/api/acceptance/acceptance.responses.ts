import { list, nullable, obj, strings } from '../common/schemas';

/** S17: an acceptance pack as the API shows it. */
export const PACK_VIEW = obj(
  {
    id: 'uuid',
    number: 'string',
    scope: 'string',
    state: 'string',
    stateLabel: 'string',
    contract: 'string?',
    modification: 'string?',
    period: obj({ from: 'string', to: 'string' }),
    requestedBy: obj({ id: 'string', name: 'string' }),
    zip: nullable(obj({ sha256: 'string', download: 'string' })),
    pdfSha256: 'string?',
    xlsxSha256: 'string?',
    ledgerHead: nullable(obj({ seq: 'integer', hash: 'string' })),
    summary: { type: 'object', nullable: true },
    error: 'string?',
    decision: nullable(obj({ by: obj({ id: 'string', name: 'string' }), at: 'date-time', note: 'string?' })),
    allowedActions: strings,
    createdAt: 'date-time',
    builtAt: 'date-time?',
  },
  '验收资料包 / an acceptance pack',
);
export const PACK_LIST = list(PACK_VIEW);
