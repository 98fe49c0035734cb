import { Body, Controller, Get, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { invalidFields } from '../common/errors';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { CreateInspectionDto, DbCredentialDto, FindingsQuery, PublishCheckDto, RaiseFromRiskDto, ReportsQuery, SignOffDto } from './inspections.dto';
import { InspectionsService } from './inspections.service';
import {
  BINARY,
  CHECK_LIST_SCHEMA,
  CHECK_SCHEMA,
  CHECK_VERSIONS_SCHEMA,
  DB_CREDENTIAL_LIST_SCHEMA,
  DB_CREDENTIAL_SCHEMA,
  FINDING_LIST_SCHEMA,
  INSPECTION_LIST_SCHEMA,
  INSPECTION_SCHEMA,
  ITEM_SCORE_LIST_SCHEMA,
  RAISED_SCHEMA,
  REPORT_LIST_SCHEMA,
  REPORT_SCHEMA,
  RISK_LIST_SCHEMA,
  SCHEDULE_LIST_SCHEMA,
  SYSTEM_SCORE_LIST_SCHEMA,
} from './inspections.views';

/** Who starts inspections and tends the catalogue: the onsite engineers, their managers and quality. */
const INSPECTORS = ['engineer', 'project_manager', 'it_manager', 'quality_manager'] as const;

function limitOf(limit: string | undefined): number {
  const n = limit === undefined ? 50 : Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw invalidFields([{ field: 'limit', zh: 'limit 须为 1–500 的整数', en: 'limit must be an integer from 1 to 500' }]);
  return n;
}

@ApiTags('inspections')
@Controller('inspections')
export class InspectionsController {
  constructor(private readonly service: InspectionsService) {}

  @ApiOp({ summary: '发起巡检（业务系统依赖树、某类配置项或全部） / Start an inspection (a system tree, a type, or everything)', ok: INSPECTION_SCHEMA, errors: [422] })
  @Post()
  @Idempotent()
  @Allow(...INSPECTORS)
  create(@Auth() auth: Principal, @Body() dto: CreateInspectionDto) {
    return this.service.create(auth, dto);
  }

  @ApiOp({ summary: '巡检列表 / Inspections', ok: INSPECTION_LIST_SCHEMA })
  @Get()
  @Allow(...STAFF)
  @ApiQuery({ name: 'limit', required: false })
  list(@Query('limit') limit?: string) {
    return this.service.list(limitOf(limit));
  }

  @ApiOp({ summary: '巡检详情与进度 / An inspection and its progress', ok: INSPECTION_SCHEMA, errors: [404] })
  @Get(':id')
  @Allow(...STAFF)
  get(@Param('id') id: string) {
    return this.service.get(id);
  }

  @ApiOp({ summary: '巡检发现（含证据与建议） / Findings with evidence and advice', ok: FINDING_LIST_SCHEMA, errors: [404] })
  @Get(':id/findings')
  @Allow(...STAFF)
  findings(@Param('id') id: string, @Query() q: FindingsQuery) {
    return this.service.findings(id, q);
  }

  @ApiOp({ summary: '配置项健康度、趋势及扣分说明 / Item scores, trend, and which findings took what', ok: ITEM_SCORE_LIST_SCHEMA, errors: [404] })
  @Get(':id/items')
  @Allow(...STAFF)
  items(@Param('id') id: string) {
    return this.service.items(id);
  }

  @ApiOp({ summary: '业务系统健康度（依赖树，最弱关键依赖权重最大） / Business system scores over their dependency trees', ok: SYSTEM_SCORE_LIST_SCHEMA, errors: [404] })
  @Get(':id/systems')
  @Allow(...STAFF)
  systems(@Param('id') id: string) {
    return this.service.systems(id);
  }

  @ApiOp({ summary: '主要风险排名 / Top risks, ranked', ok: RISK_LIST_SCHEMA, errors: [404] })
  @Get(':id/risks')
  @Allow(...STAFF)
  risks(@Param('id') id: string) {
    return this.service.risks(id);
  }

  @ApiOp({ summary: '由风险一键提出工单、变更或问题 / Raise an incident, a change or a problem from a risk', ok: RAISED_SCHEMA, errors: [404, 422] })
  @Post(':id/risks/:resultId/raise')
  @Idempotent()
  @Allow('dispatcher', 'engineer', 'project_manager', 'it_manager', 'integration')
  raise(@Auth() auth: Principal, @Param('id') id: string, @Param('resultId') resultId: string, @Body() dto: RaiseFromRiskDto) {
    return this.service.raise(auth, id, resultId, dto);
  }
}

@ApiTags('inspections')
@Controller('inspection-checks')
export class InspectionChecksController {
  constructor(private readonly service: InspectionsService) {}

  @ApiOp({ summary: '巡检检查项目录（各项的最新版本） / The check catalogue (latest version of each)', ok: CHECK_LIST_SCHEMA })
  @Get()
  @Allow(...STAFF)
  list() {
    return this.service.catalogue();
  }

  @ApiOp({ summary: '检查项的全部版本 / Every version of a check', ok: CHECK_VERSIONS_SCHEMA, errors: [404] })
  @Get(':id')
  @Allow(...STAFF)
  versions(@Param('id') id: string) {
    return this.service.checkVersions(id);
  }

  @ApiOp({ summary: '发布检查项（新项或新版本，无需改代码） / Publish a check (new, or a new version) without code', ok: CHECK_SCHEMA, errors: [422] })
  @Post()
  @Idempotent()
  @Allow('it_manager', 'project_manager')
  publish(@Auth() auth: Principal, @Body() dto: PublishCheckDto) {
    return this.service.publish(auth, dto);
  }
}

@ApiTags('inspections')
@Controller('db-credentials')
export class DbCredentialsController {
  constructor(private readonly service: InspectionsService) {}

  @ApiOp({ summary: '新增数据库巡检凭据（加密保存，不回显） / Add a database credential for inspections (sealed, never answered)', ok: DB_CREDENTIAL_SCHEMA, errors: [409] })
  @Post()
  @Idempotent()
  @Allow('it_manager')
  create(@Auth() auth: Principal, @Body() dto: DbCredentialDto) {
    return this.service.createDbCredential(auth, dto);
  }

  @ApiOp({ summary: '数据库巡检凭据列表 / Database credentials', ok: DB_CREDENTIAL_LIST_SCHEMA })
  @Get()
  @Allow(...STAFF)
  list() {
    return this.service.listDbCredentials();
  }
}

@ApiTags('inspections')
@Controller('inspection-schedules')
export class InspectionSchedulesController {
  constructor(private readonly service: InspectionsService) {}

  @ApiOp({ summary: '巡检计划（季度与月度 Temporal Schedule） / Inspection schedules (quarterly and monthly)', ok: SCHEDULE_LIST_SCHEMA })
  @Get()
  @Allow(...STAFF)
  list() {
    return this.service.schedules();
  }
}

@ApiTags('inspections')
@Controller('inspection-reports')
export class InspectionReportsController {
  constructor(private readonly service: InspectionsService) {}

  @ApiOp({ summary: '巡检报告列表（按覆盖期间） / Inspection reports by the period they cover', ok: REPORT_LIST_SCHEMA })
  @Get()
  @Allow(...STAFF)
  list(@Query() q: ReportsQuery) {
    return this.service.reports(q);
  }

  @ApiOp({ summary: '巡检报告及签字情况 / An inspection report and its sign-offs', ok: REPORT_SCHEMA, errors: [404] })
  @Get(':id')
  @Allow(...STAFF)
  get(@Param('id') id: string) {
    return this.service.report(id);
  }

  @ApiOp({ summary: '下载巡检报告 PDF / Download the report (PDF)', ok: BINARY, produces: 'application/pdf', errors: [404] })
  @Get(':id/pdf')
  @Allow(...STAFF)
  async pdf(@Param('id') id: string) {
    const f = await this.service.reportFile(id, 'pdf');
    return new StreamableFile(f.data, { type: 'application/pdf', disposition: `attachment; filename="${f.name}"` });
  }

  @ApiOp({ summary: '下载全部发现 XLSX / Download every finding (XLSX)', ok: BINARY, produces: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', errors: [404] })
  @Get(':id/xlsx')
  @Allow(...STAFF)
  async xlsx(@Param('id') id: string) {
    const f = await this.service.reportFile(id, 'xlsx');
    return new StreamableFile(f.data, { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', disposition: `attachment; filename="${f.name}"` });
  }

  @ApiOp({ summary: '项目经理或质量经理签字确认报告 / Sign the report off (project manager, quality manager)', ok: REPORT_SCHEMA, errors: [404, 409] })
  @Post(':id/sign-off')
  @HttpCode(200)
  @Allow('project_manager', 'quality_manager')
  signOff(@Auth() auth: Principal, @Param('id') id: string, @Body() dto: SignOffDto) {
    return this.service.signOff(auth, id, dto);
  }
}
