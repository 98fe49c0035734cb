import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { IncidentView, TimelineEvent } from '../../domain/incident-process';
import { ProblemEvent, ProblemInput, ProblemOrigin, ProblemProcess, ProblemView, IncidentRef } from '../../domain/problems/problem';
import { RECURRENCE_KINDS, RECURRENCE_ZH, Recurrence, RecurrenceKind, RecurrenceRule, ResolvedIncident, findRecurrences } from '../../domain/problems/recurrence';
import { enqueue } from '../../intake/outbox';
import { allocateNumber } from '../numbering';
import { PROBLEM_COMMAND_UPDATE, PROBLEM_WORKFLOW_TYPE, problemWorkflowId } from '../../shared/problem-messages';

type Db = DataSource | EntityManager;

/** The contract's zone (Asia/Shanghai) for problem numbers made inside the incident projection. */
const CONTRACT_OFFSET_MINUTES = 480;
const DETECTOR = { id: 'system', name: 'Wardline' };

/** The problem row, one timeline event and the incident links; idempotent by (problem, seq), never backwards. */
export async function writeProblemProjection(ds: DataSource, p: { view: ProblemView; event: ProblemEvent }): Promise<void> {
  await ds.transaction(async (tx) => {
    await upsertRow(tx, p.view, p.event.seq === 0 ? p.event : null);
    await insertEvent(tx, p.view.problemId, p.event);
  });
}

async function upsertRow(tx: EntityManager, v: ProblemView, opened: ProblemEvent | null): Promise<void> {
  await tx.query(
    `INSERT INTO problems (id, number, workflow_id, system_id, title, description, state, origin_kind, detection_key, root_cause, workaround,
        fixed_by_change_id, opened_at, opened_by_name, closed_at, view, projected_seq)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
     ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, root_cause = EXCLUDED.root_cause, workaround = EXCLUDED.workaround,
        fixed_by_change_id = EXCLUDED.fixed_by_change_id, closed_at = EXCLUDED.closed_at, view = EXCLUDED.view,
        projected_seq = EXCLUDED.projected_seq, updated_at = now()
     WHERE problems.projected_seq < EXCLUDED.projected_seq`,
    [
      v.problemId,
      v.number,
      problemWorkflowId(v.number, v.problemId),
      v.systemId,
      v.title,
      v.description,
      v.state,
      v.origin.kind,
      v.origin.kind === 'recurrence' ? v.origin.key : null,
      v.rootCause,
      v.workaround,
      v.fixedBy?.id ?? null,
      new Date(v.openedAt),
      opened?.actor?.name ?? 'Wardline',
      v.closedAt === null ? null : new Date(v.closedAt),
      JSON.stringify(v),
      v.seq,
    ],
  );
  for (const i of v.incidents) {
    await tx.query(`INSERT INTO problem_incidents (problem_id, incident_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [v.problemId, i.id]);
  }
}

async function insertEvent(tx: EntityManager, problemId: string, e: ProblemEvent): Promise<void> {
  await tx.query(
    `INSERT INTO problem_events (problem_id, seq, type, actor_id, actor_name, at, from_state, to_state, note, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (problem_id, seq) DO NOTHING`,
    [problemId, e.seq, e.type, e.actor?.id ?? null, e.actor?.name ?? null, new Date(e.at), e.fromState, e.toState, e.note, JSON.stringify(e.data)],
  );
}

/**
 * Opens a problem in the caller's transaction: number, row, opening event, incident links and the outbox entry that
 * starts its workflow commit together (the dispatcher starts it afterwards), as incidents are opened.
 */
export async function openProblem(
  tx: EntityManager,
  p: { systemId: string; title: string; description: string; origin: ProblemOrigin; incidents: IncidentRef[]; at: number; by: { id: string; name: string }; taskQueue?: string; utcOffsetMinutes?: number },
): Promise<{ problemId: string; number: string; workflowId: string; view: ProblemView }> {
  const [system] = await tx.query(`SELECT display_name FROM business_systems WHERE id = $1`, [p.systemId]);
  const problemId = randomUUID();
  const number = await allocateNumber(tx, 'PRB', p.at, p.utcOffsetMinutes ?? CONTRACT_OFFSET_MINUTES);
  const input: ProblemInput = {
    problemId,
    number,
    systemId: p.systemId,
    systemName: system.display_name,
    title: p.title,
    description: p.description,
    origin: p.origin,
    incidents: p.incidents,
    openedAt: p.at,
    openedBy: p.by,
    openedOnRecord: true,
  };
  const process = new ProblemProcess(input);
  const opened = process.opened();
  const view = process.view();
  await upsertRow(tx, view, opened);
  await insertEvent(tx, problemId, opened);
  const workflowId = problemWorkflowId(number, problemId);
  await enqueue(tx, { operation: 'start', workflowId, start: { workflowType: PROBLEM_WORKFLOW_TYPE, args: [input], ...(p.taskQueue ? { taskQueue: p.taskQueue } : {}) } });
  return { problemId, number, workflowId, view };
}

export async function recurrenceRules(db: Db): Promise<RecurrenceRule[]> {
  const rows: Record<string, any>[] = await db.query(`SELECT kind, threshold, window_days, enabled FROM problem_detection_rules`);
  return RECURRENCE_KINDS.flatMap((kind) => {
    const r = rows.find((x) => x.kind === kind);
    return r ? [{ kind, threshold: r.threshold, windowDays: r.window_days, enabled: r.enabled }] : [];
  });
}

export async function saveRecurrenceRules(db: Db, rules: RecurrenceRule[], by: string): Promise<void> {
  for (const r of rules) {
    await db.query(
      `INSERT INTO problem_detection_rules (kind, threshold, window_days, enabled, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (kind) DO UPDATE SET threshold = $2, window_days = $3, enabled = $4, updated_by = $5, updated_at = now()`,
      [r.kind, r.threshold, r.windowDays, r.enabled, by],
    );
  }
}

const groupsOf = `coalesce((SELECT array_agg(g.group_key ORDER BY g.group_key) FROM alert_groups g WHERE g.incident_id = i.id OR i.id = ANY(g.previous_incident_ids)), '{}')`;

/**
 * Called by the incident projection once per newly stored event, in its transaction (S1): a resolution is compared
 * with the system's (and its alert groups') other resolved incidents under the recurrence rules. The first rule met
 * (alert group, then cause, then category) proposes a problem, or links the incident to the open problem of that key.
 */
export async function onIncidentEventProblem(tx: EntityManager, v: IncidentView, e: TimelineEvent): Promise<void> {
  if (e.type !== 'resolve' || !v.resolution) return;
  const rules = await recurrenceRules(tx);
  const enabled = rules.filter((r) => r.enabled);
  if (enabled.length === 0) return;
  const [{ groups }] = await tx.query(`SELECT ${groupsOf} AS groups FROM incidents i WHERE i.id = $1`, [v.incidentId]);
  const resolved: ResolvedIncident = {
    id: v.incidentId,
    number: v.number,
    systemId: v.systemId,
    reportedAt: v.reportedAt,
    category: v.resolution.category,
    cause: v.resolution.cause,
    alertGroups: groups,
  };
  const since = new Date(v.reportedAt - Math.max(...enabled.map((r) => r.windowDays)) * 86_400_000);
  const rows: Record<string, any>[] = await tx.query(
    `SELECT i.id, i.number, i.system_id, i.reported_at, i.resolution->>'category' AS category, i.resolution->>'cause' AS cause, ${groupsOf} AS groups
       FROM incidents i
      WHERE i.id <> $1 AND i.resolution IS NOT NULL AND i.state <> 'cancelled' AND i.reported_at >= $2 AND i.reported_at <= $3
        AND (i.system_id = $4 OR EXISTS (SELECT 1 FROM alert_groups g WHERE g.group_key = ANY($5) AND (g.incident_id = i.id OR i.id = ANY(g.previous_incident_ids))))`,
    [v.incidentId, since, new Date(v.reportedAt), v.systemId, groups],
  );
  const recent: ResolvedIncident[] = rows.map((r) => ({
    id: r.id,
    number: r.number,
    systemId: r.system_id,
    reportedAt: new Date(r.reported_at).getTime(),
    category: r.category,
    cause: r.cause,
    alertGroups: r.groups,
  }));
  const found = findRecurrences(resolved, recent, enabled);
  if (found.length === 0) return;
  // Already explained by an open problem (say, resolved again after a reopen): nothing new to propose.
  const [linked] = await tx.query(
    `SELECT 1 FROM problem_incidents pi JOIN problems p ON p.id = pi.problem_id WHERE pi.incident_id = $1 AND p.state NOT IN ('closed', 'rejected')`,
    [v.incidentId],
  );
  if (linked) return;
  await proposeOrLink(tx, found[0], v, e.at);
}

async function proposeOrLink(tx: EntityManager, r: Recurrence, v: IncidentView, at: number): Promise<void> {
  const [open] = await tx.query(`SELECT id, workflow_id FROM problems WHERE detection_key = $1 AND state NOT IN ('closed', 'rejected')`, [r.key]);
  if (open) {
    await enqueue(tx, {
      operation: 'update',
      workflowId: open.workflow_id,
      name: PROBLEM_COMMAND_UPDATE,
      args: [{ action: 'link_incident', actor: DETECTOR, incident: { id: v.incidentId, number: v.number } }],
      dedupeKey: `problem-link:${open.id}:${v.incidentId}`,
    });
    return;
  }
  const [system] = await tx.query(`SELECT code, display_name FROM business_systems WHERE id = $1`, [v.systemId]);
  const what = r.kind === 'system_cause' ? `原因“${v.resolution!.cause}”` : r.kind === 'system_category' ? `故障类别 ${v.resolution!.category}` : `告警组 ${r.key.slice('alert_group:'.length)}`;
  const summary = `${RECURRENCE_ZH[r.kind]}：${system.display_name}，${what}，${r.windowDays} 天内 ${r.incidents.length} 次（阈值 ${r.threshold}）：${r.incidents.map((i) => i.number).join('、')}`;
  await openProblem(tx, {
    systemId: v.systemId,
    title: `${system.display_name}：${RECURRENCE_ZH[r.kind]}`,
    description: summary,
    origin: { kind: 'recurrence', rule: r.kind, key: r.key, summary },
    incidents: r.incidents.map((i) => ({ id: i.id, number: i.number })),
    at,
    by: DETECTOR,
  });
}

export interface ProblemDigestEntry {
  problemId: string;
  number: string;
  title: string;
  state: string;
  systemCode: string;
  systemName: string;
  origin: string;
  rootCause: string | null;
  workaround: string | null;
  openedAt: Date;
  closedAt: Date | null;
  incidents: { id: string; number: string; title: string; reportedAt: Date }[];
}

/**
 * S1 for the monthly report: the problems open at the end of [from, to) (hidden risks: proposed, under
 * investigation, root cause known) and the known errors with their workarounds, each with its incidents; and the
 * counts of the period (proposed, closed).
 */
export async function problemDigest(ds: DataSource, range: { from: Date; to: Date }) {
  const rows: Record<string, any>[] = await ds.query(
    `SELECT p.*, s.code AS system_code, s.display_name AS system_name FROM problems p JOIN business_systems s ON s.id = p.system_id
      WHERE p.opened_at < $1 AND (p.closed_at IS NULL OR p.closed_at >= $1) ORDER BY p.opened_at, p.number`,
    [range.to],
  );
  const links: Record<string, any>[] = rows.length
    ? await ds.query(
        `SELECT pi.problem_id, i.id, i.number, i.title, i.reported_at FROM problem_incidents pi JOIN incidents i ON i.id = pi.incident_id
          WHERE pi.problem_id = ANY($1) ORDER BY i.reported_at, i.number`,
        [rows.map((r) => r.id)],
      )
    : [];
  const entries: ProblemDigestEntry[] = rows.map((r) => ({
    problemId: r.id,
    number: r.number,
    title: r.title,
    state: r.state,
    systemCode: r.system_code,
    systemName: r.system_name,
    origin: r.origin_kind,
    rootCause: r.root_cause,
    workaround: r.workaround,
    openedAt: new Date(r.opened_at),
    closedAt: r.closed_at ? new Date(r.closed_at) : null,
    incidents: links.filter((l) => l.problem_id === r.id).map((l) => ({ id: l.id, number: l.number, title: l.title, reportedAt: new Date(l.reported_at) })),
  }));
  const [counts] = await ds.query(
    `SELECT count(*) FILTER (WHERE opened_at >= $1::timestamptz AND opened_at < $2::timestamptz)::int AS proposed,
            count(*) FILTER (WHERE closed_at >= $1::timestamptz AND closed_at < $2::timestamptz AND state = 'closed')::int AS closed,
            count(*) FILTER (WHERE closed_at >= $1::timestamptz AND closed_at < $2::timestamptz AND state = 'rejected')::int AS rejected
       FROM problems`,
    [range.from, range.to],
  );
  return {
    open: entries.filter((e) => e.state !== 'known_error'),
    knownErrors: entries.filter((e) => e.state === 'known_error'),
    period: { proposed: counts.proposed as number, closed: counts.closed as number, rejected: counts.rejected as number },
  };
}

export type { RecurrenceKind };
