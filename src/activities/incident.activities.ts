import { DataSource } from 'typeorm';
import type { IncidentClocks, IncidentView, TimelineEvent } from '../domain/incident-process';
import type { ClockKind } from '../domain/sla-policy';
import { TemplateData, TemplateName, TemplateRenderer } from '../infra/templates';
import { writeIncidentProjection } from '../persistence/incident-projection';
import { recordInAppNotification } from '../persistence/notification-store';
import { CLOCK_LABELS, Locale, STATE_LABELS, TIER_LABELS } from '../shared/labels';

export interface IncidentActivityDeps {
  dataSource: DataSource;
  templates: TemplateRenderer;
  locale: Locale;
}

export type IncidentNotice =
  | { event: 'incident_opened' | 'incident_assigned'; seq: number; view: IncidentView; systemName: string; recipientId: string | null }
  | {
      event: 'sla_warning' | 'sla_breached';
      seq: number;
      view: IncidentView;
      systemName: string;
      recipientId: string | null;
      clock: ClockKind;
      fraction?: number;
      deadline: number;
    };

/** Breaches reach the vendor's project manager and the hospital's dispatchers as well as the engineer (S10, S12). */
const BREACH_ROLES = ['project_manager', 'dispatcher'];

export function createIncidentActivities(deps: IncidentActivityDeps) {
  const render = <N extends TemplateName>(name: N, data: TemplateData[N]) => deps.templates.render(deps.locale, name, data);

  function message(n: IncidentNotice) {
    const v = n.view;
    const header = { number: v.number, systemName: n.systemName, title: v.title };
    const assigneeName = v.assignee?.name ?? null;
    const stateLabel = STATE_LABELS[deps.locale][v.state];
    switch (n.event) {
      case 'incident_opened':
        return render('incident-opened', {
          ...header,
          priority: v.priority,
          tierLabel: TIER_LABELS[deps.locale][v.tier],
          reportedAt: v.reportedAt,
          respondDue: v.clocks.respond.deadline ?? v.reportedAt,
          onSiteDue: v.clocks.on_site.deadline ?? v.reportedAt,
          repairDue: v.clocks.repair.deadline ?? v.reportedAt,
          assigneeName,
        });
      case 'incident_assigned':
        return render('incident-assigned', {
          ...header,
          assigneeName: assigneeName ?? '',
          stateLabel,
          repairDue: v.clocks.repair.deadline ?? v.reportedAt,
        });
      case 'sla_warning':
        return render('sla-warning', {
          ...header,
          clockLabel: CLOCK_LABELS[deps.locale][n.clock],
          percent: Math.round((n.fraction ?? 0) * 100),
          deadline: n.deadline,
          stateLabel,
          assigneeName,
        });
      case 'sla_breached':
        return render('sla-breached', { ...header, clockLabel: CLOCK_LABELS[deps.locale][n.clock], deadline: n.deadline, stateLabel, assigneeName });
    }
  }

  return {
    async projectIncident(input: { view: IncidentView; clocks: IncidentClocks; event: TimelineEvent }): Promise<void> {
      await writeIncidentProjection(deps.dataSource, input);
    },

    /** Records in-app notifications; the key (incident, seq, event, recipient) makes a retry send nothing twice. */
    async notifyIncident(n: IncidentNotice): Promise<number> {
      const { title, body } = message(n);
      const base = `incident:${n.view.incidentId}:${n.seq}:${n.event}`;
      const recipients: { id: string | null; role: string | null }[] = [];
      if (n.recipientId) recipients.push({ id: n.recipientId, role: null });
      if (n.event === 'sla_breached' || (n.event === 'incident_opened' && !n.recipientId)) {
        for (const role of n.event === 'sla_breached' ? BREACH_ROLES : ['dispatcher', 'project_manager']) recipients.push({ id: null, role });
      }
      let written = 0;
      for (const r of recipients) {
        const created = await recordInAppNotification(deps.dataSource, {
          idempotencyKey: `${base}:${r.id ?? `role:${r.role}`}`,
          incidentId: n.view.incidentId,
          event: n.event,
          recipientId: r.id,
          recipientRole: r.role,
          locale: deps.locale,
          title,
          body,
        });
        if (created) written++;
      }
      return written;
    },
  };
}
