import { randomUUID } from 'node:crypto';
import { forecastSettingsOf } from '../../src/infra/forecast-schedule';
import { waitFor } from '../../src/infra/net';
import { startMonitoring, startTestExporter } from '../../test/support/monitoring';
import { startWorker } from '../../test/support/platform';
import { AlertGroupNews, AlertNote } from '../../src/domain/alerts/news';
import { alertGroupSignal } from '../../src/shared/alert-messages';
import { incidentViewQuery } from '../../src/shared/incident-messages';
import { waitUntil } from '../../test/support/workflow-input';
import { FlowCase, finished, openShrunk } from './flows';

const note = (fingerprint: string): AlertNote => ({ alertId: `alert-${fingerprint}`, fingerprint, alertname: 'FilesystemAlmostFull', summary: `磁盘空间不足 / filesystem almost full: /${fingerprint}`, severity: 'high', startsAt: Date.now(), endsAt: null });
const news = (over: Partial<AlertGroupNews>): AlertGroupNews => ({ groupId: 'history-group', at: Date.now(), fired: [], resolved: [], allResolved: false, ...over });

/**
 * Fault prediction (P2): one forecast run, as the Temporal Schedule starts it, over a real Prometheus scraping a
 * filling disk. The recording platform's worker has no Prometheus, so the run gets a worker of its own that has one.
 */
export const MONITORING_CASES: FlowCase[] = [
  {
    // P3: an alert-opened incident whose alerts all clear before anyone acknowledges: recovered, fired again, recovered
    // again, and a dispatcher confirms.
    name: 'incident/alerts-recovered',
    produces: ['incident/alerts-recovered'],
    async run(ctx) {
      const o = await openShrunk(ctx, { respond: 600, onSite: 1200, repair: 3600 }, 600, { channel: 'alert', assignee: null });
      const state = (want: string) => waitUntil(`state ${want}`, async () => ((await o.handle.query(incidentViewQuery)).state === want ? true : null));
      await o.handle.signal(alertGroupSignal, news({ fired: [note('var')] }));
      await o.waitFor('alerts_fired');
      await o.handle.signal(alertGroupSignal, news({ resolved: [note('data'), note('var')], allResolved: true }));
      await state('recovered');
      await o.handle.signal(alertGroupSignal, news({ fired: [note('data')] }));
      await state('reported');
      await o.handle.signal(alertGroupSignal, news({ resolved: [note('data')], allResolved: true }));
      await state('recovered');
      await o.act({ action: 'confirm_recovery' }, ctx.people.dispatcher);
      await finished(o.handle);
      return { 'incident/alerts-recovered': o.workflowId };
    },
  },
  {
    // P3: acknowledged, cleared (an entry), repaired, fired again within the flap window: reopened; then closed.
    name: 'incident/alerts-flapping',
    produces: ['incident/alerts-flapping'],
    async run(ctx) {
      const o = await openShrunk(ctx, { respond: 600, onSite: 1200, repair: 3600 }, 600, { channel: 'alert' });
      const state = (want: string) => waitUntil(`state ${want}`, async () => ((await o.handle.query(incidentViewQuery)).state === want ? true : null));
      await o.act({ action: 'acknowledge' });
      await o.handle.signal(alertGroupSignal, news({ resolved: [note('data')], allResolved: true }));
      await o.waitFor('alerts_resolved');
      await o.act({ action: 'resolve', cause: '日志写满', fix: '清理日志并加轮转', category: 'system_error_fix' });
      await o.handle.signal(alertGroupSignal, news({ fired: [note('data')] }));
      await state('reopened');
      await o.act({ action: 'resolve', cause: '日志轮转未生效', fix: '修正轮转配置', category: 'system_error_fix' });
      await o.act({ action: 'confirm' }, ctx.people.dispatcher);
      await o.act({ action: 'close' }, ctx.people.dispatcher);
      await finished(o.handle);
      return { 'incident/alerts-flapping': o.workflowId };
    },
  },
  {
    // P3 (patch incident-alert-priority): the group's alert turns critical, the intake asks for P1, the incident raises
    // its priority; then the dispatcher cancels it as a duplicate.
    name: 'incident/alerts-priority',
    produces: ['incident/alerts-priority'],
    async run(ctx) {
      const o = await openShrunk(ctx, { respond: 600, onSite: 1200, repair: 3600 }, 600, { channel: 'alert', priority: 'P3' });
      await o.handle.signal(alertGroupSignal, news({ fired: [{ ...note('pacs'), severity: 'critical' }], raisePriority: { to: 'P1', severity: 'critical' } }));
      await o.waitFor('change_priority');
      await o.act({ action: 'cancel', reason: '重复工单 / duplicate' }, ctx.people.dispatcher);
      await finished(o.handle);
      return { 'incident/alerts-priority': o.workflowId };
    },
  },
  {
    name: 'forecast/run',
    produces: ['forecast/run'],
    async run({ p }) {
      const exporter = await startTestExporter();
      const t0 = Date.now();
      exporter.gauge('node_filesystem_avail_bytes', ['device', 'fstype', 'mountpoint']).set({ device: '/dev/vdb1', fstype: 'xfs', mountpoint: '/pacs' }, () => 50e9 - 10e6 * ((Date.now() - t0) / 1000));
      const monitoring = await startMonitoring({ jobs: { node: [{ targets: [exporter.target], labels: { wardline_ci: 'server:history-pacs-01' } }] } });
      try {
        await waitFor('samples to fit', async () => {
          const [r] = await monitoring.query('count_over_time(node_filesystem_avail_bytes[1m])');
          if (!r || Number(r.value[1]) < 8) throw new Error('too few samples yet');
        });
        const config = { ...p.config, taskQueue: `forecast-${randomUUID()}`, monitoring: { ...p.config.monitoring, prometheusUrl: monitoring.prometheusUrl } };
        const worker = await startWorker(config, p.ds);
        try {
          const workflowId = `forecast-history-${randomUUID()}`;
          const handle = await p.temporal.workflow.start('forecastWorkflow', {
            workflowId,
            taskQueue: config.taskQueue,
            args: [{ settings: { ...forecastSettingsOf(config), windowMs: 30_000, stepMs: 1000 } }],
          });
          const summary = await handle.result();
          if (summary.withinHorizon.length !== 1) throw new Error(`expected one forecast inside the horizon: ${JSON.stringify(summary)}`);
          return { 'forecast/run': workflowId };
        } finally {
          await worker.stop();
        }
      } finally {
        await monitoring.stop();
        await exporter.close();
      }
    },
  },
];
