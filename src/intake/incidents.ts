import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, DomainErrorCode, invalidInput } from '../domain/errors';
import { Channel } from '../domain/incident';
import { Actor, IncidentInput, IncidentProcess, IncidentView, Reporter } from '../domain/incident-process';
import { DEFAULT_REPORTED_AT_MAX_AGE_DAYS, ReportedAtLimits, reportedAtTooOld } from '../domain/reported-at';
import { Priority } from '../domain/sla-policy';
import { MINUTE_MS, formatDayNumber, localDayNumber } from '../domain/time';
import { CalendarStore } from '../persistence/calendar-store';
import { INCIDENT_ROW_COLUMNS, TIMELINE_EVENT_COLUMNS, incidentRowValues, timelineEventValues } from '../persistence/incident-projection';
import { engineerOnDuty } from '../persistence/roster-store';
import { INCIDENT_WORKFLOW_TYPE } from '../shared/incident-messages';

/** What any entry point knows when it opens an incident: the API, the alert intake, the PM-platform poller. */
export interface IncidentReport {
  /** The business system's id or code (`SYS-11`). */
  system: string;
  title: string;
  description: string;
  reporter: Reporter;
  priority: Priority;
  channel: Channel;
  /** Default: now. A report more than 5 minutes in the future, or older than `reportedAtLimits`, is refused. */
  reportedAt?: number;
  openedBy: Actor;
  /** An active engineer or project manager; default: the engineer on duty at `reportedAt` (S12), if any. */
  assigneeId?: string;
  /**
   * The caller's own key for this incident (`pm:<integration>:<external id>`, `alert-group:<key>`): a repeat with the
   * same key opens nothing and answers with the incident the first call opened (`created: false`).
   */
  intakeKey?: string;
}

/** Where the intake gets the calendar and the policy: a CalendarStore, or (benches, tests) any object like it. */
export type IntakeCalendars = Pick<CalendarStore, 'current' | 'specFor' | 'policy'>;

export interface IntakeDeps {
  dataSource: DataSource;
  calendars: IntakeCalendars;
  /** The task queue the workflow runs on; default: the dispatcher's (the worker's). */
  taskQueue?: string;
  now?: () => number;
  /** How far back a report may be dated (WARDLINE_CONTRACT_START, WARDLINE_REPORTED_AT_MAX_AGE_DAYS); default a year. */
  reportedAtLimits?: ReportedAtLimits;
}

export interface OpenedIncident {
  /** False when `intakeKey` named an incident opened before; nothing new was written. */
  created: boolean;
  incidentId: string;
  number: string;
  workflowId: string;
  systemName: string;
  /** The incident as just committed (what `GET /incidents/:id` reads); only when `created`. */
  view: IncidentView | null;
}

/**
 * A refused report: the field, a code (the API answers 422 for unknown references, 400 for a report from the future)
 * and the reason in zh-CN and English.
 */
export class IntakeRefused extends DomainError {
  constructor(
    readonly reason: 'UNKNOWN_SYSTEM' | 'UNKNOWN_ASSIGNEE' | 'REPORTED_IN_FUTURE' | 'REPORTED_TOO_OLD',
    readonly field: string,
    readonly zh: string,
    readonly en: string,
  ) {
    super(DomainErrorCode.InvalidInput, `${zh} / ${en}`, { field, reason: `${zh} / ${en}` });
  }
}

/** Clocks of report time may run a little ahead of ours; a report further in the future is a mistake. */
const FUTURE_SKEW_MS = 5 * MINUTE_MS;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Opens an incident without waiting for Temporal (P3, S10, S12): the number, the deadlines computed by the domain
 * from `reportedAt`, the row and the `opened` timeline event the API reads, and the outbox entry that starts the
 * incident's workflow are written by ONE statement, so they commit together or not at all; the dispatcher starts the
 * workflow afterwards. One statement, not a transaction of several, because the day's number counter is a row lock
 * every intake takes: it is held for the statement and its commit only, never across round trips to this process.
 *
 * With `options.tx` the statement runs in the caller's transaction instead (say, with an alert row): then the counter
 * stays locked until the caller commits, so keep such transactions short.
 */
export async function openIncident(deps: IntakeDeps, report: IncidentReport, options: { tx?: EntityManager } = {}): Promise<OpenedIncident> {
  const db = options.tx ?? deps.dataSource.manager;
  const now = deps.now?.() ?? Date.now();
  const reportedAt = report.reportedAt ?? now;
  if (!Number.isFinite(reportedAt)) throw invalidInput('reportedAt', 'is not a time');
  if (reportedAt > now + FUTURE_SKEW_MS) {
    throw new IntakeRefused('REPORTED_IN_FUTURE', 'reportedAt', 'reportedAt 报障时间不能晚于现在', 'reportedAt must not be in the future');
  }
  const limits = deps.reportedAtLimits ?? { contractStart: null, maxAgeDays: DEFAULT_REPORTED_AT_MAX_AGE_DAYS };
  const tooOld = reportedAtTooOld(reportedAt, now, limits, (await deps.calendars.current()).spec.utcOffsetMinutes);
  if (tooOld) throw new IntakeRefused('REPORTED_TOO_OLD', 'reportedAt', tooOld.zh, tooOld.en);

  if (report.intakeKey !== undefined) {
    const existing = await byIntakeKey(db, report.intakeKey);
    if (existing) return existing;
  }
  const [system] = await db.query(
    `SELECT id, display_name FROM business_systems WHERE ${UUID.test(report.system) ? 'id = $1::uuid' : 'code = upper($1)'}`,
    [report.system],
  );
  if (!system) throw new IntakeRefused('UNKNOWN_SYSTEM', 'systemId', `没有业务系统 ${report.system}`, `no business system ${report.system}`);
  const assignee = await resolveAssignee(db, report.assigneeId, reportedAt);
  const { spec } = await deps.calendars.current();

  const incidentId = randomUUID();
  const input: IncidentInput = {
    incidentId,
    number: '', // given by the statement below, from the day's counter
    systemId: system.id,
    systemName: system.display_name,
    title: report.title,
    description: report.description,
    reporter: report.reporter,
    priority: report.priority,
    channel: report.channel,
    reportedAt,
    openedBy: report.openedBy,
    assignee,
    policy: await deps.calendars.policy(),
    calendar: await deps.calendars.specFor(reportedAt),
    openedOnRecord: true,
  };
  // The same process the workflow will run: its opening event and view are what the workflow would have projected.
  const process = new IncidentProcess(input);
  const opened = process.opened();
  const view = process.view(now);
  const clocks = process.snapshot().clocks;

  const day = formatDayNumber(localDayNumber(now, spec.utcOffsetMinutes));
  const row = incidentRowValues({ view, clocks });
  const event = timelineEventValues(opened);
  // $1 day, $2 compact day, $3 id prefix of the workflow id, $4 workflow type, $5 task queue, $6 workflow input,
  // $7 intake key; then the row (number and workflow id are computed in SQL), then the event.
  const params: unknown[] = [day, day.replace(/-/g, ''), incidentId.slice(0, 8), INCIDENT_WORKFLOW_TYPE, deps.taskQueue ?? null, JSON.stringify([input]), report.intakeKey ?? null];
  const rowExpr = INCIDENT_ROW_COLUMNS.map((column, i) => {
    if (column === 'number') return 'num.number';
    if (column === 'workflow_id') return `'incident-' || num.number || '-' || $3`;
    params.push(row[i]);
    return `$${params.length}`;
  });
  const eventExpr = event.map((value) => {
    params.push(value);
    return `$${params.length}`;
  });
  const sql = `
    WITH counter AS (
      INSERT INTO incident_counters (day, last_value) VALUES ($1::date, 1)
      ON CONFLICT (day) DO UPDATE SET last_value = incident_counters.last_value + 1 RETURNING last_value),
    num AS (
      SELECT 'INC-' || $2 || '-' || CASE WHEN last_value >= 1000 THEN last_value::text ELSE lpad(last_value::text, 4, '0') END AS number
        FROM counter),
    inc AS (
      INSERT INTO incidents (${INCIDENT_ROW_COLUMNS.join(', ')}, intake_key, updated_at)
      SELECT ${rowExpr.join(', ')}, $7, now() FROM num
      RETURNING id, number, workflow_id),
    ev AS (
      INSERT INTO incident_events (incident_id, ${TIMELINE_EVENT_COLUMNS.join(', ')})
      SELECT inc.id, ${eventExpr.join(', ')} FROM inc),
    outbox AS (
      INSERT INTO workflow_outbox (workflow_id, operation, workflow_type, task_queue, start_args)
      SELECT inc.workflow_id, 'start', $4, $5, jsonb_set($6::jsonb, '{0,number}', to_jsonb(inc.number)) FROM inc)
    SELECT number, workflow_id FROM inc`;
  let written: { number: string; workflow_id: string };
  try {
    [written] = await db.query(sql, params);
  } catch (err) {
    // Two first calls with one key at the same moment: one wins, the other answers with its incident.
    if (report.intakeKey !== undefined && (err as { code?: string; constraint?: string }).constraint === 'incidents_intake_key_key') {
      const existing = await byIntakeKey(deps.dataSource.manager, report.intakeKey);
      if (existing) return existing;
    }
    throw err;
  }
  return {
    created: true,
    incidentId,
    number: written.number,
    workflowId: written.workflow_id,
    systemName: system.display_name,
    view: { ...view, number: written.number },
  };
}

async function byIntakeKey(db: EntityManager, key: string): Promise<OpenedIncident | null> {
  const [row] = await db.query(
    `SELECT i.id, i.number, i.workflow_id, s.display_name FROM incidents i JOIN business_systems s ON s.id = i.system_id WHERE i.intake_key = $1`,
    [key],
  );
  return row ? { created: false, incidentId: row.id, number: row.number, workflowId: row.workflow_id, systemName: row.display_name, view: null } : null;
}

async function resolveAssignee(db: EntityManager, id: string | undefined, at: number): Promise<{ id: string; name: string } | null> {
  if (id === undefined) {
    const duty = await engineerOnDuty(db, at);
    return duty ? { id: duty.userId, name: duty.displayName } : null;
  }
  const [user] = UUID.test(id)
    ? await db.query(`SELECT id, display_name FROM users WHERE id = $1 AND active AND roles && ARRAY['engineer','project_manager']`, [id])
    : [];
  if (!user) throw new IntakeRefused('UNKNOWN_ASSIGNEE', 'assigneeId', `assigneeId ${id} 不是在职的工程师`, `assigneeId ${id} is not an active engineer`);
  return { id: user.id, name: user.display_name };
}
