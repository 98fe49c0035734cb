import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { waitFor } from '../src/infra/net';
import { MONITORING_DIR, RunningMonitoring, TestExporter, monitoringBinaries, startMonitoring, startTestExporter } from './support/monitoring';

/**
 * monitoring/ is what a hospital copies into its own Prometheus and Alertmanager (P2): the files must be valid for the
 * Debian versions we ship against, every rule must fire on what it is meant for (promtool's rule unit tests), and the
 * test harness must run them for real on loopback.
 */
const run = (bin: string, args: string[]) => {
  try {
    return { code: 0, out: execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, out: `${e.stdout}${e.stderr}` };
  }
};

describe('monitoring/ files', () => {
  const bins = monitoringBinaries();
  const ruleFiles = readdirSync(join(MONITORING_DIR, 'rules')).map((f) => join(MONITORING_DIR, 'rules', f));
  const ruleTests = readdirSync(join(MONITORING_DIR, 'tests')).map((f) => join(MONITORING_DIR, 'tests', f));

  it('prometheus.yml is valid and names every rule file', () => {
    const check = run(bins.promtool, ['check', 'config', '--syntax-only', join(MONITORING_DIR, 'prometheus.yml')]);
    expect(check).toMatchObject({ code: 0 });
    const config = parse(readFileSync(join(MONITORING_DIR, 'prometheus.yml'), 'utf8'));
    expect([...config.rule_files].sort()).toEqual(ruleFiles.map((f) => `rules/${f.split('/').pop()}`).sort());
    expect(config.scrape_configs.map((j: { job_name: string }) => j.job_name)).toEqual(expect.arrayContaining(['node', 'postgres', 'mysql', 'wardline']));
  });

  it('the rules are valid and each carries the labels Wardline maps (severity, component) and a bilingual summary', () => {
    expect(ruleFiles.length).toBe(3);
    expect(run(bins.promtool, ['check', 'rules', ...ruleFiles])).toMatchObject({ code: 0 });
    const rules = ruleFiles.flatMap((f) => parse(readFileSync(f, 'utf8')).groups.flatMap((g: { rules: unknown[] }) => g.rules));
    expect(rules.length).toBeGreaterThanOrEqual(15);
    for (const r of rules as { alert: string; labels: Record<string, string>; annotations: Record<string, string> }[]) {
      expect({ alert: r.alert, severity: ['critical', 'high', 'warning', 'info'].includes(r.labels.severity), component: r.labels.component }).toEqual({
        alert: r.alert,
        severity: true,
        component: expect.stringMatching(/^(server|database|backup|wardline)$/),
      });
      // zh-CN first, English after the slash.
      const [zh, en] = r.annotations.summary.split(' / ');
      expect({ alert: r.alert, zh: /[\u4e00-\u9fff]/.test(zh), en: /[A-Za-z]{3}/.test(en ?? '') }).toEqual({ alert: r.alert, zh: true, en: true });
    }
  });

  it('every rule fires on its series and stays quiet on healthy ones (promtool test rules)', () => {
    expect(ruleTests.length).toBe(3);
    const result = run(bins.promtool, ['test', 'rules', ...ruleTests]);
    expect(result.out).not.toMatch(/FAILED/);
    expect(result.code).toBe(0);
    // Every alert of the rule files is exercised by a unit test.
    const tested = ruleTests.map((f) => readFileSync(f, 'utf8')).join('\n');
    const alerts = ruleFiles.flatMap((f) => parse(readFileSync(f, 'utf8')).groups.flatMap((g: { rules: { alert: string }[] }) => g.rules.map((r) => r.alert)));
    expect(alerts.filter((a) => !tested.includes(`alertname: ${a}\n`))).toEqual([]);
  });

  it('alertmanager.yml is valid and sends to Wardline with a bearer token from a file', () => {
    expect(run(bins.amtool, ['check-config', join(MONITORING_DIR, 'alertmanager.yml')])).toMatchObject({ code: 0 });
    const config = parse(readFileSync(join(MONITORING_DIR, 'alertmanager.yml'), 'utf8'));
    expect(config.route.receiver).toBe('wardline');
    const wardline = config.receivers.find((r: { name: string }) => r.name === 'wardline').webhook_configs[0];
    expect(new URL(wardline.url).pathname).toBe('/alerts/alertmanager');
    expect(wardline.send_resolved).toBe(true);
    expect(wardline.http_config.authorization).toEqual({ type: 'Bearer', credentials_file: expect.any(String) });
  });
});

describe('the test harness runs them on loopback with 1 s intervals', () => {
  let exporter: TestExporter;
  let monitoring: RunningMonitoring;

  beforeAll(async () => {
    exporter = await startTestExporter();
    const fs = exporter.gauge('node_filesystem_avail_bytes', ['device', 'fstype', 'mountpoint']);
    const size = exporter.gauge('node_filesystem_size_bytes', ['device', 'fstype', 'mountpoint']);
    const disk = { device: '/dev/vdb1', fstype: 'ext4', mountpoint: '/pacs' };
    fs.set(disk, 5e9);
    size.set(disk, 100e9);
    monitoring = await startMonitoring({
      jobs: { node: [{ targets: [exporter.target], labels: { wardline_ci: 'server:pacs-01' } }] },
      nodeExporter: { job: 'node-host' },
    });
  }, 120_000);

  afterAll(async () => {
    await monitoring?.stop();
    await exporter?.close();
  });

  it('scrapes each second and fires the repository rule on the exporter it serves', async () => {
    const config = await (await fetch(`${monitoring.prometheusUrl}/api/v1/status/config`)).json();
    expect(parse((config as { data: { yaml: string } }).data.yaml).global).toMatchObject({ scrape_interval: '1s', evaluation_interval: '1s' });
    const firing = await waitFor(
      'FilesystemAlmostFull firing',
      async () => {
        const alert = (await monitoring.alerts()).find((a) => a.labels.alertname === 'FilesystemAlmostFull' && a.state === 'firing');
        if (!alert) throw new Error('not firing yet');
        return alert;
      },
      30_000,
    );
    expect(firing.labels).toMatchObject({ wardline_ci: 'server:pacs-01', mountpoint: '/pacs', severity: 'high', component: 'server', job: 'node' });
  });

  it('runs node_exporter with a textfile collector folder, and Prometheus scrapes it', async () => {
    const text = await (await fetch(monitoring.nodeExporter!.url)).text();
    expect(text).toMatch(/^node_memory_MemAvailable_bytes \d/m);
    expect(text).toMatch(/^node_textfile_scrape_error 0/m);
    await waitFor('node_exporter scraped', async () => {
      const up = await monitoring.query('up{job="node-host"} == 1');
      if (up.length !== 1) throw new Error(`up: ${JSON.stringify(up)}`);
    }, 20_000);
  });
});
