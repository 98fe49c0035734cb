import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { NoteDto } from '../common/dtos';
import { CreateModificationDto, AssessDto, CommentDto, RequiredCommentDto } from './modifications.dto';
import { ModificationsService } from './modifications.service';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { MODIFICATION_ROWS, MODIFICATION_VIEW } from './modifications.responses';

const HOSPITAL = ['dispatcher', 'it_manager', 'reviewer'] as const;
const VENDOR = ['engineer', 'project_manager'] as const;

@ApiTags('modifications')
@Controller('modifications')
export class ModificationsController {
  constructor(private readonly service: ModificationsService) {}

  @ApiOp({ summary: '提交改造需求 / Submit a modification request', ok: MODIFICATION_VIEW, errors: [422] })
  @Post()
  @Idempotent()
  @Allow('dispatcher', 'it_manager', 'integration')
  create(@Auth() auth: Principal, @Body() dto: CreateModificationDto) {
    return this.service.create(auth, dto);
  }

  @ApiOp({ summary: '改造需求列表 / List modification requests', ok: MODIFICATION_ROWS })
  @Get()
  @Allow(...STAFF)
  list() {
    return this.service.list();
  }

  @ApiOp({ summary: '改造需求详情 / A modification request', ok: MODIFICATION_VIEW, errors: [404] })
  @Get(':id')
  @Allow(...STAFF)
  get(@Param('id') id: string) {
    return this.service.get(id);
  }

  @ApiOp({ summary: '评估改造需求 / Assess a modification request', ok: MODIFICATION_VIEW, errors: [404, 409, 422] })
  @Post(':id/assess')
  @HttpCode(200)
  @Allow(...VENDOR)
  assess(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: AssessDto) {
    return this.service.assess(auth, id, dto);
  }

  @ApiOp({ summary: '批准改造范围 / Approve the scope', ok: MODIFICATION_VIEW, errors: [404, 409] })
  @Post(':id/approve-scope')
  @HttpCode(200)
  @Allow(...HOSPITAL)
  approveScope(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: CommentDto) {
    return this.service.command(id, { action: 'approve_scope', actor: this.service.actor(auth), comment: dto.comment ?? null });
  }

  @ApiOp({ summary: '驳回改造范围 / Reject the scope', ok: MODIFICATION_VIEW, errors: [404, 409] })
  @Post(':id/reject-scope')
  @HttpCode(200)
  @Allow(...HOSPITAL)
  rejectScope(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: RequiredCommentDto) {
    return this.service.command(id, { action: 'reject_scope', actor: this.service.actor(auth), comment: dto.comment });
  }

  @ApiOp({ summary: '交付上线 / Deliver (go live)', ok: MODIFICATION_VIEW, errors: [404, 409] })
  @Post(':id/deliver')
  @HttpCode(200)
  @Allow(...VENDOR)
  deliver(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.deliver(auth, id, dto);
  }

  @ApiOp({ summary: '申请验收 / Request acceptance', ok: MODIFICATION_VIEW, errors: [404, 409] })
  @Post(':id/request-acceptance')
  @HttpCode(200)
  @Allow(...VENDOR)
  requestAcceptance(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(id, { action: 'request_acceptance', actor: this.service.actor(auth), note: dto.note ?? null });
  }

  @ApiOp({ summary: '验收通过 / Accept', ok: MODIFICATION_VIEW, errors: [404, 409] })
  @Post(':id/accept')
  @HttpCode(200)
  @Allow(...HOSPITAL)
  accept(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: CommentDto) {
    return this.service.command(id, { action: 'accept', actor: this.service.actor(auth), comment: dto.comment ?? null });
  }

  @ApiOp({ summary: '验收不通过 / Reject acceptance', ok: MODIFICATION_VIEW, errors: [404, 409] })
  @Post(':id/reject-acceptance')
  @HttpCode(200)
  @Allow(...HOSPITAL)
  rejectAcceptance(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: RequiredCommentDto) {
    return this.service.command(id, { action: 'reject_acceptance', actor: this.service.actor(auth), comment: dto.comment });
  }

  @ApiOp({ summary: '取消改造需求 / Cancel a modification request', ok: MODIFICATION_VIEW, errors: [404, 409] })
  @Post(':id/cancel')
  @HttpCode(200)
  @Allow('dispatcher', 'it_manager')
  cancel(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: RequiredCommentDto) {
    return this.service.command(id, { action: 'cancel', actor: this.service.actor(auth), reason: dto.comment });
  }
}
