import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { INCIDENT_ACTION_ROLES as WHO } from '../../domain/incident';
import { AssignDto, CreateIncidentDto, ListIncidentsQuery, NoteDto, PriorityDto, ReasonDto, ResolveDto } from './incidents.dto';
import { IncidentsService } from './incidents.service';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { INCIDENT_DETAIL, INCIDENT_PAGE, INCIDENT_VIEW } from './incidents.responses';

@ApiTags('incidents')
@Controller('incidents')
export class IncidentsController {
  constructor(private readonly service: IncidentsService) {}

  @ApiOp({ summary: '报障：创建工单并启动时限 / Report an incident: opens it and starts its clocks', ok: INCIDENT_VIEW, errors: [422] })
  @Post()
  @Idempotent()
  @Allow('dispatcher', 'integration')
  open(@Auth() auth: Principal, @Body() dto: CreateIncidentDto) {
    return this.service.open(auth, dto);
  }

  @ApiOp({ summary: '工单列表（分页、筛选） / List incidents (paged, filtered)', ok: INCIDENT_PAGE, errors: [422] })
  @Get()
  @Allow(...STAFF)
  list(@Query() q: ListIncidentsQuery) {
    return this.service.list(q);
  }

  @ApiOp({ summary: '工单详情：时限、时间线、受影响系统 / An incident: clocks, timeline, affected systems', ok: INCIDENT_DETAIL, errors: [404] })
  @Get(':id')
  @Allow(...STAFF)
  get(@Auth() auth: Principal, @Param('id') id: string) {
    return this.service.get(id, auth);
  }

  @ApiOp({ summary: '响应工单 / Acknowledge an incident', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/acknowledge')
  @HttpCode(200)
  @Allow(...WHO.acknowledge)
  acknowledge(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'acknowledge', note: dto.note });
  }

  @ApiOp({ summary: '工程师到场 / Record arrival on site', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/arrive')
  @HttpCode(200)
  @Allow(...WHO.arrive)
  arrive(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'arrive', note: dto.note });
  }

  @ApiOp({ summary: '修复完成（原因、措施、分类） / Resolve: cause, fix and category', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/resolve')
  @HttpCode(200)
  @Allow(...WHO.resolve)
  resolve(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ResolveDto) {
    return this.service.command(auth, id, { action: 'resolve', cause: dto.cause, fix: dto.fix, category: dto.category, note: dto.note });
  }

  @ApiOp({ summary: '院方确认修复 / The hospital confirms the fix', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/confirm')
  @HttpCode(200)
  @Allow(...WHO.confirm)
  confirm(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'confirm', note: dto.note });
  }

  @ApiOp({ summary: '确认告警已自动恢复并关闭 / Confirm that an alert-opened incident recovered by itself, and close it', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/confirm-recovery')
  @HttpCode(200)
  @Allow(...WHO.confirm_recovery)
  confirmRecovery(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'confirm_recovery', note: dto.note });
  }

  @ApiOp({ summary: '重开工单 / Reopen an incident', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/reopen')
  @HttpCode(200)
  @Allow(...WHO.reopen)
  reopen(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReasonDto) {
    return this.service.command(auth, id, { action: 'reopen', reason: dto.reason });
  }

  @ApiOp({ summary: '关闭工单 / Close an incident', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/close')
  @HttpCode(200)
  @Allow(...WHO.close)
  close(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'close', note: dto.note });
  }

  @ApiOp({ summary: '取消工单 / Cancel an incident', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/cancel')
  @HttpCode(200)
  @Allow(...WHO.cancel)
  cancel(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReasonDto) {
    return this.service.command(auth, id, { action: 'cancel', reason: dto.reason });
  }

  @ApiOp({ summary: '指派工程师 / Assign an engineer', ok: INCIDENT_VIEW, errors: [404, 409, 422] })
  @Post(':id/assign')
  @HttpCode(200)
  @Allow(...WHO.assign)
  assign(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: AssignDto) {
    return this.service.command(auth, id, { action: 'assign', assignee: { id: dto.assigneeId, name: '' }, note: dto.note });
  }

  @ApiOp({ summary: '调整优先级 / Change the priority', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/priority')
  @HttpCode(200)
  @Allow(...WHO.change_priority)
  priority(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: PriorityDto) {
    return this.service.command(auth, id, { action: 'change_priority', priority: dto.priority, reason: dto.reason });
  }

  /**
   * S10 "waiting for the hospital": the hospital side pauses the repair clock; the vendor's team, being measured
   * by it, only asks (the clock runs on until a dispatcher or the IT manager confirms). The reason is recorded.
   */
  @ApiOp({ summary: '暂停修复计时（院方）或申请暂停（驻场团队，待院方确认） / Pause the repair clock (hospital) or ask for a pause (vendor team)', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/repair-clock/pause')
  @HttpCode(200)
  @Allow(...WHO.pause_repair_clock, ...WHO.request_repair_clock_pause)
  pause(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReasonDto) {
    return this.service.pause(auth, id, dto.reason);
  }

  @ApiOp({ summary: '确认暂停修复计时申请 / Confirm a requested repair-clock pause', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/repair-clock/pause/confirm')
  @HttpCode(200)
  @Allow(...WHO.confirm_repair_clock_pause)
  confirmPause(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'confirm_repair_clock_pause', note: dto.note });
  }

  @ApiOp({ summary: '不同意暂停修复计时申请 / Decline a requested repair-clock pause', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/repair-clock/pause/decline')
  @HttpCode(200)
  @Allow(...WHO.decline_repair_clock_pause)
  declinePause(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReasonDto) {
    return this.service.command(auth, id, { action: 'decline_repair_clock_pause', reason: dto.reason });
  }

  @ApiOp({ summary: '恢复修复计时 / Resume the repair clock', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/repair-clock/resume')
  @HttpCode(200)
  @Allow(...WHO.resume_repair_clock)
  resume(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'resume_repair_clock', note: dto.note });
  }
}
