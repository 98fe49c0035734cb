import { invalidInput } from './domain/errors';
import { MonitoringConfig, loadMonitoringConfig } from './infra/monitoring-config';
import { InspectionConfig, loadInspectionConfig } from './infra/inspection-schedule';
import { MonthlyReportConfig, loadMonthlyReportConfig } from './infra/monthly-report-schedule';
import { NotifyConfig, loadNotifyConfig } from './infra/notify-config';
import { DEFAULT_TASK_QUEUE } from './shared/task-queues';
import { LOCALES, Locale } from './shared/labels';
import { DEFAULT_REPORTED_AT_MAX_AGE_DAYS, ReportedAtLimits } from './domain/reported-at';
import { SignInConfig, loadSignInConfig } from './infra/sign-in-config';

/** Settings from the environment; defaults give the embedded single-machine platform. */
export interface WardlineConfig {
  databaseUrl: string | undefined;
  temporalAddress: string | undefined;
  temporalNamespace: string;
  taskQueue: string;
  port: number;
  locale: Locale;
  timeZone: string;
  dataDir: string;
  adminToken: string | undefined;
  /** WARDLINE_SECRET_KEY (32 bytes, hex or base64) seals secrets at rest; unset: `<dataDir>/secret.key`, made once. */
  secretKey: string | undefined;
  /** Where people reach the API; acknowledgement links in messages start here. */
  publicUrl: string;
  notify: NotifyConfig;
  /** S15: retries of one progress delivery to a project-management platform within a poll round. */
  pm: { retryInitialMs: number; retryMaxMs: number; retryAttempts: number };
  monitoring: MonitoringConfig;
  /** P4, S16: inspection schedules, parallelism and collector timeouts. */
  inspection: InspectionConfig;
  /** S8: the monthly service report's schedule. */
  monthlyReport: MonthlyReportConfig;
  /** How far back a fault report may be dated (src/domain/reported-at.ts). */
  reportedAt: ReportedAtLimits;
  /** Whether this worker process runs the outbox dispatcher (one per database dispatches; the others stand by). */
  dispatcher: boolean;
  /** Temporal calls the outbox dispatcher keeps in flight at once (its back-pressure on Temporal). */
  dispatcherConcurrency: number;
  /** Workflows the worker keeps in memory; undefined: sized from the heap (src/infra/worker-cache.ts). */
  workflowCacheSize: number | undefined;
  /** People's sign-in: sessions, lock-out, the directory (issue 16). */
  signIn: SignInConfig;
  /** WARDLINE_CONSOLE_DIR: the web console's built files (issue 16); unset: web/dist of this checkout. */
  consoleDir: string | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): WardlineConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalidInput('PORT', 'must be a TCP port number');
  const locale = (env.WARDLINE_LOCALE ?? 'zh-CN') as Locale;
  if (!LOCALES.includes(locale)) throw invalidInput('WARDLINE_LOCALE', `must be one of ${LOCALES.join(', ')}`);
  const publicUrl = env.WARDLINE_PUBLIC_URL || `http://localhost:${port}`;
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.WARDLINE_TASK_QUEUE || DEFAULT_TASK_QUEUE,
    port,
    locale,
    timeZone: env.WARDLINE_TIME_ZONE || 'Asia/Shanghai',
    dataDir: env.WARDLINE_DATA_DIR || '.data',
    adminToken: env.WARDLINE_ADMIN_TOKEN || undefined,
    secretKey: env.WARDLINE_SECRET_KEY || undefined,
    publicUrl,
    notify: loadNotifyConfig(env),
    pm: {
      retryInitialMs: positive(env.WARDLINE_PM_RETRY_INITIAL_MS, 1000, 'WARDLINE_PM_RETRY_INITIAL_MS'),
      retryMaxMs: positive(env.WARDLINE_PM_RETRY_MAX_MS, 60_000, 'WARDLINE_PM_RETRY_MAX_MS'),
      retryAttempts: positive(env.WARDLINE_PM_RETRY_ATTEMPTS, 5, 'WARDLINE_PM_RETRY_ATTEMPTS'),
    },
    monitoring: loadMonitoringConfig(env),
    inspection: loadInspectionConfig(env),
    monthlyReport: loadMonthlyReportConfig(env),
    reportedAt: reportedAtLimits(env),
    dispatcher: env.WARDLINE_DISPATCHER !== 'off',
    dispatcherConcurrency: positive(env.WARDLINE_OUTBOX_CONCURRENCY, 16, 'WARDLINE_OUTBOX_CONCURRENCY'),
    workflowCacheSize: optionalCount(env.WARDLINE_WORKFLOW_CACHE, 'WARDLINE_WORKFLOW_CACHE'),
    signIn: loadSignInConfig(env, publicUrl),
    consoleDir: env.WARDLINE_CONSOLE_DIR || undefined,
  };
}

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw invalidInput(name, 'must be a positive whole number');
  return n;
}

function reportedAtLimits(env: NodeJS.ProcessEnv): ReportedAtLimits {
  const maxAgeDays = env.WARDLINE_REPORTED_AT_MAX_AGE_DAYS ? Number(env.WARDLINE_REPORTED_AT_MAX_AGE_DAYS) : DEFAULT_REPORTED_AT_MAX_AGE_DAYS;
  if (!Number.isFinite(maxAgeDays) || maxAgeDays <= 0) throw invalidInput('WARDLINE_REPORTED_AT_MAX_AGE_DAYS', 'must be a positive number of days');
  const start = env.WARDLINE_CONTRACT_START ? Date.parse(env.WARDLINE_CONTRACT_START) : null;
  if (start !== null && Number.isNaN(start)) throw invalidInput('WARDLINE_CONTRACT_START', 'must be an ISO-8601 time with a zone, e.g. 2026-01-01T00:00:00+08:00');
  return { contractStart: start, maxAgeDays };
}

function optionalCount(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw invalidInput(name, 'must be a whole number (0 turns the cache off)');
  return n;
}

export function requireSetting(value: string | undefined, name: string): string {
  if (!value) throw new Error(`${name} is not set: start Wardline with \`npm start\`, or set ${name}`);
  return value;
}
