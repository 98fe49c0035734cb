import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { AssignDto, CreateIncidentDto, ListIncidentsQuery, NoteDto, PriorityDto, ReasonDto, ResolveDto } from './incidents.dto';
import { IncidentsService } from './incidents.service';
import { Idempotent } from '../common/idempotency';

const VENDOR_WORK = ['engineer', 'project_manager'] as const;
const HOSPITAL_ACCEPTANCE = ['dispatcher', 'it_manager', 'reviewer'] as const;

@ApiTags('incidents')
@ApiConflictResponse({ description: 'the action is not allowed in the current state; the body names the state and the allowed actions' })
@Controller('incidents')
export class IncidentsController {
  constructor(private readonly service: IncidentsService) {}

  @Post()
  @Idempotent()
  @Allow('dispatcher', 'integration')
  open(@Auth() auth: Principal, @Body() dto: CreateIncidentDto) {
    return this.service.open(auth, dto);
  }

  @Get()
  @Allow(...STAFF)
  list(@Query() q: ListIncidentsQuery) {
    return this.service.list(q);
  }

  @Get(':id')
  @Allow(...STAFF)
  get(@Param('id') id: string) {
    return this.service.get(id);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @Allow(...VENDOR_WORK)
  acknowledge(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'acknowledge', note: dto.note });
  }

  @Post(':id/arrive')
  @HttpCode(200)
  @Allow(...VENDOR_WORK)
  arrive(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'arrive', note: dto.note });
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @Allow(...VENDOR_WORK)
  resolve(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ResolveDto) {
    return this.service.command(auth, id, { action: 'resolve', cause: dto.cause, fix: dto.fix, category: dto.category, note: dto.note });
  }

  @Post(':id/confirm')
  @HttpCode(200)
  @Allow(...HOSPITAL_ACCEPTANCE)
  confirm(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'confirm', note: dto.note });
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @Allow(...HOSPITAL_ACCEPTANCE)
  reopen(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReasonDto) {
    return this.service.command(auth, id, { action: 'reopen', reason: dto.reason });
  }

  @Post(':id/close')
  @HttpCode(200)
  @Allow('dispatcher', 'it_manager', 'project_manager')
  close(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'close', note: dto.note });
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Allow('dispatcher', 'it_manager')
  cancel(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReasonDto) {
    return this.service.command(auth, id, { action: 'cancel', reason: dto.reason });
  }

  @Post(':id/assign')
  @HttpCode(200)
  @Allow('dispatcher', 'project_manager')
  assign(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: AssignDto) {
    return this.service.command(auth, id, { action: 'assign', assignee: { id: dto.assigneeId, name: '' }, note: dto.note });
  }

  @Post(':id/priority')
  @HttpCode(200)
  @Allow('dispatcher', 'project_manager', 'it_manager')
  priority(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: PriorityDto) {
    return this.service.command(auth, id, { action: 'change_priority', priority: dto.priority, reason: dto.reason });
  }

  @Post(':id/repair-clock/pause')
  @HttpCode(200)
  @Allow('dispatcher', ...VENDOR_WORK)
  pause(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReasonDto) {
    return this.service.command(auth, id, { action: 'pause_repair_clock', reason: dto.reason });
  }

  @Post(':id/repair-clock/resume')
  @HttpCode(200)
  @Allow('dispatcher', ...VENDOR_WORK)
  resume(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'resume_repair_clock', note: dto.note });
  }
}
