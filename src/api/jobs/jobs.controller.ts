import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { AUDIT_SCHEMA, DELETED_SCHEMA, RUN_LIST_SCHEMA, RUN_SCHEMA, SCHEDULE_LIST_SCHEMA, SCHEDULE_SCHEMA, TEMPLATE_LIST_SCHEMA, TEMPLATE_SCHEMA } from './jobs.views';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { NoteDto, ReasonDto } from '../common/dtos';
import { invalidFields } from '../common/errors';
import { CreateRunDto, CreateScheduleDto, CreateTemplateDto, TemplateVersionDto } from './jobs.dto';
import { JobsService } from './jobs.service';

/** Who runs jobs on the hospital's servers: the onsite engineers and their managers. */
const OPERATORS = ['engineer', 'project_manager', 'it_manager'] as const;

@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(private readonly service: JobsService) {}

  @ApiOp({ summary: '新建作业模板（脚本与类型化参数） / Create a job template (script and typed parameters)', ok: TEMPLATE_SCHEMA, errors: [409] })
  @Post('templates')
  @Idempotent()
  @Allow(...OPERATORS)
  createTemplate(@Auth() auth: Principal, @Body() dto: CreateTemplateDto) {
    return this.service.createTemplate(auth, dto);
  }

  @ApiOp({ summary: '发布模板新版本 / Publish a new template version', ok: TEMPLATE_SCHEMA, errors: [404] })
  @Post('templates/:id/versions')
  @Idempotent()
  @Allow(...OPERATORS)
  addVersion(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: TemplateVersionDto) {
    return this.service.addVersion(auth, id, dto);
  }

  @ApiOp({ summary: '作业模板列表 / Job templates', ok: TEMPLATE_LIST_SCHEMA })
  @Get('templates')
  @Allow(...STAFF)
  listTemplates() {
    return this.service.listTemplates();
  }

  @ApiOp({ summary: '作业模板及其各版本 / A job template and its versions', ok: TEMPLATE_SCHEMA, errors: [404] })
  @Get('templates/:id')
  @Allow(...STAFF)
  getTemplate(@Param('id') id: string) {
    return this.service.getTemplate(id);
  }

  @ApiOp({ summary: '在 CMDB 服务器上执行作业（分批、并发、失败阈值） / Run a job on CMDB servers (batches, parallelism, failure threshold)', ok: RUN_SCHEMA, errors: [404, 409, 422] })
  @Post('runs')
  @Idempotent()
  @Allow(...OPERATORS)
  createRun(@Auth() auth: Principal, @Body() dto: CreateRunDto) {
    return this.service.createRun(auth, dto);
  }

  @ApiOp({ summary: '作业执行记录 / Job runs', ok: RUN_LIST_SCHEMA })
  @Get('runs')
  @Allow(...STAFF)
  @ApiQuery({ name: 'limit', required: false })
  listRuns(@Query('limit') limit?: string) {
    const n = limit === undefined ? 50 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 500) throw invalidFields([{ field: 'limit', zh: 'limit 须为 1–500 的整数', en: 'limit must be an integer from 1 to 500' }]);
    return this.service.listRuns(n);
  }

  @ApiOp({ summary: '作业执行进度与每台主机的结果 / A run: progress counts and per-host results', ok: RUN_SCHEMA, errors: [404] })
  @Get('runs/:id')
  @Allow(...STAFF)
  getRun(@Param('id') id: string) {
    return this.service.getRun(id);
  }

  @ApiOp({ summary: '作业审计记录 / Audit trail of a run', ok: AUDIT_SCHEMA, errors: [404] })
  @Get('runs/:id/audit')
  @Allow(...STAFF)
  audit(@Param('id') id: string) {
    return this.service.auditOf(id);
  }

  @ApiOp({ summary: '暂停作业（进行中的主机完成后不再启动新主机） / Pause a run', ok: RUN_SCHEMA, errors: [404, 409] })
  @Post('runs/:id/pause')
  @HttpCode(200)
  @Allow(...OPERATORS)
  pause(@Auth() auth: Principal, @Param('id') id: string, @Body() _dto: NoteDto) {
    return this.service.command(auth, id, 'pause');
  }

  @ApiOp({ summary: '继续作业 / Resume a run', ok: RUN_SCHEMA, errors: [404, 409] })
  @Post('runs/:id/resume')
  @HttpCode(200)
  @Allow(...OPERATORS)
  resume(@Auth() auth: Principal, @Param('id') id: string, @Body() _dto: NoteDto) {
    return this.service.command(auth, id, 'resume');
  }

  @ApiOp({ summary: '取消作业 / Cancel a run', ok: RUN_SCHEMA, errors: [404, 409] })
  @Post('runs/:id/cancel')
  @HttpCode(200)
  @Allow(...OPERATORS)
  cancel(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReasonDto) {
    return this.service.command(auth, id, 'cancel', dto.reason);
  }

  @ApiOp({ summary: '新建日常运维计划（Temporal Schedule） / Create a scheduled daily operation (Temporal Schedule)', ok: SCHEDULE_SCHEMA, errors: [409, 422] })
  @Post('schedules')
  @Idempotent()
  @Allow(...OPERATORS)
  createSchedule(@Auth() auth: Principal, @Body() dto: CreateScheduleDto) {
    return this.service.createSchedule(auth, dto);
  }

  @ApiOp({ summary: '运维计划列表 / Schedules', ok: SCHEDULE_LIST_SCHEMA })
  @Get('schedules')
  @Allow(...STAFF)
  listSchedules() {
    return this.service.listSchedules();
  }

  @ApiOp({ summary: '运维计划详情 / A schedule', ok: SCHEDULE_SCHEMA, errors: [404] })
  @Get('schedules/:id')
  @Allow(...STAFF)
  getSchedule(@Param('id') id: string) {
    return this.service.getSchedule(id);
  }

  @ApiOp({ summary: '暂停运维计划 / Pause a schedule', ok: SCHEDULE_SCHEMA, errors: [404] })
  @Post('schedules/:id/pause')
  @HttpCode(200)
  @Allow(...OPERATORS)
  pauseSchedule(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.pauseSchedule(auth, id, true, dto.note);
  }

  @ApiOp({ summary: '恢复运维计划 / Unpause a schedule', ok: SCHEDULE_SCHEMA, errors: [404] })
  @Post('schedules/:id/unpause')
  @HttpCode(200)
  @Allow(...OPERATORS)
  unpauseSchedule(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.pauseSchedule(auth, id, false, dto.note);
  }

  @ApiOp({ summary: '删除运维计划 / Delete a schedule', ok: DELETED_SCHEMA, errors: [404] })
  @Delete('schedules/:id')
  @Allow('project_manager', 'it_manager')
  deleteSchedule(@Auth() auth: Principal, @Param('id') id: string) {
    return this.service.deleteSchedule(auth, id);
  }
}
