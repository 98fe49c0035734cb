/**
 * Alerts from the monitoring the hospital already runs (P3 故障管理流程化并自动生成工单): Prometheus through
 * Alertmanager, Zabbix, anything that can post JSON, and Wardline's own forecasts. Each source's payload becomes one
 * shape here; everything after (mapping to a configuration item, grouping, priority) reads only this shape.
 */
export const ALERT_SOURCES = ['alertmanager', 'zabbix', 'generic', 'prediction'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

/** Wardline's severities; the sources' words are mapped onto these, and what is not understood stays `unknown`. */
export const SEVERITIES = ['critical', 'high', 'warning', 'info', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SEVERITY_LABELS: Record<Severity, { zh: string; en: string }> = {
  critical: { zh: '紧急', en: 'critical' },
  high: { zh: '严重', en: 'high' },
  warning: { zh: '警告', en: 'warning' },
  info: { zh: '信息', en: 'info' },
  unknown: { zh: '未知', en: 'unknown' },
};

export type AlertStatus = 'firing' | 'resolved';

export interface NormalizedAlert {
  source: AlertSource;
  /** The alert's identity within its source: Alertmanager's fingerprint, Zabbix's problem event id, the sender's id. */
  fingerprint: string;
  /** The source's own grouping (Alertmanager's groupKey), or null: then the group is the system plus the alert name. */
  sourceGroupKey: string | null;
  alertname: string;
  status: AlertStatus;
  severity: Severity;
  /** The source's word, kept as evidence (Zabbix `Disaster`, a label `P1`…). */
  rawSeverity: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** One line for people, used as the incident's title. */
  summary: string;
  startsAt: number;
  endsAt: number | null;
}

/**
 * The sources' words for severity. Alertmanager rules use free labels (critical/warning/info by convention, often
 * page/error/major/minor); Zabbix has six fixed levels. A word not listed is `unknown`, which the priority map treats
 * as data like any other (by default as seriously as `high`): an alert is never dropped for its wording.
 */
const SEVERITY_WORDS: Record<string, Severity> = {
  critical: 'critical',
  crit: 'critical',
  disaster: 'critical',
  emergency: 'critical',
  fatal: 'critical',
  page: 'critical',
  p1: 'critical',
  紧急: 'critical',
  high: 'high',
  major: 'high',
  error: 'high',
  severe: 'high',
  p2: 'high',
  严重: 'high',
  average: 'warning',
  warning: 'warning',
  warn: 'warning',
  minor: 'warning',
  medium: 'warning',
  p3: 'warning',
  警告: 'warning',
  一般: 'warning',
  info: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  low: 'info',
  none: 'info',
  p4: 'info',
  信息: 'info',
  提示: 'info',
};

export function normalizeSeverity(word: string | null | undefined): Severity {
  if (word === null || word === undefined) return 'unknown';
  const key = word.trim().toLowerCase().replace(/[\s_-]+/g, '');
  if (key === 'notclassified') return 'unknown';
  return SEVERITY_WORDS[key] ?? 'unknown';
}

/** The group an alert joins (one group is one incident): the source's own key, else the system plus the alert name. */
export function groupKeyOf(alert: NormalizedAlert, mapped: { systemId: string } | null): string {
  if (alert.sourceGroupKey !== null) return `${alert.source}:${alert.sourceGroupKey}`;
  if (mapped) return `system:${mapped.systemId}:${alert.alertname}`;
  // Mapped to nothing: the host the source named keeps unrelated unmapped alerts apart.
  const where = alert.labels.host ?? alert.labels.instance ?? alert.labels.hostname ?? '';
  return `unmapped:${alert.alertname}:${where}`;
}
