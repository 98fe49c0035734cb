// The API's answers always carry every property they document (absent values are null, marked nullable), but its
// response schemas list no `required`. So that the console's generated types say what the API does, every object
// schema under a response gets `required: [all its properties]` unless it names its own; request bodies are left as
// class-validator documented them. Usage: node scripts/responses-required.mjs <openapi.json>
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
const doc = JSON.parse(readFileSync(file, 'utf8'));

function walk(schema) {
  if (!schema || typeof schema !== 'object') return;
  if (Array.isArray(schema)) return schema.forEach(walk);
  if (schema.properties && !schema.required) schema.required = Object.keys(schema.properties);
  for (const key of ['properties', 'additionalProperties', 'items', 'allOf', 'oneOf', 'anyOf']) {
    const v = schema[key];
    if (!v) continue;
    if (key === 'properties') Object.values(v).forEach(walk);
    else walk(v);
  }
}

for (const item of Object.values(doc.paths)) {
  for (const op of Object.values(item)) {
    for (const res of Object.values(op.responses ?? {})) {
      for (const media of Object.values(res.content ?? {})) walk(media.schema);
    }
  }
}
writeFileSync(file, JSON.stringify(doc));
