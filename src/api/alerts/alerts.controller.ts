import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { Role, STAFF } from '../auth/roles';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { ParseUuidPipe } from '../common/pipes';
import { AlertConfigService } from './alert-config.service';
import { ListAlertsQuery, MappingProbeDto, MappingRuleDto, PriorityMapDto, UpdateMappingRuleDto } from './alerts.dto';
import { AlertsService } from './alerts.service';

/** Who sets how alerts become incidents: the hospital's IT manager and the vendor's project manager. */
const RULE_EDITORS: Role[] = ['it_manager', 'project_manager'];

@ApiTags('alerts')
@Controller('alerts')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly config: AlertConfigService,
  ) {}

  @ApiOp({ summary: '告警列表 / Alerts, newest first', ok: { type: 'object', properties: { total: { type: 'integer' }, items: { type: 'array', items: { type: 'object' } } } }, errors: [404] })
  @Get()
  @Allow(...STAFF)
  list(@Query() q: ListAlertsQuery) {
    return this.alerts.list(q);
  }

  @ApiOp({ summary: '告警映射规则 / The rules that map alerts to configuration items, in order', ok: { type: 'array', items: { type: 'object' } } })
  @Get('mapping-rules')
  @Allow(...STAFF)
  rules() {
    return this.config.rules();
  }

  @ApiOp({ summary: '新增告警映射规则 / Add a mapping rule', ok: { type: 'object' }, errors: [422] })
  @Post('mapping-rules')
  @Allow(...RULE_EDITORS)
  @Idempotent()
  createRule(@Auth() auth: Principal, @Body() dto: MappingRuleDto) {
    return this.config.createRule(auth, dto);
  }

  @ApiOp({ summary: '试算告警映射 / Where an alert with these labels would open its incident', ok: { type: 'object' } })
  @Post('mapping-rules/probe')
  @HttpCode(200)
  @Allow(...STAFF)
  probe(@Body() dto: MappingProbeDto) {
    return this.config.probe(dto);
  }

  @ApiOp({ summary: '修改告警映射规则 / Change a mapping rule', ok: { type: 'object' }, errors: [404, 422] })
  @Patch('mapping-rules/:id')
  @Allow(...RULE_EDITORS)
  updateRule(@Auth() auth: Principal, @Param('id', ParseUuidPipe) id: string, @Body() dto: UpdateMappingRuleDto) {
    return this.config.updateRule(auth, id, dto);
  }

  @ApiOp({ summary: '删除告警映射规则 / Delete a mapping rule', ok: { type: 'object' }, errors: [404] })
  @Delete('mapping-rules/:id')
  @Allow(...RULE_EDITORS)
  deleteRule(@Param('id', ParseUuidPipe) id: string) {
    return this.config.deleteRule(id);
  }

  @ApiOp({ summary: '告警优先级对照表 / The priority of an alert’s incident by severity and system criticality', ok: { type: 'object' } })
  @Get('priority-map')
  @Allow(...STAFF)
  priorityMap() {
    return this.config.priorityTable();
  }

  @ApiOp({ summary: '替换告警优先级对照表 / Replace the whole priority table', ok: { type: 'object' } })
  @Put('priority-map')
  @Allow('it_manager')
  replacePriorityMap(@Auth() auth: Principal, @Body() dto: PriorityMapDto) {
    return this.config.replacePriorityTable(auth, dto);
  }
}

@ApiTags('alerts')
@Controller('incidents')
export class IncidentAlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @ApiOp({ summary: '工单的告警列表 / The alerts attached to an incident', ok: { type: 'object' }, errors: [404] })
  @Get(':id/alerts')
  @Allow(...STAFF)
  list(@Param('id') id: string) {
    return this.alerts.ofIncident(id);
  }
}

@ApiTags('alerts')
@Controller('changes')
export class ChangeAlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @ApiOp({ summary: '变更维护窗口内收到的告警 / Alerts its maintenance window held back (recorded, no incident)', ok: { type: 'object' }, errors: [404] })
  @Get(':id/alerts')
  @Allow(...STAFF)
  list(@Param('id') id: string) {
    return this.alerts.ofChange(id);
  }
}
