import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { STAFF } from '../auth/roles';
import { ApiOp } from '../common/openapi';
import { ItemMetricsQuery, ListPredictionsQuery } from './monitoring.dto';
import { MonitoringService } from './monitoring.service';

const FORECAST = {
  type: 'object',
  properties: {
    seriesKey: { type: 'string' },
    kind: { type: 'string', enum: ['filesystem_fill', 'memory_exhaustion', 'db_connections', 'backup_age'] },
    label: { type: 'object', properties: { zh: { type: 'string' }, en: { type: 'string' } } },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    outcome: { type: 'string', enum: ['trend', 'exhausted', 'no_trend', 'insufficient_data'] },
    withinHorizon: { type: 'boolean' },
    exhaustionAt: { type: 'string', nullable: true, example: '2026-12-02T03:10:00+08:00' },
    timeToExhaustionHours: { type: 'number', nullable: true },
    earliest: { type: 'string', nullable: true },
    latest: { type: 'string', nullable: true },
    confidence: { type: 'number', description: 'r² of the fit, 0..1' },
    method: { type: 'string', enum: ['least_squares', 'holt', 'deadline'] },
    current: { type: 'number' },
    limit: { type: 'number' },
    fit: { type: 'object', nullable: true },
    query: { type: 'string' },
    computedAt: { type: 'string' },
  },
};

@ApiTags('monitoring')
@Controller('predictions')
export class PredictionsController {
  constructor(private readonly service: MonitoringService) {}

  @ApiOp({
    summary: '故障预判：各配置项的当前预测与耗尽时间 / Fault prediction: current forecasts per item with the time to exhaustion',
    ok: {
      type: 'object',
      properties: {
        horizonHours: { type: 'number', example: 72 },
        items: { type: 'array', items: { type: 'object', properties: { item: { type: 'object', nullable: true }, system: { type: 'object', nullable: true }, forecasts: { type: 'array', items: FORECAST } } } },
      },
    },
    errors: [404],
  })
  @Get()
  @Allow(...STAFF)
  list(@Query() q: ListPredictionsQuery) {
    return this.service.predictions(q);
  }
}

@ApiTags('monitoring')
@Controller('cmdb/items')
export class ItemMetricsController {
  constructor(private readonly service: MonitoringService) {}

  @ApiOp({
    summary: '配置项关键指标曲线（取自 Prometheus） / A configuration item’s key series for a time range, from Prometheus',
    description: '503 MONITORING_NOT_CONFIGURED without WARDLINE_PROMETHEUS_URL; 502 PROMETHEUS_UNAVAILABLE when it does not answer.',
    ok: {
      type: 'object',
      properties: {
        item: { type: 'object' },
        from: { type: 'string' },
        to: { type: 'string' },
        stepSeconds: { type: 'number' },
        selectors: { type: 'array', items: { type: 'string' } },
        series: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              key: { type: 'string' },
              label: { type: 'object' },
              unit: { type: 'string' },
              metric: { type: 'object', additionalProperties: { type: 'string' } },
              points: { type: 'array', items: { type: 'array', items: { type: 'number', nullable: true }, example: [1764486000000, 42.5] } },
            },
          },
        },
        missing: { type: 'array', items: { type: 'string' } },
        errors: { type: 'array', items: { type: 'string' } },
      },
    },
    errors: [404, 502, 503],
  })
  @Get(':ref/metrics')
  @Allow(...STAFF)
  metrics(@Param('ref') ref: string, @Query() q: ItemMetricsQuery) {
    return this.service.itemMetrics(ref, q);
  }
}
