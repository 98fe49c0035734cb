import { NativeConnection, Worker } from '@temporalio/worker';
import { DataSource } from 'typeorm';
import { createIncidentActivities } from './activities/incident.activities';
import { WardlineConfig, loadConfig, requireSetting } from './config';
import { fixedOffsetOf } from './infra/china-calendar';
import { TemplateRenderer, defaultTemplatesDir } from './infra/templates';
import { openDatabase } from './persistence/data-source';

export interface WorkerHandle {
  worker: Worker;
  run(): Promise<void>;
  close(): Promise<void>;
}

/** The worker process's parts: one Temporal worker running the workflows and the activities over their adapters. */
export async function createWardlineWorker(
  config: WardlineConfig,
  options: { dataSource?: DataSource; workflowBundlePath?: string } = {},
): Promise<WorkerHandle> {
  const dataSource = options.dataSource ?? (await openDatabase(requireSetting(config.databaseUrl, 'DATABASE_URL')));
  const connection = await NativeConnection.connect({ address: requireSetting(config.temporalAddress, 'TEMPORAL_ADDRESS') });
  const templates = new TemplateRenderer(defaultTemplatesDir(), fixedOffsetOf(config.timeZone));
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: require.resolve('./workflows') }),
    activities: createIncidentActivities({ dataSource, templates, locale: config.locale }),
  });
  return {
    worker,
    run: () => worker.run(),
    close: async () => {
      await connection.close();
      if (!options.dataSource) await dataSource.destroy();
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const handle = await createWardlineWorker(config, { workflowBundlePath: process.env.WARDLINE_WORKFLOW_BUNDLE });
  console.log(`wardline worker polling task queue "${config.taskQueue}" on ${config.temporalAddress}`);
  // The Temporal runtime shuts the worker down gracefully on SIGINT/SIGTERM; run() then resolves.
  await handle.run();
  await handle.close();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
