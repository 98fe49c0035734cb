import 'reflect-metadata';
import { Client } from '@temporalio/client';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { createApp, openApiDocument } from '../src/api/app.module';
import { loadConfig } from '../src/config';
import { ENTITIES } from '../src/persistence/entities';

/**
 * Writes the API's OpenAPI document (the one `/docs-json` serves) without a database or Temporal, for the console's
 * generated client types (issue 16: the document is the one contract; the console's types come from it).
 * Usage: node dist/scripts/openapi-dump.js <out.json>
 */
async function main(out: string): Promise<void> {
  // Nothing connects: the data source is never initialized and the Temporal connection is lazy.
  // manualInitialization is @nestjs/typeorm's option (its module reads it from these options) and keeps it so.
  const dataSource = new DataSource({ type: 'postgres', entities: ENTITIES, manualInitialization: true } as DataSourceOptions);
  const app = await createApp({ config: loadConfig({}), dataSource, temporal: new Client(), secretKey: { key: Buffer.alloc(32), keyId: 'openapi-dump', source: 'env' }, directory: null }, { logger: false });
  const document = openApiDocument(app);
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
  await app.close();
}

main(process.argv[2] ?? 'openapi.json').then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
