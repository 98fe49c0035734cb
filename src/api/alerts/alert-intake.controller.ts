import { Body, CallHandler, Controller, ExecutionContext, HttpCode, Injectable, NestInterceptor, Post, UseInterceptors } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Observable, catchError, throwError } from 'rxjs';
import { AlertSource } from '../../domain/alerts/alert';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { Idempotent } from '../common/idempotency';
import { ApiOp } from '../common/openapi';
import { MetricsService } from '../monitoring/metrics.service';
import { AlertmanagerWebhookDto, GenericAlertsDto, ZabbixWebhookDto } from './alerts.dto';
import { AlertIntakeService } from './alert-intake.service';

const INTAKE_ANSWER = {
  type: 'object',
  properties: {
    accepted: { type: 'integer', description: 'alerts in the payload' },
    groups: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          groupId: { type: 'string' },
          groupKey: { type: 'string' },
          incident: { type: 'object', nullable: true, properties: { id: { type: 'string' }, number: { type: 'string' }, action: { type: 'string', enum: ['opened', 'signalled', 'none'] } } },
          suppressedBy: { type: 'array', items: { type: 'string' }, description: 'changes whose open maintenance window held the alerts back (S4)' },
          alerts: {
            type: 'array',
            items: { type: 'object', properties: { fingerprint: { type: 'string' }, outcome: { type: 'string', enum: ['opened', 'attached', 'refired', 'repeat', 'resolved', 'suppressed', 'stale', 'recorded'] } } },
          },
        },
      },
    },
  },
};

/** A webhook the intake refused (400, 413 is counted by the body limit) still shows on /metrics as `rejected`. */
@Injectable()
export class RejectedAlertsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MetricsService) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const source = sourceOfPath(ctx.switchToHttp().getRequest<{ path?: string }>().path ?? '');
    return next.handle().pipe(
      catchError((err: { status?: number; getStatus?: () => number }) => {
        const status = typeof err?.getStatus === 'function' ? err.getStatus() : err?.status;
        if (typeof status === 'number' && status >= 400 && status < 500 && status !== 401 && status !== 403) this.metrics.alertsReceived.inc({ source, outcome: 'rejected' });
        return throwError(() => err);
      }),
    );
  }
}

export function sourceOfPath(path: string): AlertSource {
  if (path.endsWith('/alertmanager')) return 'alertmanager';
  if (path.endsWith('/zabbix')) return 'zabbix';
  return 'generic';
}

@ApiTags('alerts')
@Controller('alerts')
export class AlertIntakeController {
  constructor(private readonly alerts: AlertIntakeService) {}

  @ApiOp({
    summary: '接收 Alertmanager 告警（webhook 第 4 版） / Receive Alertmanager alerts (webhook version 4)',
    description:
      'One alert group (groupKey) is one incident on the mapped system; repeats join it; all resolved before acknowledgement marks it recovered. ' +
      'Replays and retries open nothing twice. Body at most 1 MB (413).',
    ok: INTAKE_ANSWER,
    errors: [413],
  })
  @Post('alertmanager')
  @HttpCode(200)
  @Allow('integration')
  @Idempotent()
  @UseInterceptors(RejectedAlertsInterceptor)
  alertmanager(@Auth() auth: Principal, @Body() dto: AlertmanagerWebhookDto) {
    return this.alerts.alertmanager(auth, dto);
  }

  @ApiOp({
    summary: '接收 Zabbix 告警（webhook 媒介） / Receive a Zabbix problem or its recovery (webhook media type)',
    description: 'The payload of monitoring/zabbix/wardline-media-type.yaml; the group is the mapped system plus the trigger name. Body at most 1 MB (413).',
    ok: INTAKE_ANSWER,
    errors: [413],
  })
  @Post('zabbix')
  @HttpCode(200)
  @Allow('integration')
  @Idempotent()
  @UseInterceptors(RejectedAlertsInterceptor)
  zabbix(@Auth() auth: Principal, @Body() dto: ZabbixWebhookDto) {
    return this.alerts.zabbix(auth, dto);
  }

  @ApiOp({
    summary: '接收通用 JSON 告警 / Receive alerts as generic JSON',
    description: '`{ alerts: [{ id?, alertname, status, severity?, summary?, labels?, startsAt, endsAt?, group? }] }`; without `group`, the group is the mapped system plus alertname. Body at most 1 MB (413).',
    ok: INTAKE_ANSWER,
    errors: [413],
  })
  @Post()
  @HttpCode(200)
  @Allow('integration')
  @Idempotent()
  @UseInterceptors(RejectedAlertsInterceptor)
  generic(@Auth() auth: Principal, @Body() dto: GenericAlertsDto) {
    return this.alerts.generic(auth, dto);
  }

}
