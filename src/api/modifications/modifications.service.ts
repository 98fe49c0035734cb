import { Inject, Injectable } from '@nestjs/common';
import { Client, WithStartWorkflowOperation } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ModificationCommand, ModificationInput, ModificationView, modificationActionsFor } from '../../domain/modification';
import { DAY_MS, formatInZone } from '../../domain/time';
import { allocateNumber } from '../../persistence/numbering';
import { MODIFICATION_WORKFLOW_TYPE, modificationCommandUpdate, modificationOpenedUpdate, modificationWorkflowId } from '../../shared/modification-messages';
import { Principal } from '../auth/principal';
import { CLOCK, CONFIG, Clock, TEMPORAL_CLIENT, WardlineConfig } from '../common/tokens';
import { NoteDto } from '../common/dtos';
import { CalendarService } from '../sla/calendar.service';
import { SystemsService } from '../systems/systems.service';
import { findByRef } from '../common/refs';
import { CreateModificationDto, AssessDto, LinkChangeDto } from './modifications.dto';
import { conflict, notFoundRef, unknownRef, unprocessable } from '../common/errors';

/** A notice goes out this long before free maintenance ends. */
const MAINTENANCE_NOTICE_MS = 7 * DAY_MS;
const APPROVED_CHANGE_STATES = ['approved', 'implemented', 'verified', 'closed'];

@Injectable()
export class ModificationsService {
  constructor(
    private readonly ds: DataSource,
    private readonly systems: SystemsService,
    private readonly calendars: CalendarService,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(CONFIG) private readonly config: WardlineConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(auth: Principal, dto: CreateModificationDto) {
    const system = await this.systems.find(dto.systemId);
    if (!system) throw unknownRef('system', dto.systemId, 'systemId');
    const policy = await this.calendars.policy();
    const { spec } = await this.calendars.current();
    const now = this.clock.now();
    const number = await allocateNumber(this.ds, 'MOD', now, spec.utcOffsetMinutes);
    const id = randomUUID();
    const input: ModificationInput = {
      modificationId: id,
      number,
      systemId: system.id,
      systemName: system.displayName,
      type: dto.type,
      title: dto.title,
      description: dto.description,
      department: dto.department,
      submittedBy: { id: auth.userId, name: auth.displayName },
      submittedAt: now,
      calendar: await this.calendars.specFor(now),
      deliveryBudgetMs: policy.modification.deliveryCalendarDays * DAY_MS,
      acceptanceAfterWorkingDays: policy.modification.acceptanceAfterWorkingDays,
      maintenance: { months: policy.modification.freeMaintenanceMonths },
      maintenanceNoticeMs: MAINTENANCE_NOTICE_MS,
      warningFractions: policy.warningFractions,
      policyVersion: policy.version,
    };
    const workflowId = modificationWorkflowId(number, id);
    // The workflow writes the request's row itself before the opening answers: no row can exist without its process.
    // One call starts it and waits for that opening (Update-with-Start), instead of a start and an Update.
    const view = await this.temporal.workflow.executeUpdateWithStart(modificationOpenedUpdate, {
      startWorkflowOperation: new WithStartWorkflowOperation(MODIFICATION_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: this.config.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
    return this.map(view, spec.utcOffsetMinutes, auth);
  }

  private async row(ref: string) {
    const row = await findByRef(this.ds, 'modifications', ref);
    if (!row) throw notFoundRef('modification', ref);
    return row;
  }

  /**
   * A row whose workflow never started (written by a version that stored it first, when the API died in between)
   * reads as what it is and allows nothing; commands answer 409 saying why instead of a 500.
   */
  private orphan(row: Record<string, any>, offset: number) {
    const t = (d: Date | null) => (d ? formatInZone(new Date(d).getTime(), offset) : null);
    return { id: row.id, number: row.number, type: row.type, title: row.title, state: row.state, submittedAt: t(row.submitted_at), process: 'missing' as const, allowedActions: [], events: [] };
  }

  async command(auth: Principal, ref: string, command: ModificationCommand) {
    const row = await this.row(ref);
    if (!row.view?.modificationId) {
      throw conflict(
        'NO_PROCESS',
        `改造需求 ${row.number} 的流程未能启动（提交未完成），请重新提交`,
        `modification request ${row.number} never got its process (the submission did not finish): submit it again`,
        { details: { state: row.state, allowedActions: [] } },
      );
    }
    const { spec } = await this.calendars.current();
    return this.map(await this.temporal.workflow.getHandle(row.workflow_id).executeUpdate(modificationCommandUpdate, { args: [command] }), spec.utcOffsetMinutes, auth);
  }

  /** A change named in a modification must exist and concern the same business system. */
  private async linkedChange(modificationRef: string, changeRef: string, field: string): Promise<string> {
    const c = await findByRef(this.ds, 'changes', changeRef, 'id, system_id');
    if (!c) throw unknownRef('change', changeRef, field);
    const m = await this.row(modificationRef);
    if (c.system_id !== m.system_id) {
      throw unprocessable('INVALID_INPUT', `变更 ${changeRef} 属于另一个业务系统`, `change ${changeRef} concerns another business system`, { field });
    }
    return c.id;
  }

  async assess(auth: Principal, ref: string, dto: AssessDto) {
    const linkedChangeId = dto.linkedChange ? await this.linkedChange(ref, dto.linkedChange, 'linkedChange') : null;
    return this.command(auth, ref, { action: 'assess', actor: this.actor(auth), feasible: dto.feasible, effortDays: dto.effortDays, schemaChange: dto.schemaChange, linkedChangeId, note: dto.note ?? null });
  }

  /** S4: the schema change a modification needs can be linked after assessment, so it is never stuck after scope approval. */
  async linkChange(auth: Principal, ref: string, dto: LinkChangeDto) {
    const linkedChangeId = await this.linkedChange(ref, dto.change, 'change');
    return this.command(auth, ref, { action: 'link_change', actor: this.actor(auth), linkedChangeId, note: dto.note ?? null });
  }

  private async linkedChangeApproved(v: ModificationView): Promise<boolean> {
    const linked = v.assessment?.linkedChangeId ?? null;
    if (!linked) return false;
    const [c] = await this.ds.query(`SELECT state FROM changes WHERE id = $1`, [linked]);
    return APPROVED_CHANGE_STATES.includes(c?.state);
  }

  /** S4 across processes: delivery of a schema-changing modification waits for its linked change's approval. */
  async deliver(auth: Principal, ref: string, dto: NoteDto) {
    const row = await this.row(ref);
    const linkedChangeApproved = await this.linkedChangeApproved(row.view as ModificationView);
    return this.command(auth, ref, { action: 'deliver', actor: this.actor(auth), note: dto.note ?? null, linkedChangeApproved });
  }

  /** The roles travel with the command: the workflow's validator checks who may (MODIFICATION_ACTION_ROLES). */
  actor(auth: Principal) {
    return { id: auth.userId, name: auth.displayName, roles: auth.roles };
  }

  async list() {
    return this.ds.query(
      `SELECT id, number, type, title, state, department, submitted_at AS "submittedAt", delivery_due AS "deliveryDue", delivery_breached AS "deliveryBreached",
              live_at AS "liveAt", accepted_at AS "acceptedAt", maintenance_ends_at AS "maintenanceEndsAt"
         FROM modifications ORDER BY submitted_at DESC LIMIT 200`,
    );
  }

  async get(auth: Principal, ref: string) {
    const row = await this.row(ref);
    const { spec } = await this.calendars.current();
    if (!row.view?.modificationId) return this.orphan(row, spec.utcOffsetMinutes);
    return this.map(row.view as ModificationView, spec.utcOffsetMinutes, auth);
  }

  /** `allowedActions` is what this caller may do now (modificationActionsFor): no action a 409 or 403 would refuse. */
  private async map(v: ModificationView, offset: number, auth: Principal) {
    const ctx = { at: this.clock.now(), linkedChangeApproved: await this.linkedChangeApproved(v) };
    const t = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : formatInZone(ms, offset));
    return {
      id: v.modificationId,
      number: v.number,
      type: v.type,
      title: v.title,
      state: v.state,
      assessment: v.assessment,
      delivery: { deadline: t(v.delivery.deadline), state: v.delivery.state, breached: v.delivery.breached, breachedAt: t(v.delivery.breachedAt) },
      liveAt: t(v.liveAt),
      acceptanceEligibleAt: t(v.acceptanceEligibleAt),
      acceptedAt: t(v.acceptedAt),
      maintenanceEndsAt: t(v.maintenanceEndsAt),
      allowedActions: modificationActionsFor(v, ctx, auth, offset),
      events: v.events.map((e) => ({ ...e, at: t(e.at) })),
    };
  }
}
