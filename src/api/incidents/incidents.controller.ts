import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { AssignDto, CreateIncidentDto, ListIncidentsQuery, NoteDto, PriorityDto, ReasonDto, ResolveDto } from './incidents.dto';
import { IncidentsService } from './incidents.service';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { INCIDENT_DETAIL, INCIDENT_PAGE, INCIDENT_VIEW } from './incidents.responses';

const VENDOR_WORK = ['engineer', 'project_manager'] as const;
const HOSPITAL_ACCEPTANCE = ['dispatcher', 'it_manager', 'reviewer'] as const;

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
  get(@Param('id') id: string) {
    return this.service.get(id);
  }

  @ApiOp({ summary: '响应工单 / Acknowledge an incident', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/acknowledge')
  @HttpCode(200)
  @Allow(...VENDOR_WORK)
  acknowledge(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'acknowledge', note: dto.note });
  }

  @ApiOp({ summary: '工程师到场 / Record arrival on site', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/arrive')
  @HttpCode(200)
  @Allow(...VENDOR_WORK)
  arrive(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'arrive', note: dto.note });
  }

  @ApiOp({ summary: '修复完成（原因、措施、分类） / Resolve: cause, fix and category', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/resolve')
  @HttpCode(200)
  @Allow(...VENDOR_WORK)
  resolve(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ResolveDto) {
    return this.service.command(auth, id, { action: 'resolve', cause: dto.cause, fix: dto.fix, category: dto.category, note: dto.note });
  }

  @ApiOp({ summary: '院方确认修复 / The hospital confirms the fix', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/confirm')
  @HttpCode(200)
  @Allow(...HOSPITAL_ACCEPTANCE)
  confirm(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'confirm', note: dto.note });
  }

  @ApiOp({ summary: '重开工单 / Reopen an incident', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/reopen')
  @HttpCode(200)
  @Allow(...HOSPITAL_ACCEPTANCE)
  reopen(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReasonDto) {
    return this.service.command(auth, id, { action: 'reopen', reason: dto.reason });
  }

  @ApiOp({ summary: '关闭工单 / Close an incident', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/close')
  @HttpCode(200)
  @Allow('dispatcher', 'it_manager', 'project_manager')
  close(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'close', note: dto.note });
  }

  @ApiOp({ summary: '取消工单 / Cancel an incident', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/cancel')
  @HttpCode(200)
  @Allow('dispatcher', 'it_manager')
  cancel(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReasonDto) {
    return this.service.command(auth, id, { action: 'cancel', reason: dto.reason });
  }

  @ApiOp({ summary: '指派工程师 / Assign an engineer', ok: INCIDENT_VIEW, errors: [404, 409, 422] })
  @Post(':id/assign')
  @HttpCode(200)
  @Allow('dispatcher', 'project_manager')
  assign(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: AssignDto) {
    return this.service.command(auth, id, { action: 'assign', assignee: { id: dto.assigneeId, name: '' }, note: dto.note });
  }

  @ApiOp({ summary: '调整优先级 / Change the priority', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/priority')
  @HttpCode(200)
  @Allow('dispatcher', 'project_manager', 'it_manager')
  priority(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: PriorityDto) {
    return this.service.command(auth, id, { action: 'change_priority', priority: dto.priority, reason: dto.reason });
  }

  @ApiOp({ summary: '暂停修复计时（等待院方） / Pause the repair clock (waiting for the hospital)', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/repair-clock/pause')
  @HttpCode(200)
  @Allow('dispatcher', ...VENDOR_WORK)
  pause(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReasonDto) {
    return this.service.command(auth, id, { action: 'pause_repair_clock', reason: dto.reason });
  }

  @ApiOp({ summary: '恢复修复计时 / Resume the repair clock', ok: INCIDENT_VIEW, errors: [404, 409] })
  @Post(':id/repair-clock/resume')
  @HttpCode(200)
  @Allow('dispatcher', ...VENDOR_WORK)
  resume(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'resume_repair_clock', note: dto.note });
  }
}
