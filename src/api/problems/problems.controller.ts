import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PROBLEM_ACTION_ROLES as WHO, PROBLEM_CREATORS } from '../../domain/problems/problem';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { NoteDto, ReasonDto } from '../common/dtos';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { CreateProblemDto, FixedDto, LinkChangeDto, LinkIncidentDto, ListProblemsQuery, RecurrenceRulesDto, RootCauseDto, WorkaroundDto } from './problems.dto';
import { PROBLEM_DETAIL, PROBLEM_PAGE, RECURRENCE_RULES } from './problems.responses';
import { ProblemsService } from './problems.service';

/** S1 problem management: one problem workflow each; every step an Update (409 for an illegal one). */
@ApiTags('problems')
@Controller('problems')
export class ProblemsController {
  constructor(private readonly service: ProblemsService) {}

  @ApiOp({ summary: '创建问题单 / Raise a problem by hand (S1)', ok: PROBLEM_DETAIL, errors: [422] })
  @Post()
  @Idempotent()
  @Allow(...PROBLEM_CREATORS)
  create(@Auth() auth: Principal, @Body() dto: CreateProblemDto) {
    return this.service.create(auth, dto);
  }

  @ApiOp({ summary: '问题单列表 / List problems', ok: PROBLEM_PAGE })
  @Get()
  @Allow(...STAFF)
  list(@Query() q: ListProblemsQuery) {
    return this.service.list(q);
  }

  @ApiOp({ summary: '重复故障识别规则 / The recurrence rules that propose problems', ok: RECURRENCE_RULES })
  @Get('rules')
  @Allow(...STAFF)
  rules() {
    return this.service.rules();
  }

  @ApiOp({ summary: '修改重复故障识别规则 / Change the recurrence rules (data)', ok: RECURRENCE_RULES, errors: [422] })
  @Put('rules')
  @Allow('project_manager', 'quality_manager', 'it_manager')
  setRules(@Auth() auth: Principal, @Body() dto: RecurrenceRulesDto) {
    return this.service.setRules(auth, dto);
  }

  @ApiOp({ summary: '问题单详情与时间线 / A problem with its incidents and timeline', ok: PROBLEM_DETAIL, errors: [404] })
  @Get(':ref')
  @Allow(...STAFF)
  get(@Auth() auth: Principal, @Param('ref') ref: string) {
    return this.service.get(auth, ref);
  }

  @ApiOp({ summary: '确认为问题并开始调查 / Accept a proposed problem and investigate', ok: PROBLEM_DETAIL, errors: [404, 409] })
  @Post(':ref/accept')
  @HttpCode(200)
  @Allow(...WHO.accept)
  accept(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: NoteDto) {
    return this.service.command(auth, ref, { action: 'accept', ...(dto.note ? { note: dto.note } : {}) });
  }

  @ApiOp({ summary: '驳回（不构成问题） / Reject: not a problem', ok: PROBLEM_DETAIL, errors: [404, 409] })
  @Post(':ref/reject')
  @HttpCode(200)
  @Allow(...WHO.reject)
  reject(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: ReasonDto) {
    return this.service.command(auth, ref, { action: 'reject', reason: dto.reason });
  }

  @ApiOp({ summary: '记录根本原因 / Record the root cause', ok: PROBLEM_DETAIL, errors: [404, 409] })
  @Post(':ref/root-cause')
  @HttpCode(200)
  @Allow(...WHO.record_root_cause)
  rootCause(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: RootCauseDto) {
    return this.service.command(auth, ref, { action: 'record_root_cause', rootCause: dto.rootCause });
  }

  @ApiOp({ summary: '记录临时解决办法（已知错误） / Record the workaround: a known error', ok: PROBLEM_DETAIL, errors: [404, 409] })
  @Post(':ref/workaround')
  @HttpCode(200)
  @Allow(...WHO.record_workaround)
  workaround(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: WorkaroundDto) {
    return this.service.command(auth, ref, { action: 'record_workaround', workaround: dto.workaround });
  }

  @ApiOp({ summary: '关联修复变更 / Link the change that fixes it', ok: PROBLEM_DETAIL, errors: [404, 409] })
  @Post(':ref/changes')
  @HttpCode(200)
  @Allow(...WHO.link_change)
  linkChange(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: LinkChangeDto) {
    return this.service.linkChange(auth, ref, dto.change);
  }

  @ApiOp({ summary: '已由变更修复 / Fixed by an implemented change', ok: PROBLEM_DETAIL, errors: [404, 409] })
  @Post(':ref/fixed')
  @HttpCode(200)
  @Allow(...WHO.mark_fixed)
  fixed(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: FixedDto) {
    return this.service.fixed(auth, ref, dto.change, dto.note);
  }

  @ApiOp({ summary: '关闭问题单 / Close the problem', ok: PROBLEM_DETAIL, errors: [404, 409] })
  @Post(':ref/close')
  @HttpCode(200)
  @Allow(...WHO.close)
  close(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: NoteDto) {
    return this.service.command(auth, ref, { action: 'close', ...(dto.note ? { note: dto.note } : {}) });
  }

  @ApiOp({ summary: '关联工单 / Link an incident it explains', ok: PROBLEM_DETAIL, errors: [404, 409] })
  @Post(':ref/incidents')
  @HttpCode(200)
  @Allow(...WHO.link_incident)
  linkIncident(@Auth() auth: Principal, @Param('ref') ref: string, @Body() dto: LinkIncidentDto) {
    return this.service.linkIncident(auth, ref, dto.incident);
  }
}
