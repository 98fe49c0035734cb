import { list, nullable, obj, strings, text } from '../common/schemas';

/** A configuration item (P1). */
export const ITEM = obj(
  {
    id: 'uuid',
    type: 'string',
    typeLabel: 'string',
    name: 'string',
    displayName: 'string',
    ownerDepartment: 'string?',
    criticality: 'string',
    lifecycleStatus: 'string',
    attributes: 'object',
    businessSystemId: 'uuid?',
    vendor: nullable(obj({ id: 'uuid', name: 'string' })),
    revenuePerHour: { type: 'number', nullable: true },
    createdAt: 'date-time',
    updatedAt: 'date-time',
  },
  '配置项 / a configuration item',
);
const side = obj({ id: 'uuid', type: 'string', name: 'string', displayName: 'string' });
export const ITEM_DETAIL = { ...ITEM, properties: { ...ITEM.properties, relations: obj({ outgoing: list(obj({ id: 'uuid', type: 'string', target: side })), incoming: list(obj({ id: 'uuid', type: 'string', source: side })) }) } };
export const ITEM_PAGE = obj({ total: 'integer', limit: 'integer', offset: 'integer', items: list(ITEM) });
export const TYPES = obj({ itemTypes: list(obj({ type: 'string', label: 'string', attributes: 'object' })), relationTypes: list(obj({ type: 'string', label: 'string', dependency: 'boolean' })) });
export const RELATION = obj({ id: 'uuid', type: 'string', sourceId: 'uuid', targetId: 'uuid', source: obj({ id: 'uuid', type: 'string', name: 'string' }), target: obj({ id: 'uuid', type: 'string', name: 'string' }), createdAt: 'date-time' });
export const DELETED = obj({ id: 'uuid', deleted: 'boolean', relationsDeleted: 'integer' });
export const HISTORY = obj({ item: obj({ id: 'uuid', type: 'string', name: 'string' }), entries: list(obj({ id: 'integer', subject: 'string', action: 'string', actor: obj({ id: 'string?', name: 'string?' }), at: 'date-time', before: 'object', after: 'object' })) });
const brief = obj({ id: 'uuid', type: 'string', name: 'string', displayName: 'string' });
export const IMPACT = obj({ item: brief, maxDepth: 'integer', affectedItems: 'integer', businessSystems: list(obj({ id: 'uuid', name: 'string', displayName: 'string', path: list({ type: 'object' }), revenuePerHour: { type: 'number', nullable: true } })), revenuePerHourAtStake: 'number' });
export const DEPENDENCIES = obj({ item: brief, maxDepth: 'integer', dependencies: list(obj({ id: 'uuid', type: 'string', name: 'string', path: list({ type: 'object' }) })) });
export const TOPOLOGY = obj({ root: 'uuid', depth: 'integer', truncated: 'boolean', nodes: list(ITEM), edges: list(obj({ id: 'uuid', type: 'string', source: 'uuid', target: 'uuid', label: 'string' })) });
export const IMPORT_REPORT = obj({
  dryRun: 'boolean',
  summary: obj({ rows: 'integer', create: 'integer', update: 'integer', unchanged: 'integer', refuse: 'integer' }),
  rows: list(obj({ row: 'integer', type: 'string', name: 'string', action: 'string', changes: strings, errors: list(obj({ field: 'string', reason: 'string' })), id: 'uuid' })),
});
export const CSV = text('CSV（UTF-8，含表头）/ CSV with a header row');
export const XLSX = { type: 'string', format: 'binary', description: 'Excel 工作簿 / an .xlsx workbook' } as const;
export const HTML = text('HTML');
export const SCRIPT = text('JavaScript');
