import { HttpException, Inject, Injectable } from '@nestjs/common';
import { Client, WithStartWorkflowOperation } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { INCIDENT_ACTION_ROLES, IncidentState, allowedActions, isTerminal, nextState } from '../../domain/incident';
import { HOSPITAL_SIDE, holdsAny } from '../../domain/roles';
import { IncidentCommand, IncidentCommandBody, IncidentView, TimelineEvent } from '../../domain/incident-process';
import { peopleNote, timelineTexts } from '../../shared/timeline-labels';
import { viewClock } from '../../domain/sla-clock';
import { MINUTE_MS, formatInZone } from '../../domain/time';
import { IncidentReport, IntakeRefused, OpenedIncident, openIncident } from '../../intake/incidents';
import { outageFlagOf, setOutageFlag } from '../../persistence/downtime/downtime-store';
import { pendingStartOf } from '../../intake/outbox';
import { IncidentEntity } from '../../persistence/entities';
import { incidentCommandUpdate, incidentViewQuery } from '../../shared/incident-messages';
import { Principal } from '../auth/principal';
import { CLOCK, CONFIG, Clock, TEMPORAL_CLIENT, WardlineConfig } from '../common/tokens';
import { RosterService } from '../roster/roster.service';
import { CmdbService } from '../cmdb/cmdb.service';
import { CalendarService } from '../sla/calendar.service';
import { SystemsService } from '../systems/systems.service';
import { CreateIncidentDto, ListIncidentsQuery } from './incidents.dto';
import { isUuid } from '../common/refs';
import { invalidFields, notFoundRef, unknownRef, unprocessable } from '../common/errors';


@Injectable()
export class IncidentsService {
  constructor(
    private readonly ds: DataSource,
    private readonly systems: SystemsService,
    private readonly roster: RosterService,
    private readonly calendars: CalendarService,
    private readonly cmdb: CmdbService,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(CONFIG) private readonly config: WardlineConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * P3/S12: the incident is committed (number, deadlines, the row this API reads, the outbox entry that starts its
   * workflow) and answered at once; the dispatcher starts the workflow (src/intake).
   */
  async open(auth: Principal, dto: CreateIncidentDto) {
    let opened: OpenedIncident;
    const deps = { dataSource: this.ds, calendars: this.calendars.store, taskQueue: this.config.taskQueue, now: () => this.clock.now(), reportedAtLimits: this.config.reportedAt };
    // S9: an outage reported as such is flagged in the same transaction as the incident.
    const intake = (report: IncidentReport) =>
      dto.outage
        ? this.ds.transaction(async (tx) => {
            const o = await openIncident(deps, report, { tx });
            await setOutageFlag(tx, { incidentId: o.incidentId, outage: true, startedAt: null, note: null, setBy: report.openedBy, at: new Date(this.clock.now()) });
            return o;
          })
        : openIncident(deps, report);
    try {
      opened = await intake(
        {
          system: dto.systemId,
          title: dto.title,
          description: dto.description,
          reporter: { name: dto.reporter.name, department: dto.reporter.department, phone: dto.reporter.phone ?? null },
          priority: dto.priority,
          channel: dto.channel,
          reportedAt: dto.reportedAt ? Date.parse(dto.reportedAt) : undefined,
          openedBy: { id: auth.userId, name: auth.displayName },
          assigneeId: dto.assigneeId,
        },
      );
    } catch (err) {
      if (err instanceof IntakeRefused) {
        if (err.reason === 'UNKNOWN_SYSTEM') throw unknownRef('system', dto.systemId, 'systemId');
        if (err.reason === 'REPORTED_IN_FUTURE') throw invalidFields([{ field: err.field, zh: err.zh, en: err.en }], 'INVALID_INPUT');
        if (err.reason === 'REPORTED_TOO_OLD') throw invalidFields([{ field: err.field, zh: err.zh, en: err.en }]);
        throw unprocessable(err.reason, err.zh, err.en, { field: err.field });
      }
      throw err;
    }
    const { spec } = await this.calendars.current();
    return this.mapView(opened.view!, spec.utcOffsetMinutes, opened.systemName, auth.roles);
  }

  /**
   * Every transition is an Update: the validator refuses an illegal one at once (409 with the allowed actions). An
   * incident whose workflow the dispatcher has not started yet is started by the same call (Update-with-Start), so the
   * answer is the workflow's, exactly as for a running one.
   */
  async command(auth: Principal, ref: string, body: IncidentCommandBody) {
    const row = await this.findRow(ref);
    // A closed or cancelled incident's workflow has ended: answer from the record, with the same 409.
    if (isTerminal(row.state as IncidentState)) nextState(row.state as IncidentState, body.action);
    if (body.action === 'assign') {
      const assignee = await this.resolveAssignee(body.assignee.id, this.clock.now());
      body = { ...body, assignee: assignee! };
    }
    // The roles travel with the command: the workflow's validator checks who may (INCIDENT_ACTION_ROLES).
    const command = { ...body, actor: { id: auth.userId, name: auth.displayName, roles: auth.roles } } as IncidentCommand;
    const start = await pendingStartOf(this.ds, row.workflowId);
    const view = start
      ? await this.temporal.workflow.executeUpdateWithStart(incidentCommandUpdate, {
          args: [command],
          startWorkflowOperation: new WithStartWorkflowOperation(start.workflowType, {
            workflowId: row.workflowId,
            taskQueue: start.taskQueue ?? this.config.taskQueue,
            args: start.args,
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          }),
        })
      : await this.temporal.workflow.getHandle(row.workflowId).executeUpdate(incidentCommandUpdate, { args: [command] });
    const { spec } = await this.calendars.current();
    const system = await this.systems.find(row.systemId);
    return this.mapView(view, spec.utcOffsetMinutes, system?.displayName ?? '', auth.roles);
  }

  /** S10: the hospital side pauses the repair clock; the vendor's team asks, and a dispatcher confirms or declines. */
  pause(auth: Principal, ref: string, reason: string) {
    const hospital = holdsAny(auth.roles, HOSPITAL_SIDE);
    return this.command(auth, ref, { action: hospital ? 'pause_repair_clock' : 'request_repair_clock_pause', reason });
  }

  /** An incident as people read it; `auth` names whose `allowedActions` to list (none without it). */
  async get(ref: string, auth?: Principal) {
    const row = await this.findRow(ref);
    const now = this.clock.now();
    const live = auth ? await this.liveView(row) : null;
    const { calendar, spec } = await this.calendars.current();
    const events = await this.ds.query(
      `SELECT seq, type, actor_id, actor_name, at, from_state, to_state, note, data FROM incident_events WHERE incident_id = $1 ORDER BY seq`,
      [row.id],
    );
    const clocks = Object.fromEntries(
      Object.entries(row.clocks).map(([k, c]) => [k, this.mapClock(viewClock(c as never, calendar, now), spec.utcOffsetMinutes)]),
    );
    // P1/S9: the other business systems that depend on this one (through the CMDB) suffer too.
    const system = await this.systems.find(row.systemId);
    const impact = system ? await this.impactOf(system.code) : null;
    return {
      ...this.mapRow(row, spec.utcOffsetMinutes),
      affectedSystems: impact?.businessSystems.map((s) => ({ name: s.name, displayName: s.displayName, path: s.path })) ?? [],
      revenuePerHourAtStake: impact?.revenuePerHourAtStake ?? null,
      // S9: whether the desk counts it as an outage of its system (GET|PUT /incidents/:id/outage).
      outage: (await outageFlagOf(this.ds, row.id))?.outage ?? false,
      clocks,
      timeline: events.map((e: Record<string, unknown>) => ({
        seq: e.seq,
        type: e.type,
        actor: e.actor_id ? { id: e.actor_id, name: e.actor_name } : null,
        at: formatInZone((e.at as Date).getTime(), spec.utcOffsetMinutes),
        from: e.from_state,
        to: e.to_state,
        // The system's own words are rendered here, in zh-CN and English, from the event's codes (issue 9).
        ...timelineTexts({ type: e.type as TimelineEvent['type'], data: e.data as Record<string, unknown> }, spec.utcOffsetMinutes),
        note: peopleNote(e.note as string | null, { actorId: e.actor_id as string | null }),
        data: e.data,
      })),
      allowedActions: !auth
        ? []
        : live
          ? live.allowedActions.filter((a) => holdsAny(auth.roles, INCIDENT_ACTION_ROLES[a]))
          : allowedActions(row.state as IncidentState).filter((a) => !isTerminal(row.state as IncidentState) && holdsAny(auth.roles, INCIDENT_ACTION_ROLES[a])),
      pauseRequest: live?.pauseRequest ? { by: { id: live.pauseRequest.by.id, name: live.pauseRequest.by.name }, reason: live.pauseRequest.reason, at: formatInZone(live.pauseRequest.at, spec.utcOffsetMinutes) } : null,
    };
  }

  /**
   * Issue 16: the workflow's own view (what may be done now, a pause asked for), so a page offers exactly what an
   * Update would accept. An ended incident, or one whose workflow the dispatcher has not started yet, has none: the
   * state's actions then (the Update still decides, with its 409).
   */
  private async liveView(row: IncidentEntity): Promise<IncidentView | null> {
    if (isTerminal(row.state as IncidentState)) return null;
    try {
      if (await pendingStartOf(this.ds, row.workflowId)) return null;
      return await this.temporal.workflow.getHandle(row.workflowId).query(incidentViewQuery);
    } catch {
      return null;
    }
  }

  /** The CMDB enriches an incident; it is not needed to read one (an item missing from the CMDB shows no impact). */
  private async impactOf(code: string) {
    try {
      return await this.cmdb.impact(code);
    } catch (err) {
      if (err instanceof HttpException && err.getStatus() === 404) return null;
      throw err;
    }
  }

  async list(q: ListIncidentsQuery) {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 20;
    const qb = this.ds.getRepository(IncidentEntity).createQueryBuilder('i');
    if (q.state) qb.andWhere('i.state = :state', { state: q.state });
    if (q.open !== undefined) qb.andWhere(`i.state ${q.open ? 'NOT IN' : 'IN'} (:...ended)`, { ended: ['closed', 'cancelled'] });
    if (q.priority) qb.andWhere('i.priority = :priority', { priority: q.priority });
    if (q.breached !== undefined) qb.andWhere('i.breached = :breached', { breached: q.breached });
    if (q.assigneeId) qb.andWhere('i.assignee_id = :assignee', { assignee: q.assigneeId });
    if (q.reportedFrom) qb.andWhere('i.reported_at >= :from', { from: new Date(q.reportedFrom) });
    if (q.reportedTo) qb.andWhere('i.reported_at < :to', { to: new Date(q.reportedTo) });
    if (q.systemId) {
      const system = await this.systems.find(q.systemId);
      if (!system) throw unknownRef('system', q.systemId, 'systemId');
      qb.andWhere('i.system_id = :system', { system: system.id });
    }
    const [rows, total] = await qb
      .orderBy('i.reported_at', 'DESC')
      .addOrderBy('i.number', 'DESC')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    const { spec } = await this.calendars.current();
    return { items: rows.map((r) => this.mapRow(r, spec.utcOffsetMinutes)), total, page, pageSize };
  }

  private async findRow(ref: string): Promise<IncidentEntity> {
    const repo = this.ds.getRepository(IncidentEntity);
    const row = isUuid(ref) ? await repo.findOneBy({ id: ref }) : await repo.findOneBy({ number: ref.toUpperCase() });
    if (!row) throw notFoundRef('incident', ref);
    return row;
  }

  private async resolveAssignee(id: string | undefined, at: number): Promise<{ id: string; name: string } | null> {
    if (!id) {
      const duty = await this.roster.onDuty(at);
      return duty ? { id: duty.userId, name: duty.displayName } : null;
    }
    const [user] = await this.ds.query(`SELECT id, display_name FROM users WHERE id = $1 AND active AND roles && ARRAY['engineer','project_manager']`, [id]);
    if (!user) throw unprocessable('UNKNOWN_ASSIGNEE', `assigneeId ${id} 不是在职的工程师`, `assigneeId ${id} is not an active engineer`, { field: 'assigneeId' });
    return { id: user.id, name: user.display_name };
  }

  private mapClock(c: ReturnType<typeof viewClock>, offset: number) {
    const t = (ms: number | null) => (ms === null ? null : formatInZone(ms, offset));
    return {
      state: c.state,
      basis: c.basis,
      policyVersion: c.policyVersion,
      budgetMinutes: c.budgetMs / MINUTE_MS,
      deadline: t(c.deadline),
      elapsedMinutes: Math.floor(c.elapsedMs / MINUTE_MS),
      remainingMinutes: Math.ceil(c.remainingMs / MINUTE_MS),
      breached: c.breached,
      breachedAt: t(c.breachedAt),
      stoppedAt: t(c.stoppedAt),
      pauses: c.pauses.map((p) => ({ from: t(p.from), to: t(p.to), reason: p.reason })),
      // S10: the deadline rests on the statutory holidays of a year whose official schedule (调休) is not loaded
      provisional: c.provisional === true,
    };
  }

  /** `allowedActions` names what this caller may do now: the state's actions their roles allow (INCIDENT_ACTION_ROLES). */
  private mapView(v: IncidentView, offset: number, systemName: string, roles: readonly string[]) {
    const t = (ms: number | undefined | null) => (ms === undefined || ms === null ? null : formatInZone(ms, offset));
    return {
      id: v.incidentId,
      number: v.number,
      systemId: v.systemId,
      systemName,
      title: v.title,
      state: v.state,
      priority: v.priority,
      tier: v.tier,
      channel: v.channel,
      reportedAt: t(v.reportedAt),
      assignee: v.assignee,
      allowedActions: v.allowedActions.filter((a) => holdsAny(roles, INCIDENT_ACTION_ROLES[a])),
      pauseRequest: v.pauseRequest ? { by: v.pauseRequest.by, reason: v.pauseRequest.reason, at: t(v.pauseRequest.at) } : null,
      breached: v.breached,
      deadlines: {
        respond: t(v.clocks.respond.deadline),
        onSite: t(v.clocks.on_site.deadline),
        repair: t(v.clocks.repair.deadline),
        provisional: Object.values(v.clocks).some((c) => c.provisional === true),
      },
      clocks: Object.fromEntries(Object.entries(v.clocks).map(([k, c]) => [k, this.mapClock(c, offset)])),
      resolution: v.resolution ? { ...v.resolution, resolvedAt: t(v.resolution.resolvedAt) } : null,
      cancelReason: v.cancelReason,
    };
  }

  private mapRow(r: IncidentEntity, offset: number) {
    const t = (d: Date | null) => (d ? formatInZone(d.getTime(), offset) : null);
    return {
      id: r.id,
      number: r.number,
      systemId: r.systemId,
      title: r.title,
      description: r.description,
      reporter: { name: r.reporterName, department: r.reporterDepartment, phone: r.reporterPhone },
      state: r.state,
      priority: r.priority,
      tier: r.tier,
      channel: r.channel,
      reportedAt: t(r.reportedAt),
      openedBy: { id: r.openedById, name: r.openedByName },
      assignee: r.assigneeId ? { id: r.assigneeId, name: r.assigneeName } : null,
      deadlines: { respond: t(r.respondDue), onSite: t(r.onSiteDue), repair: t(r.repairDue), provisional: r.calendarProvisional },
      milestones: {
        acknowledgedAt: t(r.acknowledgedAt),
        onSiteAt: t(r.onSiteAt),
        resolvedAt: t(r.resolvedAt),
        confirmedAt: t(r.confirmedAt),
        closedAt: t(r.closedAt),
        cancelledAt: t(r.cancelledAt),
      },
      breached: r.breached,
      breachedClocks: r.breachedClocks,
      resolution: r.resolution ? { ...r.resolution, resolvedAt: t(new Date(r.resolution.resolvedAt as number)) } : null,
      cancelReason: r.cancelReason,
      policyVersion: r.policyVersion,
    };
  }
}
