import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** Small builders for success schemas in @ApiOp, so a response is documented where its mapper lives. */
export type { SchemaObject };
type Prop = 'string' | 'integer' | 'number' | 'boolean' | 'date-time' | 'uuid' | 'object' | 'string?' | 'integer?' | 'date-time?' | 'uuid?' | SchemaObject;

function prop(p: Prop): SchemaObject {
  if (typeof p !== 'string') return p;
  const nullable = p.endsWith('?');
  const base = p.replace('?', '');
  const s: SchemaObject =
    base === 'date-time' ? { type: 'string', format: 'date-time', example: '2026-11-27T09:30:00+08:00' } : base === 'uuid' ? { type: 'string', format: 'uuid' } : { type: base as SchemaObject['type'] };
  return nullable ? { ...s, nullable: true } : s;
}

export const obj = (properties: Record<string, Prop>, description?: string): SchemaObject => ({
  type: 'object',
  ...(description ? { description } : {}),
  properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, prop(v)])),
});
export const list = (items: SchemaObject): SchemaObject => ({ type: 'array', items });
export const nullable = (s: SchemaObject): SchemaObject => ({ ...s, nullable: true });
export const page = (items: SchemaObject): SchemaObject => obj({ items: list(items), total: 'integer', page: 'integer', pageSize: 'integer' });
export const strings = list({ type: 'string' });
export const text = (description: string): SchemaObject => ({ type: 'string', description });
