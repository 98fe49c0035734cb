import { list, nullable, obj, strings } from '../common/schemas';

const MILESTONE = obj({
  code: 'string',
  label: 'string',
  sharePercent: 'integer',
  amount: { type: 'number', nullable: true },
  state: 'string',
  stateLabel: 'string',
  waitingFor: 'string?',
  paidAt: 'date-time?',
  acceptedPack: nullable(obj({ id: 'uuid', number: 'string', acceptedAt: 'date-time' })),
});

/** S18: the contract as the API shows it, with what acceptance (S17) still lacks. */
export const CONTRACT_VIEW = obj(
  {
    id: 'uuid',
    number: 'string',
    title: 'string',
    hospital: 'string',
    vendor: 'string',
    period: obj({ startDate: 'string', endDate: 'string', lastDay: 'string', months: 'integer' }),
    timeLeft: obj({ months: 'integer', days: 'integer', started: 'boolean', ended: 'boolean' }),
    amount: { type: 'number', nullable: true },
    currency: 'string',
    systemCount: 'integer',
    systems: list(obj({ id: 'uuid', code: 'string', name: 'string' })),
    milestones: list(MILESTONE),
    acceptance: obj({
      ready: 'boolean',
      lacks: list(obj({ code: 'string', zh: 'string', en: 'string', count: 'integer?' })),
      ledgerHead: nullable(obj({ seq: 'integer', hash: 'string' })),
    }),
    allowedActions: strings,
    updatedAt: 'date-time',
    updatedBy: 'string',
  },
  '服务合同 / the service contract (S18)',
);
export const CONTRACT_LIST = list(CONTRACT_VIEW);
