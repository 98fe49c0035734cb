import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestPlatform, startPlatform } from './support/platform';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const SUMMARY = /^(?=.*[\u4e00-\u9fff]).+? \/ [A-Za-z].+$/;

/** Issue 9: an integrator works from the OpenAPI page alone: every operation says what it does, answers and refuses. */
describe('the OpenAPI document', () => {
  let p: TestPlatform;
  let doc: any;

  beforeAll(async () => {
    p = await startPlatform({ worker: false });
    doc = (await p.call('GET', '/docs-json')).body;
  });
  afterAll(() => p?.stop());

  const operations = () =>
    Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((m) => ({ id: `${m.toUpperCase()} ${path}`, op: item[m] })),
    );

  it('lists every operation (more than 100 today)', () => {
    expect(operations().length).toBeGreaterThanOrEqual(100);
  });

  it('gives each operation a one-line summary in zh-CN and English, its success schema and its error codes', () => {
    const missing: string[] = [];
    for (const { id, op } of operations()) {
      if (typeof op.summary !== 'string' || !SUMMARY.test(op.summary) || op.summary.includes('\n')) missing.push(`${id}: summary "${op.summary ?? ''}"`);
      const codes = Object.keys(op.responses ?? {});
      const success = codes.filter((c) => /^2\d\d$/.test(c));
      if (success.length !== 1) missing.push(`${id}: success responses ${success.join(',') || 'none'}`);
      for (const c of success) {
        const content = op.responses[c].content ?? {};
        const schemas = Object.values(content).map((m: any) => m.schema).filter(Boolean);
        if (!schemas.length) missing.push(`${id}: ${c} has no schema`);
      }
      const isPublic = !op.security?.length;
      for (const c of ['400', ...(isPublic ? [] : ['401', '403'])]) if (!codes.includes(c)) missing.push(`${id}: no ${c}`);
      for (const c of codes.filter((x) => /^[45]\d\d$/.test(x))) {
        const ref = op.responses[c].content?.['application/json']?.schema?.$ref;
        if (ref !== '#/components/schemas/ErrorBodyDto') missing.push(`${id}: ${c} is not the shared error body`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('documents Idempotency-Key and its 422 on every create route', () => {
    const creates = operations().filter(({ op }) => op.responses?.['201']);
    expect(creates.length).toBeGreaterThanOrEqual(12);
    const without = creates.filter(({ op }) => !(op.parameters ?? []).some((x: any) => x.in === 'header' && x.name === 'Idempotency-Key') || !op.responses['422']);
    expect(without.map((o) => o.id)).toEqual([]);
  });
});
