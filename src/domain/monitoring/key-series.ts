import { ItemType } from '../cmdb';

/**
 * The series a configuration item's page draws (GET /cmdb/items/:ref/metrics), as PromQL templates by item type.
 * `SEL` stands for the label matchers that pick the item's targets: `wardline_ci="server:his-app-01"`, or its
 * address `instance=~"10\\.20\\.1\\.11(:[0-9]+)?"`; each template runs once per matcher that applies.
 */
export interface KeySeries {
  key: string;
  label: { zh: string; en: string };
  unit: 'percent' | 'bytes' | 'count' | 'ratio' | 'seconds' | 'up';
  query: string;
}

const UP: KeySeries = { key: 'up', label: { zh: '采集状态', en: 'scrape up' }, unit: 'up', query: 'up{SEL}' };

const SERVER: KeySeries[] = [
  UP,
  { key: 'cpu_busy_percent', label: { zh: 'CPU 使用率', en: 'CPU busy' }, unit: 'percent', query: '100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle",SEL}[5m])))' },
  { key: 'memory_available_percent', label: { zh: '可用内存', en: 'memory available' }, unit: 'percent', query: '100 * node_memory_MemAvailable_bytes{SEL} / node_memory_MemTotal_bytes{SEL}' },
  {
    key: 'filesystem_free_percent',
    label: { zh: '磁盘剩余空间', en: 'filesystem free' },
    unit: 'percent',
    query: '100 * node_filesystem_avail_bytes{fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs",SEL} / node_filesystem_size_bytes{fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs",SEL}',
  },
  { key: 'filesystem_avail_bytes', label: { zh: '磁盘可用字节', en: 'filesystem available bytes' }, unit: 'bytes', query: 'node_filesystem_avail_bytes{fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs",SEL}' },
  { key: 'load15', label: { zh: '15 分钟负载', en: 'load (15 min)' }, unit: 'count', query: 'node_load15{SEL}' },
];

const DATABASE: KeySeries[] = [
  UP,
  { key: 'pg_connections', label: { zh: 'PostgreSQL 连接数', en: 'PostgreSQL connections' }, unit: 'count', query: 'sum by (instance) (pg_stat_activity_count{SEL})' },
  { key: 'pg_max_connections', label: { zh: 'PostgreSQL 最大连接数', en: 'PostgreSQL max connections' }, unit: 'count', query: 'max by (instance) (pg_settings_max_connections{SEL})' },
  { key: 'mysql_connections', label: { zh: 'MySQL 连接数', en: 'MySQL connections' }, unit: 'count', query: 'mysql_global_status_threads_connected{SEL}' },
  { key: 'mysql_max_connections', label: { zh: 'MySQL 最大连接数', en: 'MySQL max connections' }, unit: 'count', query: 'mysql_global_variables_max_connections{SEL}' },
];

const BACKUP: KeySeries[] = [
  { key: 'backup_age_seconds', label: { zh: '距上次成功备份', en: 'age of the last good backup' }, unit: 'seconds', query: 'time() - wardline_backup_last_success_timestamp_seconds{SEL}' },
];

export function keySeriesFor(type: ItemType): KeySeries[] {
  if (type === 'server') return SERVER;
  if (type === 'database') return DATABASE;
  if (type === 'backup_job') return BACKUP;
  return [UP];
}

/** A PromQL string literal: backslashes and quotes escaped. */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** The matchers that select an item's targets: its wardline_ci label, and its IPv4 address when it has one. */
export function itemSelectors(item: { type: ItemType; name: string; ip?: string | null }): string[] {
  const ref = item.type === 'business_system' ? item.name : `${item.type}:${item.name}`;
  const out = [`wardline_ci=${promString(ref)}`];
  if (item.ip && /^\d{1,3}(\.\d{1,3}){3}$/.test(item.ip)) out.push(`instance=~${promString(`${item.ip.replace(/\./g, '\\.')}(:[0-9]+)?`)}`);
  return out;
}

/** A template with its SEL filled in. */
export function withSelector(template: string, selector: string): string {
  return template.replace(/SEL/g, selector);
}
