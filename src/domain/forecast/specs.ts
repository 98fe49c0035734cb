import { Severity } from '../alerts/alert';
import { ForecastKind } from './forecast';
import { Direction } from './trend';

/**
 * What Wardline forecasts, as data (P2): each a PromQL series to fit, the limit that means exhaustion (a constant,
 * or an instant query whose series match the fitted ones label for label), and the direction it heads. The series'
 * labels (wardline_ci, instance) map each forecast to its configuration item like an alert's.
 */
export interface TrendSpec {
  kind: Exclude<ForecastKind, 'backup_age'>;
  query: string;
  limit: { value: number } | { query: string };
  direction: Direction;
  /** The alert name of the preventive incident's group. */
  alertname: string;
  /** How seriously a forecast inside the horizon is taken (with the system's criticality, the priority). */
  severity: Severity;
}

export interface BackupSpec {
  kind: 'backup_age';
  /** Epoch seconds of each backup's last success (node_exporter's textfile collector). */
  query: string;
  alertname: string;
  severity: Severity;
}

export type ForecastSpec = TrendSpec | BackupSpec;

const REAL_FS = 'fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs"';

export const DEFAULT_FORECAST_SPECS: readonly ForecastSpec[] = [
  {
    kind: 'filesystem_fill',
    query: `node_filesystem_avail_bytes{${REAL_FS}}`,
    limit: { value: 0 },
    direction: 'falling',
    alertname: 'ForecastFilesystemFull',
    severity: 'high',
  },
  {
    kind: 'memory_exhaustion',
    query: 'node_memory_MemAvailable_bytes',
    // Below 5 % of the memory the host has left for the page cache and the kernel, it is as good as out.
    limit: { query: '0.05 * node_memory_MemTotal_bytes' },
    direction: 'falling',
    alertname: 'ForecastMemoryExhausted',
    severity: 'high',
  },
  {
    kind: 'db_connections',
    query: 'sum by (job, instance, wardline_ci) (pg_stat_activity_count)',
    limit: { query: 'max by (job, instance, wardline_ci) (pg_settings_max_connections)' },
    direction: 'rising',
    alertname: 'ForecastDbConnectionsExhausted',
    severity: 'high',
  },
  {
    kind: 'db_connections',
    query: 'mysql_global_status_threads_connected',
    limit: { query: 'mysql_global_variables_max_connections' },
    direction: 'rising',
    alertname: 'ForecastDbConnectionsExhausted',
    severity: 'high',
  },
  {
    kind: 'backup_age',
    query: 'wardline_backup_last_success_timestamp_seconds',
    alertname: 'ForecastBackupOverdue',
    severity: 'warning',
  },
];

/** The identity of a series: its labels without the metric name, in a fixed order. */
export function seriesKey(kind: ForecastKind, labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${kind}{${parts.join(',')}}`;
}

/** Labels without the metric name: what a limit series and a fitted series must share to belong together. */
export function withoutName(labels: Record<string, string>): Record<string, string> {
  const { __name__: _, ...rest } = labels;
  return rest;
}
