import { Inject, Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { AlertSource, NormalizedAlert } from '../../domain/alerts/alert';
import { fromAlertmanager, fromGeneric, fromZabbix } from '../../domain/alerts/normalize';
import { GroupOutcome } from '../../persistence/alerts/alert-intake';
import { AlertReceiver } from '../../persistence/alerts/alert-receiver';
import { Principal } from '../auth/principal';
import { CLOCK, Clock } from '../common/tokens';
import { MetricsService } from '../monitoring/metrics.service';
import { AlertmanagerWebhookDto, GenericAlertsDto, ZabbixWebhookDto } from './alerts.dto';

import { ALERT_RECEIVER } from './alert-tokens';

/** Alertmanager writes "no end yet" as the zero time of Go. */
const endsAt = (text: string | undefined): number | null => {
  if (text === undefined) return null;
  const ms = Date.parse(text);
  return ms > 0 ? ms : null;
};

/** The webhooks (P3): each source's payload into one shape, then the shared AlertReceiver; counted and timed. */
@Injectable()
export class AlertIntakeService {
  constructor(
    @Inject(ALERT_RECEIVER) private readonly receiver: AlertReceiver,
    private readonly metrics: MetricsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  alertmanager(auth: Principal, dto: AlertmanagerWebhookDto) {
    return this.take(auth, 'alertmanager', () =>
      fromAlertmanager({
        version: '4',
        groupKey: dto.groupKey,
        status: dto.status,
        receiver: dto.receiver,
        externalURL: dto.externalURL,
        commonLabels: dto.commonLabels,
        alerts: dto.alerts.map((a) => ({
          status: a.status,
          labels: a.labels,
          annotations: a.annotations,
          startsAt: Date.parse(a.startsAt),
          endsAt: endsAt(a.endsAt),
          generatorURL: a.generatorURL,
          fingerprint: a.fingerprint,
        })),
      }),
    );
  }

  zabbix(auth: Principal, dto: ZabbixWebhookDto) {
    return this.take(auth, 'zabbix', () => [
      fromZabbix({
        eventId: dto.eventId,
        status: dto.status,
        severity: dto.severity,
        trigger: dto.trigger,
        host: dto.host,
        eventTime: Date.parse(dto.eventTime),
        recoveryEventId: dto.recoveryEventId,
        recoveryTime: dto.recoveryTime === undefined ? undefined : Date.parse(dto.recoveryTime),
        tags: dto.tags,
        url: dto.url,
      }),
    ]);
  }

  generic(auth: Principal, dto: GenericAlertsDto) {
    return this.take(auth, 'generic', () =>
      dto.alerts.map((a) => fromGeneric({ ...a, startsAt: Date.parse(a.startsAt), endsAt: a.endsAt === undefined ? undefined : Date.parse(a.endsAt) })),
    );
  }

  /** Counts and times every webhook, whatever it did; the answer says what each alert did. */
  private async take(auth: Principal, source: AlertSource, build: () => NormalizedAlert[]) {
    const started = performance.now();
    try {
      const alerts = build();
      const groups = await this.receiver.receive(alerts, { now: this.clock.now(), openedBy: { id: auth.userId, name: auth.displayName } });
      for (const g of groups) for (const o of g.outcomes) this.metrics.alertsReceived.inc({ source, outcome: o.outcome });
      return { accepted: alerts.length, groups: groups.map(mapOutcome) };
    } finally {
      this.metrics.alertIntakeSeconds.observe({ source }, (performance.now() - started) / 1000);
    }
  }
}

function mapOutcome(g: GroupOutcome) {
  return { groupId: g.groupId, groupKey: g.groupKey, incident: g.incident, suppressedBy: g.suppressedBy, alerts: g.outcomes };
}
