import { randomUUID } from 'node:crypto';
import { forecastSettingsOf } from '../../src/infra/forecast-schedule';
import { waitFor } from '../../src/infra/net';
import { startMonitoring, startTestExporter } from '../../test/support/monitoring';
import { startWorker } from '../../test/support/platform';
import type { FlowCase } from './flows';

/**
 * Fault prediction (P2): one forecast run, as the Temporal Schedule starts it, over a real Prometheus scraping a
 * filling disk. The recording platform's worker has no Prometheus, so the run gets a worker of its own that has one.
 */
export const MONITORING_CASES: FlowCase[] = [
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
