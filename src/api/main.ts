import 'reflect-metadata';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, requireSetting } from '../config';
import { openDatabase } from '../persistence/data-source';
import { bootstrapAdmin } from '../persistence/users-store';
import { createApp } from './app.module';

/** The API process: applies migrations, makes sure an admin exists, serves HTTP. */
async function main(): Promise<void> {
  const config = loadConfig();
  const dataSource = await openDatabase(requireSetting(config.databaseUrl, 'DATABASE_URL'), { migrate: true });
  const adminToken = await bootstrapAdmin(dataSource, config.adminToken);
  const connection = await Connection.connect({ address: requireSetting(config.temporalAddress, 'TEMPORAL_ADDRESS') });
  const temporal = new Client({ connection, namespace: config.temporalNamespace });
  const app = await createApp({ config, dataSource, temporal });
  await app.listen(config.port, process.env.WARDLINE_LISTEN_HOST ?? '0.0.0.0');
  const url = await app.getUrl();
  console.log(`wardline api listening on ${url.replace('[::1]', 'localhost')}`);
  if (adminToken) console.log(`first start: admin token ${adminToken} (shown once; store it safely)`);
  let stopping = false;
  // Ctrl-C reaches this process directly and again as SIGTERM from `npm start`: stop once.
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    await connection.close();
    if (dataSource.isInitialized) await dataSource.destroy();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
