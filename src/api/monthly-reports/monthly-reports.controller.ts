import { Body, Controller, Get, HttpCode, Param, Post, Put, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { CreateMonthlyReportDto, ImprovementPlanDto, MonthParams } from './monthly-reports.dto';
import { MONTHLY_REPORT_LIST, MONTHLY_REPORT_VIEW } from './monthly-reports.responses';
import { MonthlyReportsService } from './monthly-reports.service';

const BINARY = { type: 'string', format: 'binary' } as const;

@ApiTags('monthly-reports')
@Controller('monthly-reports')
export class MonthlyReportsController {
  constructor(private readonly service: MonthlyReportsService) {}

  @ApiOp({ summary: '生成某月的月度服务报告草稿 / Draft a month’s service report (S8)', ok: MONTHLY_REPORT_VIEW, errors: [409, 422] })
  @Post()
  @Idempotent()
  @Allow('project_manager', 'quality_manager', 'it_manager')
  create(@Auth() auth: Principal, @Body() dto: CreateMonthlyReportDto) {
    return this.service.create(auth, dto.month);
  }

  @ApiOp({ summary: '月度服务报告列表 / List monthly service reports', ok: MONTHLY_REPORT_LIST })
  @Get()
  @Allow(...STAFF)
  list(@Auth() auth: Principal) {
    return this.service.list(auth);
  }

  @ApiOp({ summary: '月度服务报告（含全部数字） / A monthly report with every figure', ok: MONTHLY_REPORT_VIEW, errors: [404] })
  @Get(':month')
  @Allow(...STAFF)
  get(@Auth() auth: Principal, @Param() p: MonthParams) {
    return this.service.get(auth, p.month);
  }

  @ApiOp({ summary: '下载月度服务报告 PDF / Download the report (PDF)', ok: BINARY, produces: 'application/pdf', errors: [404, 409] })
  @Get(':month/pdf')
  @Allow(...STAFF)
  async pdf(@Param() p: MonthParams) {
    const f = await this.service.file(p.month, 'pdf');
    return new StreamableFile(f.data, { type: 'application/pdf', disposition: `attachment; filename="${f.name}"` });
  }

  @ApiOp({ summary: '下载月度服务报告 XLSX / Download the report (XLSX)', ok: BINARY, produces: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', errors: [404, 409] })
  @Get(':month/xlsx')
  @Allow(...STAFF)
  async xlsx(@Param() p: MonthParams) {
    const f = await this.service.file(p.month, 'xlsx');
    return new StreamableFile(f.data, { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', disposition: `attachment; filename="${f.name}"` });
  }

  @ApiOp({ summary: '编辑改进计划（项目经理、质量经理） / Edit the improvement plan (project and quality manager)', ok: MONTHLY_REPORT_VIEW, errors: [404, 409] })
  @Put(':month/improvement-plan')
  @Allow('project_manager', 'quality_manager')
  editPlan(@Auth() auth: Principal, @Param() p: MonthParams, @Body() dto: ImprovementPlanDto) {
    return this.service.editPlan(auth, p.month, dto.text);
  }

  @ApiOp({ summary: '发布月度服务报告并发送信息科 / Publish the report and send it to the IT department', ok: MONTHLY_REPORT_VIEW, errors: [404, 409] })
  @Post(':month/publish')
  @HttpCode(200)
  @Allow('project_manager', 'quality_manager')
  publish(@Auth() auth: Principal, @Param() p: MonthParams) {
    return this.service.publish(auth, p.month);
  }
}
