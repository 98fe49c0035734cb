import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { NoteDto, ReasonDto } from '../common/dtos';
import { RevisionDto, CreateChangeDto, ReviewDto, ImplementDto, VerifyDto, ListChangesQuery } from './changes.dto';
import { ChangesService } from './changes.service';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { CHANGE_DETAIL, CHANGE_ROWS, CHANGE_VIEW } from './changes.responses';
import { CHANGE_ACTION_ROLES as WHO } from '../../domain/change-process';

@ApiTags('changes')
@Controller('changes')
export class ChangesController {
  constructor(private readonly service: ChangesService) {}

  @ApiOp({ summary: '提交数据库变更（SQL 自动分级） / Submit a database change (its SQL is classified)', ok: CHANGE_VIEW, errors: [422] })
  @Post()
  @Idempotent()
  @Allow(...WHO.revise)
  create(@Auth() auth: Principal, @Body() dto: CreateChangeDto) {
    return this.service.create(auth, dto);
  }

  @ApiOp({ summary: '变更列表 / List changes', ok: CHANGE_ROWS })
  @Get()
  @Allow(...STAFF)
  list(@Query() q: ListChangesQuery) {
    return this.service.list(q);
  }

  @ApiOp({ summary: '变更详情：各修订版脚本与差异 / A change: each revision, its scripts and diff', ok: CHANGE_DETAIL, errors: [404] })
  @Get(':id')
  @Allow(...STAFF)
  get(@Auth() auth: Principal, @Param('id') id: string) {
    return this.service.get(auth, id);
  }

  /** S4: the hospital's reviewers decide. */
  @ApiOp({ summary: '审核变更（同意、驳回、退回） / Review a change: approve, reject or send back', ok: CHANGE_VIEW, errors: [404, 409] })
  @Post(':id/review')
  @HttpCode(200)
  @Allow(...WHO.review)
  review(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReviewDto) {
    return this.service.review(auth, id, dto);
  }

  @ApiOp({ summary: '提交修订版 / Submit a revision', ok: CHANGE_VIEW, errors: [404, 409] })
  @Post(':id/revisions')
  @Idempotent()
  @HttpCode(200)
  @Allow(...WHO.revise)
  revise(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: RevisionDto) {
    return this.service.revise(auth, id, dto);
  }

  @ApiOp({ summary: '记录实施（仅限已批准修订版与窗口内） / Record implementation (approved revision, inside its window)', ok: CHANGE_VIEW, errors: [404, 409] })
  @Post(':id/implement')
  @HttpCode(200)
  @Allow(...WHO.implement)
  implement(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ImplementDto) {
    return this.service.implement(auth, id, dto);
  }

  @ApiOp({ summary: '验证实施结果 / Verify the outcome', ok: CHANGE_VIEW, errors: [404, 409] })
  @Post(':id/verify')
  @HttpCode(200)
  @Allow(...WHO.verify)
  verify(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: VerifyDto) {
    return this.service.verify(auth, id, dto);
  }

  @ApiOp({ summary: '关闭变更 / Close a change', ok: CHANGE_VIEW, errors: [404, 409] })
  @Post(':id/close')
  @HttpCode(200)
  @Allow(...WHO.close)
  close(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.close(auth, id, dto);
  }

  @ApiOp({ summary: '取消变更 / Cancel a change', ok: CHANGE_VIEW, errors: [404, 409] })
  @Post(':id/cancel')
  @HttpCode(200)
  @Allow(...WHO.cancel)
  cancel(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReasonDto) {
    return this.service.cancel(auth, id, dto);
  }
}
