import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { MetricsService } from './metrics.service';

@ApiTags('monitoring')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** For Prometheus (monitoring/prometheus.yml, job `wardline`), with an integration user's token. */
  @Get()
  @Allow('integration')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Wardline 自身指标（Prometheus 文本格式）/ Wardline’s own metrics in the Prometheus text format' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'alert intake counts and latency, open incidents by state, SLA warnings and breaches, notification failures, process metrics' })
  scrape(): Promise<string> {
    return this.metrics.text();
  }
}
