import { DataSource, EntityManager } from 'typeorm';
import { NormalizedAlert, SEVERITY_LABELS, Severity } from '../../domain/alerts/alert';
import { GroupDecision, GroupIncidentState, decideGroup } from '../../domain/alerts/group';
import { MapCriticality, PriorityMap, morePressing, priorityFor } from '../../domain/alerts/priority';
import type { Channel } from '../../domain/incident';
import type { Actor, Reporter } from '../../domain/incident-process';
import type { Priority } from '../../domain/sla-policy';
import type { AlertBrief, AlertGroupChange } from '../../shared/alert-messages';
import { updateReturning } from '../sql';
import { ImpactedSystem, MappedItem } from './mapping-store';

/**
 * Records a batch of one alert group's alerts (P3) in ONE transaction: the group row (locked, so concurrent webhooks of
 * a group take turns), every alert's row with its counts and times, the alert list of its incident or of the change
 * whose maintenance window covers it, and — through the gateway — the incident's opening or the signal that tells
 * its workflow, as an outbox entry committed with the rest. Nothing here waits on Temporal; a retried or replayed
 * webhook finds its alerts already recorded and opens nothing.
 */

/** The business system unmapped alerts open their triage incidents on (seeded by the alerts migration). */
export const TRIAGE_SYSTEM_CODE = 'SYS-00';

/** What the incident intake needs to open an alert group's incident (the shape src/intake's IncidentReport takes). */
export interface AlertIncidentReport {
  system: string;
  title: string;
  description: string;
  reporter: Reporter;
  priority: Priority;
  channel: Channel;
  reportedAt: number;
  openedBy: Actor;
  intakeKey: string;
}

/** The incident intake, inside the caller's transaction: open an incident, or queue a signal to its workflow. */
export interface AlertIncidentGateway {
  open(tx: EntityManager, report: AlertIncidentReport): Promise<{ incidentId: string; number: string }>;
  signal(tx: EntityManager, workflowId: string, change: AlertGroupChange): Promise<void>;
}

export interface AlertGroupBatch {
  key: string;
  /** The mapping of the batch's first alert: it places a new group. */
  mapped: MappedItem | null;
  alerts: NormalizedAlert[];
}

export interface IntakeContext {
  now: number;
  flapWindowMs: number;
  priorities: PriorityMap;
  /** The integration user whose token posted the alerts. */
  openedBy: Actor;
  gateway: AlertIncidentGateway;
}

/**
 * What one alert did: opened its group's incident, joined it (`attached`), fired again after the group had gone quiet
 * (`refired`), was a repeat, resolved, was kept from opening an incident by a maintenance window (`suppressed`),
 * was older than what Wardline knew (`stale`), or was only recorded (a resolution with no incident to tell).
 */
export type AlertOutcome = 'opened' | 'attached' | 'refired' | 'repeat' | 'resolved' | 'suppressed' | 'stale' | 'recorded';
export const ALERT_OUTCOMES: readonly AlertOutcome[] = ['opened', 'attached', 'refired', 'repeat', 'resolved', 'suppressed', 'stale', 'recorded'];

export interface GroupOutcome {
  groupId: string;
  groupKey: string;
  incident: { id: string; number: string; action: 'opened' | 'signalled' | 'none' } | null;
  /** Changes whose open maintenance window kept this batch from opening an incident. */
  suppressedBy: string[];
  /** Per alert of the batch, in order. */
  outcomes: { fingerprint: string; outcome: AlertOutcome }[];
}

const SEVERITY_ORDER = (s: Severity) => ['critical', 'high', 'unknown', 'warning', 'info'].indexOf(s);
function worst(severities: Severity[]): Severity {
  return severities.reduce((a, b) => (SEVERITY_ORDER(b) < SEVERITY_ORDER(a) ? b : a), 'info' as Severity);
}

/**
 * The approved changes whose window is open now and whose systems cover every business system the item's outage
 * reaches (S4). An item no change touches, or one that also serves a system outside every open window, is not covered:
 * its alerts open incidents as usual.
 */
export async function coveringChanges(db: DataSource | EntityManager, systems: readonly ImpactedSystem[], now: number): Promise<string[]> {
  if (systems.length === 0) return [];
  const rows: { id: string; system_id: string }[] = await db.query(
    `SELECT id, system_id FROM changes
      WHERE state IN ('approved', 'implemented') AND approved_revision IS NOT NULL
        AND window_start <= $1 AND window_end > $1 AND system_id = ANY($2)
      ORDER BY window_start, id`,
    [new Date(now), systems.map((s) => s.systemId)],
  );
  const covered = new Set(rows.map((r) => r.system_id));
  return systems.every((s) => covered.has(s.systemId)) ? rows.map((r) => r.id) : [];
}

/**
 * The changes of the job and patch runs still going on a configuration item (issue 11, S4, P5): work under a change on
 * the item itself is its maintenance, whether or not the change's window covers every system the item serves. A
 * read-only run (it collects, it changes nothing) or one under no change (nowhere to show the alerts) covers nothing.
 */
export async function changesOfRunsOnItem(db: DataSource | EntityManager, itemId: string): Promise<string[]> {
  const rows: { change_id: string }[] = await db.query(
    `SELECT DISTINCT r.change_id FROM job_runs r
      WHERE r.state IN ('running', 'paused') AND r.finished_at IS NULL AND r.change_id IS NOT NULL AND NOT r.read_only
        AND EXISTS (SELECT 1 FROM job_run_hosts h WHERE h.run_id = r.id AND h.item_id = $1)
      ORDER BY r.change_id`,
    [itemId],
  );
  return rows.map((r) => r.change_id);
}

/** Why an alert opens no incident now: the changes whose window covers its systems, and those running work on its item. */
export async function maintenanceOf(db: DataSource | EntityManager, mapped: MappedItem | null, now: number): Promise<string[]> {
  const windows = await coveringChanges(db, mapped?.systems ?? [], now);
  const runs = mapped ? await changesOfRunsOnItem(db, mapped.itemId) : [];
  return [...new Set([...windows, ...runs])];
}

function brief(alertId: string, a: NormalizedAlert): AlertBrief {
  return { alertId, fingerprint: a.fingerprint, alertname: a.alertname, summary: a.summary, severity: a.severity, startsAt: a.startsAt, endsAt: a.endsAt };
}

/** The incident's description: what fired, where, and what it reaches; zh-CN first. */
function describe(batch: AlertGroupBatch, system: ImpactedSystem | null): string {
  const lines: string[] = [];
  const m = batch.mapped;
  lines.push(m ? `配置项 / item: ${m.type}:${m.name} (${m.displayName})` : '未能对应到配置项，请调度员分派 / mapped to no configuration item: a dispatcher must triage it');
  if (m && m.systems.length) lines.push(`影响系统 / affected systems: ${m.systems.map((s) => `${s.code} ${s.displayName}`).join('，')}`);
  else if (m && !system) lines.push('该配置项不支撑任何业务系统 / the item supports no business system');
  for (const a of batch.alerts) {
    const sev = SEVERITY_LABELS[a.severity];
    lines.push(`- [${sev.zh} / ${sev.en}] ${a.summary}`);
    const labels = Object.entries(a.labels)
      .filter(([k]) => k !== 'alertname')
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    if (labels) lines.push(`  ${labels}`);
    if (a.annotations.description) lines.push(`  ${a.annotations.description}`);
  }
  return lines.join('\n').slice(0, 5000);
}

const SOURCE_NAMES: Record<NormalizedAlert['source'], string> = {
  alertmanager: 'Prometheus Alertmanager',
  zabbix: 'Zabbix',
  generic: '外部监控 / external monitoring',
  prediction: 'Wardline 故障预判 / fault prediction',
};

export async function recordAlertGroup(ds: DataSource, batch: AlertGroupBatch, ctx: IntakeContext): Promise<GroupOutcome> {
  const first = batch.alerts[0];
  const system = batch.mapped?.systems[0] ?? null;
  const criticality: MapCriticality = system?.criticality ?? 'unknown';
  const severity = worst(batch.alerts.map((a) => a.severity));
  return ds.transaction(async (tx) => {
    const now = ctx.now;
    // The upsert takes the group's row lock for this transaction: webhooks of one group take turns from here on.
    const [g] = await updateReturning<{ id: string; incident_id: string | null; all_resolved_at: Date | null; previous_incident_ids: string[]; system_id: string | null; priority: Priority | null }>(
      tx,
      `INSERT INTO alert_groups (group_key, source, alertname, item_id, system_id, mapped_by, severity, first_seen, last_seen)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
       ON CONFLICT (group_key) DO UPDATE SET last_seen = greatest(alert_groups.last_seen, EXCLUDED.last_seen), updated_at = now()
       RETURNING id, incident_id, all_resolved_at, previous_incident_ids, system_id, priority`,
      [batch.key, first.source, first.alertname, batch.mapped?.itemId ?? null, system?.systemId ?? null, batch.mapped?.ruleId ?? null, severity, new Date(now)],
    );
    const stored: { id: string; fingerprint: string; status: 'firing' | 'resolved'; starts_at: Date }[] = await tx.query(
      `SELECT id, fingerprint, status, starts_at FROM alerts WHERE group_id = $1`,
      [g.id],
    );
    let incident: { id: string; state: GroupIncidentState; workflowId: string | null; number: string | null } | null = null;
    if (g.incident_id) {
      const [row] = await tx.query(`SELECT state, workflow_id, number FROM incidents WHERE id = $1`, [g.incident_id]);
      incident = { id: g.incident_id, state: (row?.state ?? 'opening') as GroupIncidentState, workflowId: row?.workflow_id ?? null, number: row?.number ?? null };
    }
    // One message may carry an alert twice (a sender's bug, a replay inside a batch): the last word counts.
    const incoming = [...new Map(batch.alerts.map((a) => [a.fingerprint, a])).values()];
    const decision: GroupDecision = decideGroup(
      {
        incident: incident ? { id: incident.id, state: incident.state } : null,
        allResolvedAt: g.all_resolved_at ? g.all_resolved_at.getTime() : null,
        alerts: stored.map((s) => ({ fingerprint: s.fingerprint, status: s.status, startsAt: s.starts_at.getTime() })),
      },
      incoming.map((a) => ({ fingerprint: a.fingerprint, status: a.status, startsAt: a.startsAt })),
      { now, flapWindowMs: ctx.flapWindowMs },
    );
    const changeOf = new Map(decision.changes.map((c) => [c.fingerprint, c.change]));

    // Every alert's row: counts and times move forward; a stale message only counts as received. One statement for
    // the batch (a message's alerts), not one per alert: the group's transaction is the intake's cost (bench:alerts).
    const alertIds = new Map<string, string>();
    for (const a of incoming) {
      if (changeOf.get(a.fingerprint) !== 'stale') continue;
      const [row] = await updateReturning<{ id: string }>(
        tx,
        `UPDATE alerts SET receipts = receipts + 1, last_seen = greatest(last_seen, $3) WHERE group_id = $1 AND fingerprint = $2 RETURNING id`,
        [g.id, a.fingerprint, new Date(now)],
      );
      if (row) alertIds.set(a.fingerprint, row.id);
    }
    const fresh = incoming.filter((a) => changeOf.get(a.fingerprint) !== 'stale');
    if (fresh.length > 0) {
      const rows: { id: string; fingerprint: string }[] = await tx.query(
        `INSERT INTO alerts (group_id, source, fingerprint, alertname, status, severity, raw_severity, summary, labels, annotations, item_id,
                             starts_at, ends_at, first_seen, last_seen, receipts, fires)
         SELECT $1, r.source, r.fingerprint, r.alertname, r.status, r.severity, r.raw_severity, r.summary, r.labels, r.annotations, $2::uuid,
                r.starts_at, r.ends_at, $3, $3, 1, r.fires
           FROM jsonb_to_recordset($4::jsonb) AS r(source text, fingerprint text, alertname text, status text, severity text, raw_severity text,
                                                   summary text, labels jsonb, annotations jsonb, starts_at timestamptz, ends_at timestamptz, fires int)
         ON CONFLICT (group_id, fingerprint) DO UPDATE SET
           status = EXCLUDED.status, severity = EXCLUDED.severity, raw_severity = EXCLUDED.raw_severity, summary = EXCLUDED.summary,
           labels = EXCLUDED.labels, annotations = EXCLUDED.annotations, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
           last_seen = EXCLUDED.last_seen, receipts = alerts.receipts + 1, fires = alerts.fires + EXCLUDED.fires
         RETURNING id, fingerprint`,
        [
          g.id,
          batch.mapped?.itemId ?? null,
          new Date(now),
          JSON.stringify(
            fresh.map((a) => {
              const change = changeOf.get(a.fingerprint)!;
              return {
                source: a.source,
                fingerprint: a.fingerprint,
                alertname: a.alertname,
                status: a.status,
                severity: a.severity,
                raw_severity: a.rawSeverity,
                summary: a.summary,
                labels: a.labels,
                annotations: a.annotations,
                starts_at: new Date(a.startsAt).toISOString(),
                ends_at: a.endsAt === null ? null : new Date(a.endsAt).toISOString(),
                fires: change === 'fired' || change === 'resolved_unseen' ? 1 : 0,
              };
            }),
          ),
        ],
      );
      for (const r of rows) alertIds.set(r.fingerprint, r.id);
    }

    // Maintenance (an open change window, or a job or patch run on the item) only keeps an incident from opening; an incident already open keeps hearing about its alerts.
    const maintenance = decision.incident === 'open' ? await maintenanceOf(tx, batch.mapped, now) : [];
    let action: 'opened' | 'signalled' | 'none' = 'none';
    let attachTo: { incidentId: string } | { changeIds: string[] } | null = incident && decision.incident !== 'open' ? { incidentId: incident.id } : null;
    if (decision.incident === 'open' && maintenance.length > 0) {
      attachTo = { changeIds: maintenance };
    } else if (decision.incident === 'open') {
      const episode = g.previous_incident_ids.length + (g.incident_id ? 1 : 0);
      const firing = incoming.filter((a) => a.status === 'firing');
      const opened = await ctx.gateway.open(tx, {
        system: system?.systemId ?? TRIAGE_SYSTEM_CODE,
        title: `${system ? '' : '【待分派】'}${(firing[0] ?? first).summary}`.slice(0, 200),
        description: describe({ ...batch, alerts: firing.length ? firing : batch.alerts }, system),
        reporter: { name: SOURCE_NAMES[first.source], department: '监控告警 / monitoring', phone: null },
        priority: priorityFor(ctx.priorities, worst(incoming.filter((a) => a.status === 'firing').map((a) => a.severity)), criticality),
        channel: 'alert',
        reportedAt: now,
        openedBy: ctx.openedBy,
        intakeKey: `alert-group:${g.id}:${episode}`,
      });
      await tx.query(
        `UPDATE alert_groups SET incident_id = $2, previous_incident_ids = CASE WHEN incident_id IS NULL THEN previous_incident_ids ELSE previous_incident_ids || incident_id END,
                priority = $3 WHERE id = $1`,
        [g.id, opened.incidentId, priorityFor(ctx.priorities, severity, criticality)],
      );
      incident = { id: opened.incidentId, state: 'opening', workflowId: null, number: opened.number };
      attachTo = { incidentId: opened.incidentId };
      action = 'opened';
    }
    // The group's worst firing alert now asks for a more pressing priority than before: its live incident is told to
    // raise it (with the alerts' news, or alone when the batch only repeated alerts with a higher severity).
    const firingIn = incoming.filter((a) => a.status === 'firing' && changeOf.get(a.fingerprint) !== 'stale');
    const demanded = firingIn.length ? priorityFor(ctx.priorities, worst(firingIn.map((a) => a.severity)), criticality) : null;
    const raise =
      action !== 'opened' && incident && !['closed', 'cancelled'].includes(incident.state) && maintenance.length === 0 && demanded && g.priority && demanded !== g.priority && morePressing(demanded, g.priority) === demanded
        ? { to: demanded, severity: worst(firingIn.map((a) => a.severity)) }
        : null;
    if (raise) await tx.query(`UPDATE alert_groups SET priority = $2 WHERE id = $1`, [g.id, raise.to]);
    if (action !== 'opened' && incident && (decision.incident === 'signal' || raise)) {
      if (!incident.workflowId) {
        const [row] = await tx.query(`SELECT workflow_id, number FROM incidents WHERE id = $1`, [incident.id]);
        incident = { ...incident, workflowId: row?.workflow_id ?? null, number: row?.number ?? null };
      }
      if (incident.workflowId) {
        const byFingerprint = new Map(incoming.map((a) => [a.fingerprint, a]));
        await ctx.gateway.signal(tx, incident.workflowId, {
          groupId: g.id,
          at: now,
          fired: decision.fired.map((f) => brief(alertIds.get(f)!, byFingerprint.get(f)!)),
          resolved: decision.resolved.map((f) => brief(alertIds.get(f)!, byFingerprint.get(f)!)),
          allResolved: decision.allResolved,
          ...(raise ? { raisePriority: raise } : {}),
        });
        action = 'signalled';
      }
    }

    // The alert list of the incident (or of the covering changes): first and last seen, receipts, fires; one statement.
    const listed = fresh.filter((a) => alertIds.has(a.fingerprint));
    if (attachTo && listed.length > 0) {
      const ids = listed.map((a) => alertIds.get(a.fingerprint)!);
      const fires = listed.map((a) => Math.max(changeOf.get(a.fingerprint) === 'fired' ? 1 : 0, action === 'opened' && a.status === 'firing' ? 1 : 0));
      const statuses = listed.map((a) => a.status);
      const target = 'incidentId' in attachTo ? attachTo.incidentId : attachTo.changeIds;
      const byIncident = typeof target === 'string';
      await tx.query(
        `INSERT INTO alert_attachments (alert_id, incident_id, change_id, first_seen, last_seen, receipts, fires, last_status)
         SELECT u.alert_id, ${byIncident ? '$4::uuid, NULL' : 'NULL, t.change_id'}, $5, $5, 1, u.fires, u.status
           FROM unnest($1::uuid[], $2::int[], $3::text[]) AS u(alert_id, fires, status)
           ${byIncident ? '' : 'CROSS JOIN unnest($4::uuid[]) AS t(change_id)'}
         ON CONFLICT (alert_id, ${byIncident ? 'incident_id' : 'change_id'}) DO UPDATE SET
           last_seen = EXCLUDED.last_seen, receipts = alert_attachments.receipts + 1, fires = alert_attachments.fires + EXCLUDED.fires,
           last_status = EXCLUDED.last_status`,
        [ids, fires, statuses, target, new Date(now)],
      );
    }

    await tx.query(
      `WITH f AS (SELECT count(*) FILTER (WHERE status = 'firing')::int AS n FROM alerts WHERE group_id = $1)
       UPDATE alert_groups g SET firing = f.n,
              all_resolved_at = CASE WHEN f.n = 0 THEN coalesce(g.all_resolved_at, $2) ELSE NULL END,
              severity = $3, updated_at = now()
         FROM f WHERE g.id = $1`,
      [g.id, new Date(now), severity],
    );

    const outcomes = incoming.map((a) => ({ fingerprint: a.fingerprint, outcome: outcomeOf(changeOf.get(a.fingerprint)!, action, maintenance.length > 0, decision) }));
    return {
      groupId: g.id,
      groupKey: batch.key,
      incident: incident && (action !== 'none' || attachTo) ? { id: incident.id, number: incident.number ?? '', action } : null,
      suppressedBy: maintenance,
      outcomes,
    };
  });
}

function outcomeOf(change: string, action: 'opened' | 'signalled' | 'none', suppressed: boolean, d: GroupDecision): AlertOutcome {
  if (change === 'stale') return 'stale';
  if (suppressed) return 'suppressed';
  if (action === 'opened') return 'opened';
  if (change === 'fired') return d.refired ? 'refired' : 'attached';
  if (change === 'resolved') return action === 'signalled' ? 'resolved' : 'recorded';
  if (change === 'resolved_unseen') return 'recorded';
  return 'repeat';
}
