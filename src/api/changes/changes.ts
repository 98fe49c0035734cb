import { Body, Controller, Get, HttpCode, Inject, Injectable, NotFoundException, Param, Post, Query, UnprocessableEntityException } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Client } from '@temporalio/client';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Min, ValidateNested } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CHANGE_KINDS, CHANGE_STATES, ChangeActor, ChangeKind, OBJECT_ACTIONS, OBJECT_TYPES, REVIEW_DECISIONS, RISKS, ReviewDecision, Revision, Risk, assessRevision } from '../../domain/change';
import { ChangeCommand, ChangeInput, ChangeView } from '../../domain/change-process';
import { lineDiff } from '../../domain/text-diff';
import { formatInZone } from '../../domain/time';
import { allocateNumber } from '../../persistence/numbering';
import { SqlDialect, classifySql } from '../../infra/sql-classifier';
import { CHANGE_WORKFLOW_TYPE, changeCommandUpdate, changeOpenedUpdate, changeWorkflowId } from '../../shared/change-messages';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { CLOCK, CONFIG, Clock, TEMPORAL_CLIENT, WardlineConfig } from '../common/tokens';
import { NoteDto, ReasonDto } from '../common/dtos';
import { IsIsoInstant } from '../common/validation';
import { CalendarService } from '../sla/calendar.service';
import { SystemsService } from '../systems/systems.controller';
import { findByRef } from '../common/refs';

const DIALECTS = ['oracle', 'sqlserver', 'mysql', 'postgresql'] as const;

export class AffectedObjectDto {
  @ApiProperty({ enum: OBJECT_TYPES }) @IsIn(OBJECT_TYPES, { message: `type must be one of: ${OBJECT_TYPES.join(', ')}` }) type!: string;
  @ApiProperty({ example: 'HIS.PAT_VISIT' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ enum: OBJECT_ACTIONS }) @IsIn(OBJECT_ACTIONS, { message: `action must be one of: ${OBJECT_ACTIONS.join(', ')}` }) action!: string;
}

export class WindowDto {
  @ApiProperty({ example: '2026-11-28T22:00:00+08:00' }) @IsIsoInstant() start!: string;
  @ApiProperty({ example: '2026-11-29T02:00:00+08:00' }) @IsIsoInstant() end!: string;
}

export class RevisionDto {
  @ApiProperty({ enum: DIALECTS }) @IsIn(DIALECTS, { message: `dialect must be one of: ${DIALECTS.join(', ')}` }) dialect!: SqlDialect;
  @ApiProperty() @IsString() @Length(1, 200_000) forwardScript!: string;
  @ApiProperty() @IsString() @Length(0, 200_000) rollbackScript!: string;
  @ApiProperty({ type: [AffectedObjectDto] }) @IsArray() @ArrayMaxSize(500) @ValidateNested({ each: true }) @Type(() => AffectedObjectDto) objects!: AffectedObjectDto[];
  @ApiProperty({ enum: RISKS }) @IsIn(RISKS, { message: `risk must be one of: ${RISKS.join(', ')}` }) risk!: Risk;
}

export class CreateChangeDto extends RevisionDto {
  @ApiProperty({ example: 'SYS-11' }) @IsString() @Length(1, 64) systemId!: string;
  @ApiProperty({ enum: CHANGE_KINDS }) @IsIn(CHANGE_KINDS, { message: `kind must be one of: ${CHANGE_KINDS.join(', ')}` }) kind!: ChangeKind;
  @ApiProperty() @IsString() @Length(1, 200) title!: string;
  @ApiProperty() @IsString() @Length(1, 5000) reason!: string;
  @ApiProperty({ type: WindowDto }) @ValidateNested() @Type(() => WindowDto) window!: WindowDto;
  @ApiPropertyOptional() @IsOptional() @IsUUID('all', { message: 'implementerId must be a user id (UUID)' }) implementerId?: string;
  @ApiPropertyOptional({ description: 'incident id or number' }) @IsOptional() @IsString() @Length(1, 64) linkedIncident?: string;
}

export class ReviewDto {
  @ApiProperty({ enum: REVIEW_DECISIONS }) @IsIn(REVIEW_DECISIONS, { message: `decision must be one of: ${REVIEW_DECISIONS.join(', ')}` }) decision!: ReviewDecision;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 5000) comment?: string;
}

export class ImplementDto {
  @ApiProperty() @IsInt() @Min(1) revision!: number;
  @ApiProperty({ description: 'what was run, by whom, the output' }) @IsString() @Length(1, 20_000) evidence!: string;
}

export class VerifyDto {
  @ApiProperty({ enum: ['succeeded', 'rolled_back'] }) @IsIn(['succeeded', 'rolled_back'], { message: 'outcome must be succeeded or rolled_back' }) outcome!: 'succeeded' | 'rolled_back';
  @ApiProperty() @IsString() @Length(1, 20_000) evidence!: string;
}

export class ListChangesQuery {
  @ApiPropertyOptional({ enum: CHANGE_STATES }) @IsOptional() @IsIn(CHANGE_STATES, { message: `state must be one of: ${CHANGE_STATES.join(', ')}` }) state?: string;
}


@Injectable()
export class ChangesService {
  constructor(
    private readonly ds: DataSource,
    private readonly systems: SystemsService,
    private readonly calendars: CalendarService,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(CONFIG) private readonly config: WardlineConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private actor(auth: Principal): ChangeActor {
    return { id: auth.userId, name: auth.displayName, roles: auth.roles };
  }

  /** The SQL is read, not trusted: what it touches decides whether it needs review and how risky it is (S4). */
  private revision(auth: Principal, dto: RevisionDto, number: number): Revision {
    const found = classifySql(dto.forwardScript, dto.dialect);
    const assessed = assessRevision({
      declaredRisk: dto.risk,
      declaredObjects: dto.objects,
      found: {
        objects: found.objects.map((o) => ({ type: o.type, name: o.name, action: o.action })),
        schemaChange: found.schemaChange,
        destructive: found.destructive,
        unparsed: found.unparsed.map((u) => ({ index: u.index, error: u.error })),
        riskFloor: found.riskFloor,
      },
    });
    return { number, forwardScript: dto.forwardScript, rollbackScript: dto.rollbackScript, ...assessed, submittedAt: this.clock.now(), submittedBy: this.actor(auth) };
  }

  async create(auth: Principal, dto: CreateChangeDto) {
    const system = await this.systems.find(dto.systemId);
    if (!system) throw new UnprocessableEntityException({ code: 'UNKNOWN_SYSTEM', message: `no business system ${dto.systemId}`, field: 'systemId' });
    const start = Date.parse(dto.window.start);
    const end = Date.parse(dto.window.end);
    if (end <= start) throw new UnprocessableEntityException({ code: 'INVALID_INPUT', message: 'window.end must be after window.start', field: 'window.end' });
    let implementer: ChangeActor | null = null;
    if (dto.implementerId) {
      const [u] = await this.ds.query(`SELECT id, display_name, roles FROM users WHERE id = $1 AND active`, [dto.implementerId]);
      if (!u) throw new UnprocessableEntityException({ code: 'INVALID_INPUT', message: `no active user ${dto.implementerId}`, field: 'implementerId' });
      implementer = { id: u.id, name: u.display_name, roles: u.roles };
    }
    let linkedIncidentId: string | null = null;
    if (dto.linkedIncident) {
      const i = await findByRef(this.ds, 'incidents', dto.linkedIncident, 'id');
      if (!i) throw new UnprocessableEntityException({ code: 'INVALID_INPUT', message: `no incident ${dto.linkedIncident}`, field: 'linkedIncident' });
      linkedIncidentId = i.id;
    }
    const { spec } = await this.calendars.current();
    const now = this.clock.now();
    const number = await allocateNumber(this.ds, 'CHG', now, spec.utcOffsetMinutes);
    const changeId = randomUUID();
    const first = this.revision(auth, dto, 1);
    const input: ChangeInput = {
      changeId,
      number,
      systemId: system.id,
      systemName: system.displayName,
      kind: dto.kind,
      title: dto.title,
      reason: dto.reason,
      window: { start, end },
      implementer,
      submittedBy: this.actor(auth),
      linkedIncidentId,
      linkedModificationId: null,
      firstRevision: first,
      calendar: await this.calendars.specFor(now),
      reviewReminderWorkingDays: 1,
      reviewEscalationWorkingDays: 2,
      emergencyReviewWorkingDays: 1,
    };
    const workflowId = changeWorkflowId(number, changeId);
    await this.ds.query(
      `INSERT INTO changes (id, number, workflow_id, system_id, kind, title, state, risk, schema_change, destructive, current_revision,
         window_start, window_end, submitted_by, implementer_id, linked_incident_id, view)
       VALUES ($1,$2,$3,$4,$5,$6,'in_review',$7,$8,$9,1,$10,$11,$12,$13,$14,'{}')`,
      [changeId, number, workflowId, system.id, dto.kind, dto.title, first.risk, first.schemaChange, first.destructive, new Date(start), new Date(end), auth.userId, implementer?.id ?? null, linkedIncidentId],
    );
    const handle = await this.temporal.workflow.start(CHANGE_WORKFLOW_TYPE, { workflowId, taskQueue: this.config.taskQueue, args: [input] });
    return this.map(await handle.executeUpdate(changeOpenedUpdate), spec.utcOffsetMinutes);
  }

  private async row(ref: string) {
    const row = await findByRef(this.ds, 'changes', ref);
    if (!row) throw new NotFoundException({ code: 'NOT_FOUND', message: `no change ${ref}`, field: 'id' });
    return row;
  }

  async command(auth: Principal, ref: string, build: (view: ChangeView) => ChangeCommand) {
    const row = await this.row(ref);
    const { spec } = await this.calendars.current();
    const handle = this.temporal.workflow.getHandle(row.workflow_id);
    const command = build(row.view as ChangeView);
    return this.map(await handle.executeUpdate(changeCommandUpdate, { args: [command] }), spec.utcOffsetMinutes);
  }

  review(auth: Principal, ref: string, dto: ReviewDto) {
    return this.command(auth, ref, () => ({ action: 'review', actor: this.actor(auth), decision: dto.decision, comment: dto.comment ?? null }));
  }

  revise(auth: Principal, ref: string, dto: RevisionDto) {
    return this.command(auth, ref, (view) => ({ action: 'revise', actor: this.actor(auth), revision: this.revision(auth, dto, (view.currentRevision ?? 1) + 1) }));
  }

  implement(auth: Principal, ref: string, dto: ImplementDto) {
    return this.command(auth, ref, () => ({ action: 'implement', actor: this.actor(auth), revision: dto.revision, evidence: dto.evidence }));
  }

  verify(auth: Principal, ref: string, dto: VerifyDto) {
    return this.command(auth, ref, () => ({ action: 'verify', actor: this.actor(auth), outcome: dto.outcome, evidence: dto.evidence }));
  }

  close(auth: Principal, ref: string, dto: NoteDto) {
    return this.command(auth, ref, () => ({ action: 'close', actor: this.actor(auth), note: dto.note ?? null }));
  }

  cancel(auth: Principal, ref: string, dto: ReasonDto) {
    return this.command(auth, ref, () => ({ action: 'cancel', actor: this.actor(auth), reason: dto.reason }));
  }

  async list(q: ListChangesQuery) {
    const rows = await this.ds.query(
      `SELECT id, number, kind, title, state, risk, schema_change AS "schemaChange", destructive, current_revision AS "currentRevision",
              approved_revision AS "approvedRevision", window_start AS "windowStart", window_end AS "windowEnd"
         FROM changes ${q.state ? 'WHERE state = $1' : ''} ORDER BY created_at DESC LIMIT 200`,
      q.state ? [q.state] : [],
    );
    return rows;
  }

  /** The history of decisions and each revision's scripts, with a diff between consecutive revisions. */
  async get(ref: string) {
    const row = await this.row(ref);
    const { spec } = await this.calendars.current();
    const view = row.view as ChangeView;
    const revisions = (view.revisions ?? []).map((r, i, all) => ({
      number: r.number,
      risk: r.risk,
      schemaChange: r.schemaChange,
      destructive: r.destructive,
      objects: r.objects,
      unparsed: r.unparsed,
      forwardScript: r.forwardScript,
      rollbackScript: r.rollbackScript,
      submittedAt: formatInZone(r.submittedAt, spec.utcOffsetMinutes),
      submittedBy: r.submittedBy.name,
      diffFromPrevious: i === 0 ? null : { forward: lineDiff(all[i - 1].forwardScript, r.forwardScript), rollback: lineDiff(all[i - 1].rollbackScript, r.rollbackScript) },
    }));
    return { ...this.map(view, spec.utcOffsetMinutes), revisions };
  }

  private map(v: ChangeView, offset: number) {
    const t = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : formatInZone(ms, offset));
    return {
      id: v.changeId,
      number: v.number,
      systemId: v.systemId,
      kind: v.kind,
      title: v.title,
      reason: v.reason,
      state: v.state,
      risk: v.risk,
      schemaChange: v.schemaChange,
      destructive: v.destructive,
      window: { start: t(v.window.start), end: t(v.window.end) },
      currentRevision: v.currentRevision,
      approvedRevision: v.approvedRevision,
      approvals: v.approvals.map((a) => ({ revision: a.revision, by: a.by.name, roles: a.by.roles, at: t(a.at), comment: a.comment })),
      reviewed: v.reviewed,
      reviewDueAt: t(v.reviewDueAt),
      implementedAt: t(v.implementedAt),
      verification: v.verification ? { ...v.verification, at: t(v.verification.at) } : null,
      allowedActions: v.allowedActions,
      history: v.history.map((d) => ({ ...d, at: t(d.at) })),
    };
  }
}

const SUBMITTERS = ['engineer', 'project_manager', 'it_manager', 'dispatcher'] as const;

@ApiTags('changes')
@Controller('changes')
export class ChangesController {
  constructor(private readonly service: ChangesService) {}

  @Post()
  @Allow(...SUBMITTERS)
  create(@Auth() auth: Principal, @Body() dto: CreateChangeDto) {
    return this.service.create(auth, dto);
  }

  @Get()
  @Allow(...STAFF)
  list(@Query() q: ListChangesQuery) {
    return this.service.list(q);
  }

  @Get(':id')
  @Allow(...STAFF)
  get(@Param('id') id: string) {
    return this.service.get(id);
  }

  /** S4: the hospital's reviewers decide. */
  @Post(':id/review')
  @HttpCode(200)
  @Allow('reviewer', 'it_manager')
  review(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReviewDto) {
    return this.service.review(auth, id, dto);
  }

  @Post(':id/revisions')
  @HttpCode(200)
  @Allow(...SUBMITTERS)
  revise(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: RevisionDto) {
    return this.service.revise(auth, id, dto);
  }

  @Post(':id/implement')
  @HttpCode(200)
  @Allow('engineer', 'project_manager')
  implement(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ImplementDto) {
    return this.service.implement(auth, id, dto);
  }

  @Post(':id/verify')
  @HttpCode(200)
  @Allow('engineer', 'project_manager', 'it_manager')
  verify(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: VerifyDto) {
    return this.service.verify(auth, id, dto);
  }

  @Post(':id/close')
  @HttpCode(200)
  @Allow('project_manager', 'it_manager')
  close(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.close(auth, id, dto);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Allow(...SUBMITTERS)
  cancel(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReasonDto) {
    return this.service.cancel(auth, id, dto);
  }
}
