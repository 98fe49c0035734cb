import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { NoteDto } from '../common/dtos';
import { CreateModificationDto, AssessDto, CommentDto, LinkChangeDto, RequiredCommentDto } from './modifications.dto';
import { ModificationsService } from './modifications.service';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { MODIFICATION_ROWS, MODIFICATION_VIEW } from './modifications.responses';
import { MODIFICATION_ACTION_ROLES as WHO } from '../../domain/modification';

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
  get(@Auth() auth: Principal, @Param('id') id: string) {
    return this.service.get(auth, id);
  }

  @ApiOp({ summary: '评估改造需求 / Assess a modification request', ok: MODIFICATION_VIEW, errors: [404, 409, 422] })
  @Post(':id/assess')
  @HttpCode(200)
  @Allow(...WHO.assess)
  assess(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: AssessDto) {
    return this.service.assess(auth, id, dto);
  }

  @ApiOp({ summary: '关联数据库变更（评估后亦可） / Link the schema change (after assessment too)', ok: MODIFICATION_VIEW, errors: [404, 409, 422] })
  /** S4: a modification whose assessment found a schema change gets its reviewed change linked here, after assessment too. */
  @Post(':id/link-change')
  @HttpCode(200)
  @Allow(...WHO.link_change)
  linkChange(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: LinkChangeDto) {
    return this.service.linkChange(auth, id, dto);
  }

  @ApiOp({ summary: '批准改造范围 / Approve the scope', ok: MODIFICATION_VIEW, errors: [404, 409] })
  @Post(':id/approve-scope')
  @HttpCode(200)
  @Allow(...WHO.approve_scope)
  approveScope(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: CommentDto) {
    return this.service.command(auth, id, { action: 'approve_scope', actor: this.service.actor(auth), comment: dto.comment ?? null });
  }

  @ApiOp({ summary: '驳回改造范围 / Reject the scope', ok: MODIFICATION_VIEW, errors: [404, 409] })
  @Post(':id/reject-scope')
  @HttpCode(200)
  @Allow(...WHO.reject_scope)
  rejectScope(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: RequiredCommentDto) {
    return this.service.command(auth, id, { action: 'reject_scope', actor: this.service.actor(auth), comment: dto.comment });
  }

  @ApiOp({ summary: '交付上线 / Deliver (go live)', ok: MODIFICATION_VIEW, errors: [404, 409] })
  @Post(':id/deliver')
  @HttpCode(200)
  @Allow(...WHO.deliver)
  deliver(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.deliver(auth, id, dto);
  }

  @ApiOp({ summary: '申请验收 / Request acceptance', ok: MODIFICATION_VIEW, errors: [404, 409] })
  @Post(':id/request-acceptance')
  @HttpCode(200)
  @Allow(...WHO.request_acceptance)
  requestAcceptance(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.command(auth, id, { action: 'request_acceptance', actor: this.service.actor(auth), note: dto.note ?? null });
  }

  @ApiOp({ summary: '验收通过 / Accept', ok: MODIFICATION_VIEW, errors: [404, 409] })
  @Post(':id/accept')
  @HttpCode(200)
  @Allow(...WHO.accept)
  accept(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: CommentDto) {
    return this.service.command(auth, id, { action: 'accept', actor: this.service.actor(auth), comment: dto.comment ?? null });
  }

  @ApiOp({ summary: '验收不通过 / Reject acceptance', ok: MODIFICATION_VIEW, errors: [404, 409] })
  @Post(':id/reject-acceptance')
  @HttpCode(200)
  @Allow(...WHO.reject_acceptance)
  rejectAcceptance(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: RequiredCommentDto) {
    return this.service.command(auth, id, { action: 'reject_acceptance', actor: this.service.actor(auth), comment: dto.comment });
  }

  @ApiOp({ summary: '取消改造需求 / Cancel a modification request', ok: MODIFICATION_VIEW, errors: [404, 409] })
  @Post(':id/cancel')
  @HttpCode(200)
  @Allow(...WHO.cancel)
  cancel(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: RequiredCommentDto) {
    return this.service.command(auth, id, { action: 'cancel', actor: this.service.actor(auth), reason: dto.comment });
  }
}
