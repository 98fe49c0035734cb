import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { NoteDto } from '../common/dtos';
import { CreateModificationDto, AssessDto, CommentDto, RequiredCommentDto } from './modifications.dto';
import { ModificationsService } from './modifications.service';
import { Idempotent } from '../common/idempotency';

const HOSPITAL = ['dispatcher', 'it_manager', 'reviewer'] as const;
const VENDOR = ['engineer', 'project_manager'] as const;

@ApiTags('modifications')
@Controller('modifications')
export class ModificationsController {
  constructor(private readonly service: ModificationsService) {}

  @Post()
  @Idempotent()
  @Allow('dispatcher', 'it_manager', 'integration')
  create(@Auth() auth: Principal, @Body() dto: CreateModificationDto) {
    return this.service.create(auth, dto);
  }

  @Get()
  @Allow(...STAFF)
  list() {
    return this.service.list();
  }

  @Get(':id')
  @Allow(...STAFF)
  get(@Param('id') id: string) {
    return this.service.get(id);
  }

  @Post(':id/assess')
  @HttpCode(200)
  @Allow(...VENDOR)
  assess(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: AssessDto) {
    return this.service.assess(auth, id, dto);
  }

  @Post(':id/approve-scope')
  @HttpCode(200)
  @Allow(...HOSPITAL)
  approveScope(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: CommentDto) {
    return this.service.command(id, { action: 'approve_scope', actor: this.service.actor(auth), comment: dto.comment ?? null });
  }

  @Post(':id/reject-scope')
  @HttpCode(200)
  @Allow(...HOSPITAL)
  rejectScope(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: RequiredCommentDto) {
    return this.service.command(id, { action: 'reject_scope', actor: this.service.actor(auth), comment: dto.comment });
  }

  @Post(':id/deliver')
  @HttpCode(200)
  @Allow(...VENDOR)
  deliver(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.deliver(auth, id, dto);
  }

  @Post(':id/request-acceptance')
  @HttpCode(200)
  @Allow(...VENDOR)
  requestAcceptance(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(id, { action: 'request_acceptance', actor: this.service.actor(auth), note: dto.note ?? null });
  }

  @Post(':id/accept')
  @HttpCode(200)
  @Allow(...HOSPITAL)
  accept(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: CommentDto) {
    return this.service.command(id, { action: 'accept', actor: this.service.actor(auth), comment: dto.comment ?? null });
  }

  @Post(':id/reject-acceptance')
  @HttpCode(200)
  @Allow(...HOSPITAL)
  rejectAcceptance(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: RequiredCommentDto) {
    return this.service.command(id, { action: 'reject_acceptance', actor: this.service.actor(auth), comment: dto.comment });
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Allow('dispatcher', 'it_manager')
  cancel(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: RequiredCommentDto) {
    return this.service.command(id, { action: 'cancel', actor: this.service.actor(auth), reason: dto.comment });
  }
}
