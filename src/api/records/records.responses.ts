import { list, nullable, obj, page, strings } from '../common/schemas';

const SIGNATURE = nullable(obj({ by: obj({ id: 'string', name: 'string' }), at: 'date-time', entrySeq: 'integer', comment: 'string?' }));

/** A maintenance record (S14) as the API shows it. */
const RECORD_PROPS = {
    id: 'uuid',
    number: 'string',
    type: 'string',
    typeLabel: 'string',
    source: obj({ kind: 'string', id: 'uuid', number: 'string', link: 'string', timelineLink: 'string' }),
    system: obj({ id: 'uuid', code: 'string', name: 'string' }),
    title: 'string',
    content: obj({ problem: 'string', process: 'string', cause: 'string', result: 'string' }),
    version: 'integer',
    state: 'string',
    stateLabel: 'string',
    hospital: SIGNATURE,
    vendor: SIGNATURE,
    dispute: nullable(obj({ party: 'string', reason: 'string', at: 'date-time' })),
    startedAt: 'date-time',
    completedAt: 'date-time',
    slaBreached: 'boolean',
    headSeq: 'integer',
    allowedActions: strings,
} as const;
export const RECORD_VIEW = obj(RECORD_PROPS, '维护记录 / a maintenance record');

const ENTRY = obj({ seq: 'integer', kind: 'string', contentHash: 'string', prevHash: 'string', entryHash: 'string', correctsSeq: 'integer?', signer: obj({ id: 'string', name: 'string', party: 'string' }), signedAt: 'date-time' });

export const RECORD_DETAIL = obj({ ...RECORD_PROPS, entries: list(ENTRY), timeline: list(obj({ seq: 'integer', type: 'string', at: 'date-time', actorName: 'string?', note: 'string?' })) }, '维护记录及其台账条目和过程时间线 / a record with its ledger entries and the process timeline');
export const RECORD_PAGE = page(RECORD_VIEW);
export const DISPUTE_RESULT = obj({ record: RECORD_VIEW, reopened: 'boolean', reopenError: 'string?' });
export const VERIFY_RESULT = obj({
  ok: 'boolean',
  entries: 'integer',
  head: nullable(obj({ seq: 'integer', hash: 'string' })),
  firstBad: nullable(obj({ seq: 'integer', recordId: 'uuid?', recordNumber: 'string?', reason: 'string', expected: 'string', found: 'string' })),
  message: 'string',
});
