import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { STAFF } from '../auth/roles';
import { ItemMetricsQuery, ListPredictionsQuery } from './monitoring.dto';
import { MonitoringService } from './monitoring.service';

@ApiTags('monitoring')
@Controller('predictions')
export class PredictionsController {
  constructor(private readonly service: MonitoringService) {}

  @Get()
  @Allow(...STAFF)
  @ApiOperation({ summary: '故障预判：各配置项的当前预测与耗尽时间 / fault prediction: current forecasts per item with the time to exhaustion' })
  @ApiOkResponse({ description: '{ horizonHours, items: [{ item, system, forecasts: [{ kind, outcome, exhaustionAt, timeToExhaustionHours, confidence, withinHorizon, fit, … }] }] }' })
  @ApiBadRequestResponse({ description: 'a filter is not valid (the body names it)' })
  @ApiNotFoundResponse({ description: 'no such configuration item' })
  list(@Query() q: ListPredictionsQuery) {
    return this.service.predictions(q);
  }
}

@ApiTags('monitoring')
@Controller('cmdb/items')
export class ItemMetricsController {
  constructor(private readonly service: MonitoringService) {}

  @Get(':ref/metrics')
  @Allow(...STAFF)
  @ApiOperation({ summary: '配置项关键指标曲线（取自 Prometheus）/ a configuration item’s key series for a time range, from Prometheus' })
  @ApiOkResponse({ description: '{ item, from, to, stepSeconds, selectors, series: [{ key, label, unit, metric, points: [[epoch ms, value]] }], missing, errors }' })
  @ApiBadRequestResponse({ description: 'from, to or step is not valid (the body names it)' })
  @ApiNotFoundResponse({ description: 'no such configuration item' })
  @ApiServiceUnavailableResponse({ description: 'no Prometheus configured (MONITORING_NOT_CONFIGURED)' })
  @ApiBadGatewayResponse({ description: 'Prometheus did not answer (PROMETHEUS_UNAVAILABLE)' })
  metrics(@Param('ref') ref: string, @Query() q: ItemMetricsQuery) {
    return this.service.itemMetrics(ref, q);
  }
}
