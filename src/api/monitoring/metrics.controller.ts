import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { ApiOp } from '../common/openapi';
import { MetricsService } from './metrics.service';

@ApiTags('monitoring')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** For Prometheus (monitoring/prometheus.yml, job `wardline`), with an integration user's token. */
  @ApiOp({
    summary: 'Wardline 自身指标（Prometheus 文本格式） / Wardline’s own metrics in the Prometheus text format',
    description: 'alert intake counts and latency, open incidents by state, SLA warnings and breaches, notification failures, process metrics',
    ok: { type: 'string', example: 'wardline_incidents_open{state="reported",priority="P1"} 1' },
    produces: 'text/plain',
  })
  @Get()
  @Allow('integration')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.text();
  }
}
