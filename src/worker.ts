import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { DataSource } from 'typeorm';
import { Client, Connection } from '@temporalio/client';
import { createChangeActivities } from './activities/change.activities';
import { createProblemActivities } from './activities/problem.activities';
import { createSupportActivities } from './activities/support.activities';
import { createSurveyActivities } from './activities/survey.activities';
import { createEscalationActivities } from './activities/escalation.activities';
import { createForecastActivities } from './activities/forecast.activities';
import { createInspectionActivities } from './activities/inspection/inspection.activities';
import { createEvidenceActivities } from './activities/evidence/evidence.activities';
import { ensureInspectionSchedules } from './infra/inspection-schedule';
import { ensureMonthlyReportSchedule } from './infra/monthly-report-schedule';
import { renderAndStoreInspectionReport } from './activities/inspection/report';
import { ReportHtmlRenderer, closeSharedPdfRenderer, sharedPdfRenderer } from './adapters/reports';
import { ensureForecastSchedule, forecastSettingsOf } from './infra/forecast-schedule';
import { prometheusOf } from './infra/monitoring-config';
import { createIncidentActivities } from './activities/incident.activities';
import { createJobActivities } from './activities/jobs.activities';
import { createPatchActivities } from './activities/patch.activities';
import { createNotifyActivities } from './activities/notify.activities';
import { createInterimIntake } from './activities/pm-platform/intake';
import { createPmActivities } from './activities/pm-platform/pm.activities';
import { SecretVault, loadSecretKey, readSecret } from './infra/secrets';
import { ACK_LINK_SECRET, appSecret } from './infra/ack-links';
import { createChannels } from './infra/notify-config';
import { WardlineConfig, loadConfig, requireSetting } from './config';
import { fixedOffsetOf } from './infra/china-calendar';
import { TemplateRenderer, defaultTemplatesDir } from './infra/templates';
import { openDatabase } from './persistence/data-source';
import { OutboxDispatcher } from './intake/dispatcher';
import { alertIncidentGateway } from './intake/alert-gateway';
import { AlertReceiver } from './persistence/alerts/alert-receiver';
import { CalendarStore } from './persistence/calendar-store';
import { SYSTEM_ACTOR } from './domain/incident-process';
import { workflowCacheSize } from './infra/worker-cache';

export interface WorkerHandle {
  worker: Worker;
  /** The outbox dispatcher running beside the worker, unless switched off (WARDLINE_DISPATCHER=off). */
  dispatcher: OutboxDispatcher | null;
  run(): Promise<void>;
  close(): Promise<void>;
}

/** The worker process's parts: one Temporal worker running the workflows and the activities over their adapters. */
export async function createWardlineWorker(
  config: WardlineConfig,
  options: { dataSource?: DataSource; workflowBundlePath?: string; dispatcher?: boolean; log?: (message: string) => void } = {},
): Promise<WorkerHandle> {
  const dataSource = options.dataSource ?? (await openDatabase(requireSetting(config.databaseUrl, 'DATABASE_URL')));
  const address = requireSetting(config.temporalAddress, 'TEMPORAL_ADDRESS');
  const connection = await NativeConnection.connect({ address });
  // Activities start robot outboxes (signalWithStart), which needs a client of their own.
  const clientConnection = await Connection.connect({ address });
  const temporal = new Client({ connection: clientConnection, namespace: config.temporalNamespace });
  const utcOffsetMinutes = fixedOffsetOf(config.timeZone);
  const templates = new TemplateRenderer(defaultTemplatesDir(), utcOffsetMinutes);
  // The vault's key (src/infra/secrets): activities open a PM platform's API key or HMAC secret by id, use it, forget it.
  const secretKey = loadSecretKey({ configured: config.secretKey, dataDir: config.dataDir });
  // Activities open SSH credentials by id from the same vault; the secret never enters workflow history.
  const vault = new SecretVault(dataSource, secretKey);
  // P2 → P3: forecasts inside the horizon enter the alert intake as `prediction` alerts, which open (or add to) one
  // preventive incident per system and forecast, exactly as a webhook's alerts do; Wardline itself is the one opening.
  const calendars = new CalendarStore(dataSource, config.timeZone);
  const databaseUrl = config.databaseUrl ?? String((dataSource.options as { url?: string }).url ?? '');
  // The API's calendar and policy changes reach this process's cache (the preventive incidents' deadlines).
  if (databaseUrl) await calendars.listen(databaseUrl, (m) => console.warn(m));
  const alertReceiver = new AlertReceiver(
    dataSource,
    alertIncidentGateway({ dataSource, calendars, taskQueue: config.taskQueue, reportedAtLimits: config.reportedAt }),
    { flapWindowMs: config.monitoring.flapWindowMs },
  );
  const preventive = { record: async (alerts: Parameters<AlertReceiver['receive']>[0], at: number) => void (await alertReceiver.receive(alerts, { now: at, openedBy: SYSTEM_ACTOR })) };
  let html: ReportHtmlRenderer | null = null;
  const reportHtml = () => (html ??= new ReportHtmlRenderer(undefined, utcOffsetMinutes));
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    maxCachedWorkflows: config.workflowCacheSize ?? workflowCacheSize(),
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: require.resolve('./workflows') }),
    activities: {
      ...createIncidentActivities({ dataSource }),
      ...createEscalationActivities({ dataSource }),
      ...createChangeActivities({ dataSource }),
      ...createProblemActivities({ dataSource }),
      ...createSupportActivities({ dataSource }),
      ...createSurveyActivities({ dataSource, sms: createChannels(config.notify).sms, publicUrl: config.publicUrl }),
      ...createJobActivities({ dataSource, vault, utcOffsetMinutes }),
      ...createPatchActivities({ dataSource, vault }),
      ...createForecastActivities({ dataSource, prometheus: prometheusOf(config), preventive, mapping: alertReceiver.mapping }),
      ...createInspectionActivities({
        dataSource,
        vault,
        prometheus: prometheusOf(config),
        utcOffsetMinutes,
        // S16: the report through the shared renderer (one Chromium per process, started on the first report).
        renderReport: (inspectionId) => renderAndStoreInspectionReport(dataSource, inspectionId, { html: reportHtml(), pdf: sharedPdfRenderer() }, utcOffsetMinutes),
      }),
      // S17, S8: acceptance packs and monthly reports through the same shared renderer.
      ...createEvidenceActivities({
        dataSource,
        utcOffsetMinutes,
        renderers: () => ({ html: reportHtml(), pdf: sharedPdfRenderer() }),
        calendar: async () => (await calendars.current()).calendar,
      }),
      ...createNotifyActivities({
        dataSource,
        templates,
        locale: config.locale,
        utcOffsetMinutes,
        channels: createChannels(config.notify),
        temporal,
        taskQueue: config.taskQueue,
        robotLimit: config.notify.robotLimit,
        publicUrl: config.publicUrl,
        linkSecret: () => appSecret(dataSource, ACK_LINK_SECRET),
      }),
      ...createPmActivities({
        dataSource,
        temporal,
        intake: createInterimIntake({ dataSource, temporal, taskQueue: config.taskQueue, timeZone: config.timeZone }),
        templates,
        locale: config.locale,
        readSecret: (id) => readSecret(dataSource, secretKey, id),
      }),
    },
  });
  // The dispatcher lives in the worker process: it is restarted with it, and it starts what this worker will run.
  const dispatcher =
    (options.dispatcher ?? config.dispatcher) && databaseUrl
      ? new OutboxDispatcher({ dataSource, databaseUrl, temporal, taskQueue: config.taskQueue, concurrency: config.dispatcherConcurrency, log: (m) => console.warn(m), info: options.log })
      : null;
  await dispatcher?.start();
  return {
    worker,
    dispatcher,
    run: () => worker.run(),
    close: async () => {
      await dispatcher?.stop();
      await calendars.close();
      await connection.close();
      await clientConnection.close();
      await closeSharedPdfRenderer();
      if (!options.dataSource) await dataSource.destroy();
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  // Temporal's SDK metrics (workflow and activity task latency) for Prometheus; must precede the first connection.
  if (config.monitoring.workerMetricsAddress) {
    Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: config.monitoring.workerMetricsAddress, useSecondsForDurations: true, unitSuffix: true, countersTotalSuffix: true } } } });
  }
  const handle = await createWardlineWorker(config, { workflowBundlePath: process.env.WARDLINE_WORKFLOW_BUNDLE, log: (m) => console.log(m) });
  const bundle = process.env.WARDLINE_WORKFLOW_BUNDLE;
  console.log(`wardline worker polling task queue "${config.taskQueue}" on ${config.temporalAddress}${bundle ? ` (workflows from the bundle ${bundle})` : ''}`);
  if (config.monitoring.prometheusUrl) {
    const connection = await Connection.connect({ address: requireSetting(config.temporalAddress, 'TEMPORAL_ADDRESS') });
    const client = new Client({ connection, namespace: config.temporalNamespace });
    await ensureForecastSchedule(client, { taskQueue: config.taskQueue, everyMs: config.monitoring.forecast.everyMs, settings: forecastSettingsOf(config) });
    await connection.close();
    console.log(`forecasts every ${config.monitoring.forecast.everyMs / 60_000} min from ${config.monitoring.prometheusUrl}`);
  }
  if (config.inspection.schedules) {
    const connection = await Connection.connect({ address: requireSetting(config.temporalAddress, 'TEMPORAL_ADDRESS') });
    const client = new Client({ connection, namespace: config.temporalNamespace });
    await ensureInspectionSchedules(client, { taskQueue: config.taskQueue, timeZone: config.timeZone, config: config.inspection });
    await connection.close();
    console.log(`inspections: quarterly "${config.inspection.quarterlyCron}", monthly "${config.inspection.monthlyCron}" (${config.timeZone})`);
  }
  if (config.monthlyReport.schedule) {
    const connection = await Connection.connect({ address: requireSetting(config.temporalAddress, 'TEMPORAL_ADDRESS') });
    const client = new Client({ connection, namespace: config.temporalNamespace });
    await ensureMonthlyReportSchedule(client, { taskQueue: config.taskQueue, timeZone: config.timeZone, config: config.monthlyReport });
    await connection.close();
    console.log(`monthly service report: checked "${config.monthlyReport.cron}" (${config.timeZone}), drafted on each month's first working day`);
  }
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
