import { Body, Controller, Get, Param, Query } from '@nestjs/common';
import { Post } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { RUN_LIST_SCHEMA, RUN_SCHEMA } from './jobs.views';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { invalidFields } from '../common/errors';
import { CreatePatchRunDto } from './jobs.dto';
import { JobsService } from './jobs.service';

/** 补丁推送安装 (P5). Pause, resume and cancel a patch run through /jobs/runs/:id/{pause,resume,cancel}. */
@ApiTags('patch')
@Controller('patch')
export class PatchController {
  constructor(private readonly service: JobsService) {}

  @ApiOp({ summary: '在已批准变更的窗口内推送补丁（扫描、计划、金丝雀、分批、验证、回滚） / Patch inside an approved change window (scan, plan, canary, batches, verify, roll back)', ok: RUN_SCHEMA, errors: [404, 409, 422] })
  @Post('runs')
  @Idempotent()
  @Allow('engineer', 'project_manager', 'it_manager')
  create(@Auth() auth: Principal, @Body() dto: CreatePatchRunDto) {
    return this.service.createPatchRun(auth, dto);
  }

  @ApiOp({ summary: '补丁执行记录 / Patch runs', ok: RUN_LIST_SCHEMA })
  @Get('runs')
  @Allow(...STAFF)
  @ApiQuery({ name: 'limit', required: false })
  list(@Query('limit') limit?: string) {
    const n = limit === undefined ? 50 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 500) throw invalidFields([{ field: 'limit', zh: 'limit 须为 1–500 的整数', en: 'limit must be an integer from 1 to 500' }]);
    return this.service.listRuns(n, 'patch');
  }

  @ApiOp({ summary: '补丁执行进度与每台主机的计划、结果、验证和回滚 / A patch run: per-host plan, result, verification, rollback', ok: RUN_SCHEMA, errors: [404] })
  @Get('runs/:id')
  @Allow(...STAFF)
  get(@Param('id') id: string) {
    return this.service.getRun(id);
  }
}
