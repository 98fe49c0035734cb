import { Body, Controller, Get, Param, Query } from '@nestjs/common';
import { Post } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { invalid } from '../cmdb/cmdb.service';
import { CreatePatchRunDto } from './jobs.dto';
import { JobsService } from './jobs.service';

/** 补丁推送安装 (P5). Pause, resume and cancel a patch run through /jobs/runs/:id/{pause,resume,cancel}. */
@ApiTags('patch')
@Controller('patch')
export class PatchController {
  constructor(private readonly service: JobsService) {}

  @Post('runs')
  @Allow('engineer', 'project_manager', 'it_manager')
  @ApiOperation({ summary: '在已批准变更的窗口内推送补丁（扫描、计划、金丝雀、分批、验证、回滚） / Patch inside an approved change window (scan, plan, canary, batches, verify, roll back)' })
  create(@Auth() auth: Principal, @Body() dto: CreatePatchRunDto) {
    return this.service.createPatchRun(auth, dto);
  }

  @Get('runs')
  @Allow(...STAFF)
  @ApiQuery({ name: 'limit', required: false })
  @ApiOperation({ summary: '补丁执行记录 / Patch runs' })
  list(@Query('limit') limit?: string) {
    const n = limit === undefined ? 50 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 500) throw invalid([{ field: 'limit', reason: 'limit must be an integer from 1 to 500' }]);
    return this.service.listRuns(n, 'patch');
  }

  @Get('runs/:id')
  @Allow(...STAFF)
  @ApiOperation({ summary: '补丁执行进度与每台主机的计划、结果、验证和回滚 / A patch run: per-host plan, result, verification, rollback' })
  get(@Param('id') id: string) {
    return this.service.getRun(id);
  }
}
