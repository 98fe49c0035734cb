import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { IncidentInput } from '../../domain/incident-process';
import { ModificationInput, ModificationType } from '../../domain/modification';
import type { PmRecordKind } from '../../domain/pm-platform/mapping';
import { Priority } from '../../domain/sla-policy';
import { DAY_MS } from '../../domain/time';
import { slaContext } from '../../infra/sla-context';
import { allocateNumber } from '../../persistence/numbering';
import { PmLinkRow, findLink, insertLink, markLinkOpened } from '../../persistence/pm-store';
import { INCIDENT_WORKFLOW_TYPE, incidentOpenedUpdate, incidentWorkflowId } from '../../shared/incident-messages';
import { MODIFICATION_WORKFLOW_TYPE, modificationOpenedUpdate, modificationWorkflowId } from '../../shared/modification-messages';

/** A fault report or requirement from a platform, to become an incident or a modification request (S15). */
export interface PmOpenRequest {
  integrationId: string;
  externalId: string;
  externalUrl: string | null;
  kind: PmRecordKind;
  /** A business system's code (SYS-11) or name as the platform gave it, or null; unknown ones fall back to the default. */
  system: string | null;
  defaultSystem: string;
  title: string;
  description: string;
  reporterName: string;
  department: string;
  priority: Priority;
  modificationType: ModificationType;
  reportedAt: number;
  /** The integration's own Wardline account. */
  openedBy: { id: string; name: string };
}

/**
 * Opens records keyed by the platform item: the same item always gives the same record, however often it is
 * polled or an attempt retried. One interface, so this interim opening can give way to the intake module
 * (issue 10: incident row and outbox entry in one transaction) without the integration noticing.
 */
export interface PmRecordIntake {
  open(request: PmOpenRequest): Promise<PmLinkRow>;
}

/** A modification's notice before free maintenance ends (as the API's). */
const MAINTENANCE_NOTICE_MS = 7 * DAY_MS;
/** Platform clocks may run ahead of ours; an item is never reported in our future. */
const clampReportedAt = (at: number, now: number) => Math.min(at, now);

async function findSystem(db: DataSource | EntityManager, ref: string | null, fallback: string): Promise<{ id: string; displayName: string; guessed: boolean }> {
  const lookup = async (r: string) => {
    const [row] = await db.query(
      `SELECT id, display_name FROM business_systems WHERE code = upper($1) OR display_name = $1 OR source_name = $1 ORDER BY seq LIMIT 1`,
      [r.trim()],
    );
    return row ? { id: row.id as string, displayName: row.display_name as string } : null;
  };
  const named = ref ? await lookup(ref) : null;
  if (named) return { ...named, guessed: false };
  const found = await lookup(fallback);
  // Checked at setup; a system retired since is a configuration error the poll reports.
  if (!found) throw new Error(`the integration's default business system ${fallback} no longer exists`);
  return { ...found, guessed: ref !== null };
}

export function createInterimIntake(deps: { dataSource: DataSource; temporal: Client; taskQueue: string; timeZone: string; clock?: () => number }): PmRecordIntake {
  const ds = deps.dataSource;
  const now = deps.clock ?? Date.now;

  /** The link and, for a modification, its row, in one transaction under a lock on the item: two pollers make one. */
  const reserve = (req: PmOpenRequest) =>
    ds.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`pm-link:${req.integrationId}:${req.externalId}`]);
      const existing = await findLink(tx, req.integrationId, req.externalId);
      if (existing) return existing;
      const { calendar } = await slaContext(tx, deps.timeZone, now());
      const id = randomUUID();
      const number = await allocateNumber(tx, req.kind === 'incident' ? 'INC' : 'MOD', now(), calendar.utcOffsetMinutes);
      const workflowId = req.kind === 'incident' ? incidentWorkflowId(number, id) : modificationWorkflowId(number, id);
      if (req.kind === 'modification') {
        const system = await findSystem(tx, req.system, req.defaultSystem);
        await tx.query(
          `INSERT INTO modifications (id, number, workflow_id, system_id, type, title, description, department, state, submitted_by, submitted_at, view)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'submitted',$9,$10,'{}')`,
          [id, number, workflowId, system.id, req.modificationType, req.title, req.description, req.department, req.openedBy.id, new Date(clampReportedAt(req.reportedAt, now()))],
        );
      }
      return insertLink(tx, { ...req, recordKind: req.kind, recordId: id, recordNumber: number, workflowId });
    });

  const startIncident = async (link: PmLinkRow, req: PmOpenRequest) => {
    const reportedAt = clampReportedAt(req.reportedAt, now());
    const { policy, calendar } = await slaContext(ds, deps.timeZone, reportedAt);
    const system = await findSystem(ds, req.system, req.defaultSystem);
    const [duty] = await ds.query(
      `SELECT u.id, u.display_name FROM duty_shifts s JOIN users u ON u.id = s.user_id
        WHERE s.starts_at <= $1 AND s.ends_at > $1 AND u.active AND 'engineer' = ANY(u.roles) ORDER BY s.starts_at DESC, s.created_at DESC LIMIT 1`,
      [new Date(reportedAt)],
    );
    const input: IncidentInput = {
      incidentId: link.recordId,
      number: link.recordNumber,
      systemId: system.id,
      systemName: system.displayName,
      title: req.title,
      description: system.guessed ? `${req.description}\n\n（平台所填系统“${req.system}”未能识别，按默认系统登记 / unknown system "${req.system}", filed under the default）` : req.description,
      reporter: { name: req.reporterName, department: req.department, phone: null },
      priority: req.priority,
      channel: 'pm-platform',
      reportedAt,
      openedBy: req.openedBy,
      assignee: duty ? { id: duty.id, name: duty.display_name } : null,
      policy,
      calendar,
    };
    const handle = await startOnce(INCIDENT_WORKFLOW_TYPE, link.workflowId, input);
    await handle.executeUpdate(incidentOpenedUpdate);
  };

  const startModification = async (link: PmLinkRow) => {
    const [row] = await ds.query(
      `SELECT m.system_id, s.display_name, m.type, m.title, m.description, m.department, m.submitted_by, u.display_name AS submitter, m.submitted_at
         FROM modifications m JOIN business_systems s ON s.id = m.system_id JOIN users u ON u.id = m.submitted_by WHERE m.id = $1`,
      [link.recordId],
    );
    const submittedAt = (row.submitted_at as Date).getTime();
    const { policy, calendar } = await slaContext(ds, deps.timeZone, submittedAt);
    const input: ModificationInput = {
      modificationId: link.recordId,
      number: link.recordNumber,
      systemId: row.system_id,
      systemName: row.display_name,
      type: row.type,
      title: row.title,
      description: row.description,
      department: row.department,
      submittedBy: { id: row.submitted_by, name: row.submitter },
      submittedAt,
      calendar,
      deliveryBudgetMs: policy.modification.deliveryCalendarDays * DAY_MS,
      acceptanceAfterWorkingDays: policy.modification.acceptanceAfterWorkingDays,
      maintenance: { months: policy.modification.freeMaintenanceMonths },
      maintenanceNoticeMs: MAINTENANCE_NOTICE_MS,
      warningFractions: policy.warningFractions,
      policyVersion: policy.version,
    };
    const handle = await startOnce(MODIFICATION_WORKFLOW_TYPE, link.workflowId, input);
    await handle.executeUpdate(modificationOpenedUpdate);
  };

  /** Started by workflow id: a retry after a lost answer finds the first start. */
  const startOnce = async (type: string, workflowId: string, input: unknown) => {
    try {
      await deps.temporal.workflow.start(type, { workflowId, taskQueue: deps.taskQueue, args: [input] });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return deps.temporal.workflow.getHandle(workflowId);
  };

  return {
    async open(req) {
      const link = await reserve(req);
      if (link.opened) return link;
      if (link.recordKind === 'incident') await startIncident(link, req);
      else await startModification(link);
      await markLinkOpened(ds, link.id);
      return { ...link, opened: true };
    },
  };
}
