import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** One DataSource shape for the API, the worker, the CLI and the tests; `synchronize` stays off. */
export function createDataSource(url: string, options: { poolSize?: number } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    extra: { max: options.poolSize ?? 10 },
  });
}

export async function openDatabase(url: string, options: { migrate?: boolean; poolSize?: number } = {}): Promise<DataSource> {
  const ds = await createDataSource(url, options).initialize();
  if (options.migrate) await ds.runMigrations();
  return ds;
}
