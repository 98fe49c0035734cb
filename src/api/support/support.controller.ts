import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { SUPPORT_ACTION_ROLES as WHO, SUPPORT_REQUESTERS } from '../../domain/support/support-request';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { NoteDto, ReasonDto } from '../common/dtos';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { CreateSupportRequestDto, FulfilDto, ListSupportRequestsQuery, SupportChangeDto, SupportPoliciesDto } from './support.dto';
import { SUPPORT_POLICIES, SUPPORT_REQUEST_DETAIL, SUPPORT_REQUEST_PAGE } from './support.responses';
import { SupportService } from './support.service';

/** S6: support requests, each a workflow with its own clock; every step an Update (409 for an illegal one). */
@ApiTags('support-requests')
@Controller('support-requests')
export class SupportController {
  constructor(private readonly service: SupportService) {}

  @ApiOp({ summary: '提交服务请求（报表导出、数据清理等） / Submit a support request (report export, data clean-up …)', ok: SUPPORT_REQUEST_DETAIL, errors: [422] })
  @Post()
  @Idempotent()
  @Allow(...SUPPORT_REQUESTERS)
  create(@Auth() auth: Principal, @Body() dto: CreateSupportRequestDto) {
    return this.service.create(auth, dto);
  }

  @ApiOp({ summary: '服务请求列表 / List support requests', ok: SUPPORT_REQUEST_PAGE })
  @Get()
  @Allow(...STAFF)
  list(@Query() q: ListSupportRequestsQuery) {
    return this.service.list(q);
  }

  @ApiOp({ summary: '服务请求时限策略 / The clock policy per request type', ok: SUPPORT_POLICIES })
  @Get('policies')
  @Allow(...STAFF)
  policies() {
    return this.service.policies();
  }

  @ApiOp({ summary: '修改服务请求时限策略 / Change the clock policy (data)', ok: SUPPORT_POLICIES, errors: [422] })
  @Put('policies')
  @Allow('it_manager', 'project_manager')
  setPolicies(@Auth() auth: Principal, @Body() dto: SupportPoliciesDto) {
    return this.service.setPolicies(auth, dto);
  }

  @ApiOp({ summary: '服务请求详情与时间线 / A support request with its timeline', ok: SUPPORT_REQUEST_DETAIL, errors: [404] })
  @Get(':ref')
  @Allow(...STAFF)
  get(@Auth() auth: Principal, @Param('ref') ref: string) {
    return this.service.get(auth, ref);
  }

  @ApiOp({ summary: '受理 / Accept', ok: SUPPORT_REQUEST_DETAIL, errors: [404, 409] })
  @Post(':ref/accept')
  @HttpCode(200)
  @Allow(...WHO.accept)
  accept(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: NoteDto) {
    return this.service.command(auth, ref, { action: 'accept', ...(dto.note ? { note: dto.note } : {}) });
  }

  @ApiOp({ summary: '关联变更（涉及数据修改） / Link the change that touches the data', ok: SUPPORT_REQUEST_DETAIL, errors: [404, 409, 422] })
  @Post(':ref/changes')
  @HttpCode(200)
  @Allow(...WHO.link_change)
  linkChange(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: SupportChangeDto) {
    return this.service.linkChange(auth, ref, dto.change);
  }

  @ApiOp({ summary: '完成 / Fulfil', ok: SUPPORT_REQUEST_DETAIL, errors: [404, 409, 422] })
  @Post(':ref/fulfil')
  @HttpCode(200)
  @Allow(...WHO.fulfil)
  fulfil(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: FulfilDto) {
    return this.service.fulfil(auth, ref, dto.result, dto.change);
  }

  @ApiOp({ summary: '请求方确认 / The requesting side confirms', ok: SUPPORT_REQUEST_DETAIL, errors: [404, 409] })
  @Post(':ref/confirm')
  @HttpCode(200)
  @Allow(...WHO.confirm)
  confirm(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: NoteDto) {
    return this.service.command(auth, ref, { action: 'confirm', ...(dto.note ? { note: dto.note } : {}) });
  }

  @ApiOp({ summary: '退回重办 / Send back: not done', ok: SUPPORT_REQUEST_DETAIL, errors: [404, 409] })
  @Post(':ref/reopen')
  @HttpCode(200)
  @Allow(...WHO.reopen)
  reopen(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: ReasonDto) {
    return this.service.command(auth, ref, { action: 'reopen', reason: dto.reason });
  }

  @ApiOp({ summary: '撤销 / Cancel', ok: SUPPORT_REQUEST_DETAIL, errors: [404, 409] })
  @Post(':ref/cancel')
  @HttpCode(200)
  @Allow(...WHO.cancel)
  cancel(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: ReasonDto) {
    return this.service.command(auth, ref, { action: 'cancel', reason: dto.reason });
  }
}
