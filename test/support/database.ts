import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { openDatabase } from '../../src/persistence/data-source';

export interface TestDatabase {
  url: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.WARDLINE_TEST_DATABASE_URL;
  if (!url) throw new Error('WARDLINE_TEST_DATABASE_URL is not set: run the tests with `npm test` (jest global setup)');
  return url;
}

/** A fresh database with the real migrations applied, one per test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = new URL(serverUrl());
  const name = `wardline_t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  const dataSource = await openDatabase(url.toString(), { migrate: true, poolSize: 5 });
  return {
    url: url.toString(),
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      const c = new Client({ connectionString: base.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
