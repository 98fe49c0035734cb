import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ModificationCommand, ModificationInput, ModificationView } from '../../domain/modification';
import { DAY_MS, formatInZone } from '../../domain/time';
import { allocateNumber } from '../../persistence/numbering';
import { MODIFICATION_WORKFLOW_TYPE, modificationCommandUpdate, modificationOpenedUpdate, modificationWorkflowId } from '../../shared/modification-messages';
import { Principal } from '../auth/principal';
import { CLOCK, CONFIG, Clock, TEMPORAL_CLIENT, WardlineConfig } from '../common/tokens';
import { NoteDto } from '../common/dtos';
import { CalendarService } from '../sla/calendar.service';
import { SystemsService } from '../systems/systems.service';
import { findByRef } from '../common/refs';
import { CreateModificationDto, AssessDto } from './modifications.dto';
import { notFoundRef, unknownRef } from '../common/errors';

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
    await this.ds.query(
      `INSERT INTO modifications (id, number, workflow_id, system_id, type, title, description, department, state, submitted_by, submitted_at, view)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'submitted',$9,$10,'{}')`,
      [id, number, workflowId, system.id, dto.type, dto.title, dto.description, dto.department, auth.userId, new Date(now)],
    );
    const handle = await this.temporal.workflow.start(MODIFICATION_WORKFLOW_TYPE, { workflowId, taskQueue: this.config.taskQueue, args: [input] });
    return this.map(await handle.executeUpdate(modificationOpenedUpdate), spec.utcOffsetMinutes);
  }

  private async row(ref: string) {
    const row = await findByRef(this.ds, 'modifications', ref);
    if (!row) throw notFoundRef('modification', ref);
    return row;
  }

  async command(ref: string, command: ModificationCommand) {
    const row = await this.row(ref);
    const { spec } = await this.calendars.current();
    return this.map(await this.temporal.workflow.getHandle(row.workflow_id).executeUpdate(modificationCommandUpdate, { args: [command] }), spec.utcOffsetMinutes);
  }

  async assess(auth: Principal, ref: string, dto: AssessDto) {
    let linkedChangeId: string | null = null;
    if (dto.linkedChange) {
      const c = await findByRef(this.ds, 'changes', dto.linkedChange, 'id');
      if (!c) throw unknownRef('change', dto.linkedChange, 'linkedChange');
      linkedChangeId = c.id;
    }
    return this.command(ref, { action: 'assess', actor: this.actor(auth), feasible: dto.feasible, effortDays: dto.effortDays, schemaChange: dto.schemaChange, linkedChangeId, note: dto.note ?? null });
  }

  /** S4 across processes: delivery of a schema-changing modification waits for its linked change's approval. */
  async deliver(auth: Principal, ref: string, dto: NoteDto) {
    const row = await this.row(ref);
    const linked = (row.view as ModificationView).assessment?.linkedChangeId ?? null;
    let linkedChangeApproved = false;
    if (linked) {
      const [c] = await this.ds.query(`SELECT state FROM changes WHERE id = $1`, [linked]);
      linkedChangeApproved = APPROVED_CHANGE_STATES.includes(c?.state);
    }
    return this.command(ref, { action: 'deliver', actor: this.actor(auth), note: dto.note ?? null, linkedChangeApproved });
  }

  actor(auth: Principal) {
    return { id: auth.userId, name: auth.displayName };
  }

  async list() {
    return this.ds.query(
      `SELECT id, number, type, title, state, department, submitted_at AS "submittedAt", delivery_due AS "deliveryDue", delivery_breached AS "deliveryBreached",
              live_at AS "liveAt", accepted_at AS "acceptedAt", maintenance_ends_at AS "maintenanceEndsAt"
         FROM modifications ORDER BY submitted_at DESC LIMIT 200`,
    );
  }

  async get(ref: string) {
    const row = await this.row(ref);
    const { spec } = await this.calendars.current();
    return this.map(row.view as ModificationView, spec.utcOffsetMinutes);
  }

  private map(v: ModificationView, offset: number) {
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
      allowedActions: v.allowedActions,
      events: v.events.map((e) => ({ ...e, at: t(e.at) })),
    };
  }
}
