import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { NoteDto, ReasonDto } from '../common/dtos';
import { invalid } from '../cmdb/cmdb.service';
import { CreateRunDto, CreateScheduleDto, CreateTemplateDto, TemplateVersionDto } from './jobs.dto';
import { JobsService } from './jobs.service';

/** Who runs jobs on the hospital's servers: the onsite engineers and their managers. */
const OPERATORS = ['engineer', 'project_manager', 'it_manager'] as const;

@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(private readonly service: JobsService) {}

  @Post('templates')
  @Allow(...OPERATORS)
  @ApiOperation({ summary: '新建作业模板（脚本与类型化参数） / Create a job template (script and typed parameters)' })
  createTemplate(@Auth() auth: Principal, @Body() dto: CreateTemplateDto) {
    return this.service.createTemplate(auth, dto);
  }

  @Post('templates/:id/versions')
  @Allow(...OPERATORS)
  @ApiOperation({ summary: '发布模板新版本 / Publish a new template version' })
  addVersion(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: TemplateVersionDto) {
    return this.service.addVersion(auth, id, dto);
  }

  @Get('templates')
  @Allow(...STAFF)
  @ApiOperation({ summary: '作业模板列表 / Job templates' })
  listTemplates() {
    return this.service.listTemplates();
  }

  @Get('templates/:id')
  @Allow(...STAFF)
  @ApiOperation({ summary: '作业模板及其各版本 / A job template and its versions' })
  getTemplate(@Param('id') id: string) {
    return this.service.getTemplate(id);
  }

  @Post('runs')
  @Allow(...OPERATORS)
  @ApiOperation({ summary: '在 CMDB 服务器上执行作业（分批、并发、失败阈值） / Run a job on CMDB servers (batches, parallelism, failure threshold)' })
  createRun(@Auth() auth: Principal, @Body() dto: CreateRunDto) {
    return this.service.createRun(auth, dto);
  }

  @Get('runs')
  @Allow(...STAFF)
  @ApiQuery({ name: 'limit', required: false })
  @ApiOperation({ summary: '作业执行记录 / Job runs' })
  listRuns(@Query('limit') limit?: string) {
    const n = limit === undefined ? 50 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 500) throw invalid([{ field: 'limit', reason: 'limit must be an integer from 1 to 500' }]);
    return this.service.listRuns(n);
  }

  @Get('runs/:id')
  @Allow(...STAFF)
  @ApiOperation({ summary: '作业执行进度与每台主机的结果 / A run: progress counts and per-host results' })
  getRun(@Param('id') id: string) {
    return this.service.getRun(id);
  }

  @Get('runs/:id/audit')
  @Allow(...STAFF)
  @ApiOperation({ summary: '作业审计记录 / Audit trail of a run' })
  audit(@Param('id') id: string) {
    return this.service.auditOf(id);
  }

  @Post('runs/:id/pause')
  @HttpCode(200)
  @Allow(...OPERATORS)
  @ApiOperation({ summary: '暂停作业（进行中的主机完成后不再启动新主机） / Pause a run' })
  pause(@Auth() auth: Principal, @Param('id') id: string, @Body() _dto: NoteDto) {
    return this.service.command(auth, id, 'pause');
  }

  @Post('runs/:id/resume')
  @HttpCode(200)
  @Allow(...OPERATORS)
  @ApiOperation({ summary: '继续作业 / Resume a run' })
  resume(@Auth() auth: Principal, @Param('id') id: string, @Body() _dto: NoteDto) {
    return this.service.command(auth, id, 'resume');
  }

  @Post('runs/:id/cancel')
  @HttpCode(200)
  @Allow(...OPERATORS)
  @ApiOperation({ summary: '取消作业 / Cancel a run' })
  cancel(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: ReasonDto) {
    return this.service.command(auth, id, 'cancel', dto.reason);
  }

  @Post('schedules')
  @Allow(...OPERATORS)
  @ApiOperation({ summary: '新建日常运维计划（Temporal Schedule） / Create a scheduled daily operation (Temporal Schedule)' })
  createSchedule(@Auth() auth: Principal, @Body() dto: CreateScheduleDto) {
    return this.service.createSchedule(auth, dto);
  }

  @Get('schedules')
  @Allow(...STAFF)
  @ApiOperation({ summary: '运维计划列表 / Schedules' })
  listSchedules() {
    return this.service.listSchedules();
  }

  @Get('schedules/:id')
  @Allow(...STAFF)
  @ApiOperation({ summary: '运维计划详情 / A schedule' })
  getSchedule(@Param('id') id: string) {
    return this.service.getSchedule(id);
  }

  @Post('schedules/:id/pause')
  @HttpCode(200)
  @Allow(...OPERATORS)
  @ApiOperation({ summary: '暂停运维计划 / Pause a schedule' })
  pauseSchedule(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.pauseSchedule(auth, id, true, dto.note);
  }

  @Post('schedules/:id/unpause')
  @HttpCode(200)
  @Allow(...OPERATORS)
  @ApiOperation({ summary: '恢复运维计划 / Unpause a schedule' })
  unpauseSchedule(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: NoteDto) {
    return this.service.pauseSchedule(auth, id, false, dto.note);
  }

  @Delete('schedules/:id')
  @Allow('project_manager', 'it_manager')
  @ApiOperation({ summary: '删除运维计划 / Delete a schedule' })
  deleteSchedule(@Auth() auth: Principal, @Param('id') id: string) {
    return this.service.deleteSchedule(auth, id);
  }
}
