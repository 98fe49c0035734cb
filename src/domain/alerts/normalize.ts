import { AlertStatus, NormalizedAlert, normalizeSeverity } from './alert';

/**
 * The three payloads Wardline takes, already checked field by field at the edge (the API answers 400 naming the
 * field), turned into NormalizedAlert. Times arrive parsed to epoch milliseconds.
 */

/** Alertmanager's webhook, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export interface AlertmanagerPayload {
  version: '4';
  groupKey: string;
  status: AlertStatus;
  receiver?: string;
  externalURL?: string;
  commonLabels?: Record<string, string>;
  alerts: {
    status: AlertStatus;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    startsAt: number;
    /** null for "0001-01-01T00:00:00Z", Alertmanager's "no end yet". */
    endsAt: number | null;
    generatorURL?: string;
    fingerprint: string;
  }[];
}

/**
 * What Wardline's Zabbix webhook media type posts (monitoring/zabbix/wardline-media-type.yaml): the macros of a
 * problem or its recovery. eventId is the problem's {EVENT.ID} in both, so the recovery finds its problem.
 */
export interface ZabbixPayload {
  eventId: string;
  status: 'PROBLEM' | 'RESOLVED';
  severity: string;
  trigger: { id: string; name: string; description?: string };
  host: { name: string; ip?: string };
  /** {EVENT.TIMESTAMP}: when the problem began. */
  eventTime: number;
  /** {EVENT.RECOVERY.ID} and {EVENT.RECOVERY.TIMESTAMP}, on recovery. */
  recoveryEventId?: string;
  recoveryTime?: number;
  /** {EVENT.TAGSJSON}: tags become labels, so a `wardline_ci` tag maps the alert like a Prometheus label. */
  tags?: { tag: string; value: string }[];
  url?: string;
}

/** Anything else that can post JSON (documented in the OpenAPI page). */
export interface GenericAlert {
  /** The sender's id for this alert; without one, the name and labels identify it. */
  id?: string;
  alertname: string;
  status: AlertStatus;
  severity?: string;
  summary?: string;
  description?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** The sender's own grouping; without one, the group is the mapped system plus the alert name. */
  group?: string;
  startsAt: number;
  endsAt?: number;
}

const SUMMARY_MAX = 300;

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SUMMARY_MAX ? `${flat.slice(0, SUMMARY_MAX - 1)}…` : flat;
}

/** A stable identity from what the alert is, for senders that give none. Deterministic (FNV-1a), not a secret. */
export function fingerprintOf(parts: Record<string, string>): string {
  const text = Object.keys(parts)
    .sort()
    .map((k) => `${k}=${parts[k]}`)
    .join('\u0000');
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x811c9dc5) >>> 0;
  }
  return `${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`;
}

export function fromAlertmanager(p: AlertmanagerPayload): NormalizedAlert[] {
  return p.alerts.map((a) => {
    const labels = { ...a.labels };
    const annotations = { ...(a.annotations ?? {}) };
    const alertname = labels.alertname ?? 'unnamed';
    return {
      source: 'alertmanager',
      fingerprint: a.fingerprint,
      sourceGroupKey: p.groupKey,
      alertname,
      status: a.status,
      severity: normalizeSeverity(labels.severity),
      rawSeverity: labels.severity ?? null,
      labels,
      annotations: a.generatorURL ? { ...annotations, generatorURL: a.generatorURL } : annotations,
      summary: oneLine(annotations.summary ?? annotations.description ?? annotations.message ?? `${alertname} ${labels.instance ?? ''}`),
      startsAt: a.startsAt,
      endsAt: a.status === 'resolved' ? a.endsAt : null,
    };
  });
}

export function fromZabbix(p: ZabbixPayload): NormalizedAlert {
  const labels: Record<string, string> = {};
  for (const t of p.tags ?? []) labels[t.tag] = t.value;
  Object.assign(labels, { host: p.host.name, trigger_id: p.trigger.id, alertname: p.trigger.name });
  if (p.host.ip) labels.host_ip = p.host.ip;
  const annotations: Record<string, string> = {};
  if (p.trigger.description) annotations.description = p.trigger.description;
  if (p.url) annotations.url = p.url;
  if (p.recoveryEventId) annotations.recoveryEventId = p.recoveryEventId;
  const resolved = p.status === 'RESOLVED';
  return {
    source: 'zabbix',
    fingerprint: p.eventId,
    sourceGroupKey: null,
    alertname: p.trigger.name,
    status: resolved ? 'resolved' : 'firing',
    severity: normalizeSeverity(p.severity),
    rawSeverity: p.severity,
    labels,
    annotations,
    summary: oneLine(`${p.host.name}: ${p.trigger.name}`),
    startsAt: p.eventTime,
    endsAt: resolved ? (p.recoveryTime ?? null) : null,
  };
}

export function fromGeneric(a: GenericAlert): NormalizedAlert {
  const labels = { ...(a.labels ?? {}) };
  const annotations = { ...(a.annotations ?? {}) };
  if (a.description) annotations.description = a.description;
  return {
    source: 'generic',
    fingerprint: a.id ?? fingerprintOf({ ...labels, alertname: a.alertname }),
    sourceGroupKey: a.group ?? null,
    alertname: a.alertname,
    status: a.status,
    severity: normalizeSeverity(a.severity ?? labels.severity),
    rawSeverity: a.severity ?? labels.severity ?? null,
    labels,
    annotations,
    summary: oneLine(a.summary ?? annotations.summary ?? a.alertname),
    startsAt: a.startsAt,
    endsAt: a.status === 'resolved' ? (a.endsAt ?? null) : null,
  };
}
