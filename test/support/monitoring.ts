import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Gauge, Registry } from 'prom-client';
import { parse, stringify } from 'yaml';
import { freePort, waitFor } from '../../src/infra/net';

/**
 * Throwaway Prometheus, Alertmanager and node_exporter (Debian's, found or installed by scripts/ensure-monitoring.sh)
 * on free loopback ports, each with its own config and data folder under one temp folder, started once per test file.
 * Their configs are monitoring/prometheus.yml, monitoring/rules/*.yml and monitoring/alertmanager.yml themselves,
 * with only what a test must change: 1 s intervals and waits, the rules' `for:`, loopback targets, Wardline's URL and
 * token file.
 */

// From test/support (jest) or dist/test/support (compiled scripts), the repository is two or three folders up.
const ROOT = [resolve(__dirname, '..', '..'), resolve(__dirname, '..', '..', '..')].find((dir) => existsSync(join(dir, 'monitoring', 'prometheus.yml')))!;
export const MONITORING_DIR = join(ROOT, 'monitoring');

export interface MonitoringBinaries {
  prometheus: string;
  promtool: string;
  alertmanager: string;
  amtool: string;
  node_exporter: string;
}

let binaries: MonitoringBinaries | null = null;
/** The tools' paths from scripts/ensure-monitoring.sh (which installs Debian's packages as root when missing). */
export function monitoringBinaries(): MonitoringBinaries {
  if (binaries) return binaries;
  const out = execFileSync('bash', [join(ROOT, 'scripts', 'ensure-monitoring.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const found = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  for (const name of ['prometheus', 'promtool', 'alertmanager', 'amtool', 'node_exporter']) {
    if (!found[name]) throw new Error(`ensure-monitoring.sh did not name ${name}: ${out}`);
  }
  return (binaries = found as unknown as MonitoringBinaries);
}

// ---------- a loopback exporter a test drives ----------

export interface TestExporter {
  url: string;
  /** host:port, as Prometheus's `instance` label will read. */
  target: string;
  registry: Registry;
  /** A gauge whose series' values the test sets, or computes at scrape time (`value` as a function). */
  gauge(name: string, labelNames: string[]): {
    set(labels: Record<string, string>, value: number | (() => number)): void;
    remove(labels: Record<string, string>): void;
  };
  close(): Promise<void>;
}

export async function startTestExporter(): Promise<TestExporter> {
  const registry = new Registry();
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    registry
      .metrics()
      .then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text))
      .catch((err) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    target: `127.0.0.1:${port}`,
    registry,
    gauge(name, labelNames) {
      const values = new Map<string, { labels: Record<string, string>; value: number | (() => number) }>();
      const key = (labels: Record<string, string>) => JSON.stringify(labelNames.map((l) => labels[l] ?? ''));
      new Gauge({
        name,
        help: `test series ${name}`,
        labelNames,
        registers: [registry],
        collect() {
          this.reset();
          for (const { labels, value } of values.values()) this.set(labels, typeof value === 'function' ? value() : value);
        },
      });
      return {
        set: (labels, value) => void values.set(key(labels), { labels, value }),
        remove: (labels) => void values.delete(key(labels)),
      };
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

// ---------- the servers ----------

interface Spawned {
  name: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

function spawnServer(name: string, bin: string, args: string[]): Spawned {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    lines.push(...String(d).split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  child.on('exit', () => (exited = true));
  // A crashed or interrupted test run must not leave a Prometheus behind on the shared machine.
  const onExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.on('exit', onExit);
  return {
    name,
    child,
    output: () => lines.slice(-30).join('\n'),
    stop: () =>
      new Promise<void>((done) => {
        process.off('exit', onExit);
        if (exited) return done();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}

async function waitReady(server: Spawned, url: string): Promise<void> {
  try {
    await waitFor(
      server.name,
      async () => {
        if (server.child.exitCode !== null) throw new Error(`exited with ${server.child.exitCode}`);
        const res = await fetch(url);
        if (!res.ok) throw new Error(`${url}: ${res.status}`);
      },
      60_000,
    );
  } catch (err) {
    throw new Error(`${String(err)}\n--- ${server.name} said:\n${server.output()}`);
  }
}

export interface ScrapeTarget {
  targets: string[];
  labels?: Record<string, string>;
}

export interface MonitoringOptions {
  /** Targets per job of monitoring/prometheus.yml; jobs not named here are left out (their hosts are the hospital's). */
  jobs: Record<string, ScrapeTarget[]>;
  /** Jobs a test adds beside the example's, with their targets. */
  extraJobs?: Record<string, ScrapeTarget[]>;
  /** Where Alertmanager posts and Prometheus scrapes Wardline, with an `integration` token. Without it no Alertmanager runs. */
  wardline?: { baseUrl: string; token: string };
  /** Every rule's `for:`, shrunk so an alert fires within seconds (default 1s). */
  ruleFor?: string;
  /** Alertmanager's repeat_interval: how soon an unchanged group is sent again (default 1h: no repeats). */
  repeatInterval?: string;
  /** Start node_exporter with a textfile collector folder (`nodeExporter.textfileDir`), scraped under this job name. */
  nodeExporter?: { job: string };
}

export interface RunningMonitoring {
  dir: string;
  prometheusUrl: string;
  alertmanagerUrl: string | null;
  nodeExporter: { url: string; target: string; textfileDir: string } | null;
  /** An instant query's result vector. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** The alerts Prometheus holds (pending and firing). */
  alerts(): Promise<{ labels: Record<string, string>; state: string }[]>;
  stop(): Promise<void>;
}

const readYaml = (path: string) => parse(readFileSync(path, 'utf8'));

/** monitoring/prometheus.yml for a test: 1 s intervals, loopback targets, rules copied with a short `for:`. */
function prometheusConfig(dir: string, options: MonitoringOptions, alertmanager: string | null, tokenFile: string | null, nodeExporter: string | null): string {
  const example = readYaml(join(MONITORING_DIR, 'prometheus.yml'));
  const ruleFiles: string[] = [];
  for (const file of example.rule_files as string[]) {
    const rules = readYaml(join(MONITORING_DIR, file));
    for (const group of rules.groups) for (const rule of group.rules) if (rule.for) rule.for = options.ruleFor ?? '1s';
    const copy = join(dir, 'rules', file.replace(/^rules\//, ''));
    writeFileSync(copy, stringify(rules));
    ruleFiles.push(copy);
  }
  const jobs: Record<string, any>[] = (example.scrape_configs as Record<string, any>[]).flatMap((job) => {
    const targets = options.jobs[job.job_name];
    if (!targets) return [];
    const copy: Record<string, any> = { ...job, static_configs: targets };
    if (copy.authorization?.credentials_file) {
      if (!tokenFile) throw new Error(`job ${job.job_name} needs Wardline's token: pass options.wardline`);
      copy.authorization = { ...copy.authorization, credentials_file: tokenFile };
    }
    return [copy];
  });
  for (const [name, targets] of Object.entries(options.extraJobs ?? {})) jobs.push({ job_name: name, static_configs: targets });
  if (nodeExporter) jobs.push({ job_name: options.nodeExporter!.job, static_configs: [{ targets: [nodeExporter] }] });
  const config = {
    ...example,
    global: { ...example.global, scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '1s' },
    rule_files: ruleFiles,
    alerting: alertmanager ? { alertmanagers: [{ static_configs: [{ targets: [alertmanager] }] }] } : undefined,
    scrape_configs: jobs,
  };
  if (!alertmanager) delete config.alerting;
  return stringify(config);
}

/** monitoring/alertmanager.yml for a test: 1 s waits, Wardline's webhook on loopback, no mail relay to reach. */
function alertmanagerConfig(options: MonitoringOptions, tokenFile: string): string {
  const example = readYaml(join(MONITORING_DIR, 'alertmanager.yml'));
  const route = { ...example.route, group_wait: '1s', group_interval: '1s', repeat_interval: options.repeatInterval ?? '1h' };
  const receivers = (example.receivers as Record<string, any>[]).map((r) => {
    const webhooks = (r.webhook_configs ?? []).map((w: Record<string, any>) => ({
      ...w,
      url: `${options.wardline!.baseUrl}${new URL(w.url).pathname}`,
      http_config: { ...w.http_config, authorization: { ...w.http_config.authorization, credentials_file: tokenFile } },
    }));
    // Mail to the hospital's relay cannot be delivered here; the receiver stays, without its mail.
    return { name: r.name, ...(webhooks.length ? { webhook_configs: webhooks } : {}) };
  });
  return stringify({ ...example, route, receivers });
}

export async function startMonitoring(options: MonitoringOptions): Promise<RunningMonitoring> {
  const bins = monitoringBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'wardline-monitoring-'));
  mkdirSync(join(dir, 'rules'));
  const started: Spawned[] = [];
  const stop = async () => {
    for (const s of started.reverse()) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    let tokenFile: string | null = null;
    if (options.wardline) {
      tokenFile = join(dir, 'wardline.token');
      writeFileSync(tokenFile, options.wardline.token, { mode: 0o600 });
    }

    let nodeExporter: RunningMonitoring['nodeExporter'] = null;
    if (options.nodeExporter) {
      const port = await freePort();
      const textfileDir = join(dir, 'textfile');
      mkdirSync(textfileDir);
      // Only the textfile, memory and load collectors: the defaults would read the whole shared machine each second,
      // and its real disks must not fire the tests' disk rules.
      const server = spawnServer('node_exporter', bins.node_exporter, [
        `--web.listen-address=127.0.0.1:${port}`,
        '--collector.disable-defaults',
        '--collector.textfile',
        `--collector.textfile.directory=${textfileDir}`,
        '--collector.meminfo',
        '--collector.loadavg',
        '--log.level=warn',
      ]);
      started.push(server);
      await waitReady(server, `http://127.0.0.1:${port}/metrics`);
      nodeExporter = { url: `http://127.0.0.1:${port}/metrics`, target: `127.0.0.1:${port}`, textfileDir };
    }

    let alertmanagerUrl: string | null = null;
    let alertmanagerTarget: string | null = null;
    if (options.wardline) {
      const port = await freePort();
      const amDir = join(dir, 'alertmanager');
      mkdirSync(amDir);
      writeFileSync(join(amDir, 'alertmanager.yml'), alertmanagerConfig(options, tokenFile!));
      const server = spawnServer('alertmanager', bins.alertmanager, [
        `--config.file=${join(amDir, 'alertmanager.yml')}`,
        `--storage.path=${join(amDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // An empty cluster address keeps it a single node instead of gossiping on 9094.
        '--cluster.listen-address=',
        '--log.level=warn',
      ]);
      started.push(server);
      alertmanagerUrl = `http://127.0.0.1:${port}`;
      alertmanagerTarget = `127.0.0.1:${port}`;
      await waitReady(server, `${alertmanagerUrl}/-/ready`);
    }

    const port = await freePort();
    const promDir = join(dir, 'prometheus');
    mkdirSync(promDir);
    writeFileSync(join(promDir, 'prometheus.yml'), prometheusConfig(dir, options, alertmanagerTarget, tokenFile, nodeExporter?.target ?? null));
    const prometheus = spawnServer('prometheus', bins.prometheus, [
      `--config.file=${join(promDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(promDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Alerts go out as soon as they fire or resolve, and are re-sent each second, not each minute.
      '--rules.alert.resend-delay=1s',
      '--log.level=warn',
    ]);
    started.push(prometheus);
    const prometheusUrl = `http://127.0.0.1:${port}`;
    await waitReady(prometheus, `${prometheusUrl}/-/ready`);

    const api = async (path: string) => {
      const res = await fetch(`${prometheusUrl}${path}`);
      const body = (await res.json()) as { status: string; data: any; error?: string };
      if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error}`);
      return body.data;
    };
    return {
      dir,
      prometheusUrl,
      alertmanagerUrl,
      nodeExporter,
      query: async (promql) => (await api(`/api/v1/query?query=${encodeURIComponent(promql)}`)).result,
      alerts: async () => (await api('/api/v1/alerts')).alerts,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
