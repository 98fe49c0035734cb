import { ApplicationFailure } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import type { NotificationChannel, OutboundMessage, OutboundRecipient } from '../adapters/notify/channel';
import { foldIntoDigest } from '../adapters/notify/digest';
import { WECOM_MARKDOWN_MAX_BYTES } from '../adapters/notify/wecom';
import { SUPPORT_TYPE_ZH, SupportType } from '../domain/support/support-request';
import { MINUTE_MS } from '../domain/time';
import { signAckLink } from '../infra/ack-links';
import { RenderedMessage, TemplateRenderer } from '../infra/templates';
import { recordInAppNotification } from '../persistence/notification-store';
import { updateReturning } from '../persistence/sql';
import { CLOCK_LABELS, DECISION_LABELS, DELIVERY_CHANNEL_LABELS, Locale, RISK_LABELS, STATE_LABELS, TIER_LABELS } from '../shared/labels';
import { NO_CONTACTS_LABELS, escalationReasonText } from '../shared/timeline-labels';
import {
  DeliveryChannel,
  NotifyRequest,
  NotifySubject,
  PlannedDelivery,
  ROBOT_OUTBOX_WORKFLOW_TYPE,
  RobotOutboxInput,
  RecipientRef,
  robotEnqueueSignal,
  robotOutboxWorkflowId,
} from '../shared/notify-messages';

export interface NotifyActivityDeps {
  dataSource: DataSource;
  templates: TemplateRenderer;
  locale: Locale;
  utcOffsetMinutes: number;
  /** Configured outbound channels; a channel left out is skipped in everyone's list. */
  channels: Partial<Record<Exclude<DeliveryChannel, 'in_app'>, NotificationChannel>>;
  temporal: Client;
  taskQueue: string;
  robotLimit: { limit: number; windowMs: number };
  /** Where people open Wardline; acknowledgement links start here. */
  publicUrl: string;
  linkSecret: () => Promise<string>;
  now?: () => number;
}

type OutboundChannel = Exclude<DeliveryChannel, 'in_app'>;
/** Channels whose receivers honour the idempotency key; the others are never resent once a send may have happened. */
const IDEMPOTENT_CHANNELS: OutboundChannel[] = ['webhook'];

interface Addressee {
  kind: RecipientRef['kind'];
  id: string;
  label: string;
  address: OutboundRecipient;
  channels: OutboundChannel[];
  quiet: { start: string; end: string } | null;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** Whether `at` falls in a person's quiet hours (a window that may wrap past midnight), in the contract's zone. */
export function inQuietHours(quiet: { start: string; end: string } | null, at: number, utcOffsetMinutes: number): boolean {
  if (!quiet) return false;
  const local = new Date(at + utcOffsetMinutes * MINUTE_MS);
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  return start <= end ? minute >= start && minute < end : minute >= start || minute < end;
}

export function createNotifyActivities(deps: NotifyActivityDeps) {
  const ds = deps.dataSource;
  const now = deps.now ?? (() => Date.now());

  async function usersOf(ids: string[]): Promise<Addressee[]> {
    if (ids.length === 0) return [];
    const rows = await ds.query(
      `SELECT u.id, u.display_name, u.email, u.phone, c.channels, c.wecom_robot_key, c.dingtalk_token, c.dingtalk_secret,
              c.webhook_url, c.quiet_start, c.quiet_end
         FROM users u LEFT JOIN user_channels c ON c.user_id = u.id WHERE u.id = ANY($1::uuid[]) AND u.active`,
      [ids],
    );
    return rows.map((r: Record<string, any>) => {
      const address: OutboundRecipient = {
        name: r.display_name,
        email: r.email ?? undefined,
        phone: r.phone ?? undefined,
        webhookUrl: r.webhook_url ?? undefined,
      };
      const chosen: OutboundChannel[] = ((r.channels as string[] | null) ?? []).filter((c): c is OutboundChannel => c !== 'in_app');
      return {
        kind: 'user' as const,
        id: r.id,
        label: r.display_name,
        address,
        channels: chosen,
        quiet: r.quiet_start && r.quiet_end ? { start: r.quiet_start, end: r.quiet_end } : null,
      };
    });
  }

  async function contactsOf(ids: string[]): Promise<Addressee[]> {
    if (ids.length === 0) return [];
    const rows = await ds.query(
      `SELECT c.id, c.name, c.email, c.phone, c.wecom_robot_key, c.dingtalk_token, c.webhook_url, v.name AS vendor
         FROM vendor_contacts c JOIN vendors v ON v.id = c.vendor_id WHERE c.id = ANY($1::uuid[]) AND c.active`,
      [ids],
    );
    return rows.map((r: Record<string, any>) => {
      // A vendor contact is reached by every way they gave, robots first (fastest to be seen).
      const channels: OutboundChannel[] = [];
      if (r.wecom_robot_key) channels.push('wecom');
      if (r.dingtalk_token) channels.push('dingtalk');
      if (r.email) channels.push('email');
      if (r.phone) channels.push('sms');
      if (r.webhook_url) channels.push('webhook');
      return {
        kind: 'contact' as const,
        id: r.id,
        label: `${r.vendor} ${r.name}`,
        address: { name: r.name, email: r.email ?? undefined, phone: r.phone ?? undefined, webhookUrl: r.webhook_url ?? undefined },
        channels,
        quiet: null,
      };
    });
  }

  async function resolveRecipients(refs: RecipientRef[]): Promise<Addressee[]> {
    const userIds = new Set<string>();
    const roleOnly: Addressee[] = [];
    for (const r of refs.filter((r): r is Extract<RecipientRef, { kind: 'role' }> => r.kind === 'role')) {
      const members: { id: string }[] = await ds.query(`SELECT id FROM users WHERE active AND $1 = ANY(roles)`, [r.role]);
      // A role nobody holds still gets an in-app record, so the message is not lost.
      if (members.length === 0) roleOnly.push({ kind: 'role', id: r.role, label: r.role, address: {}, channels: [], quiet: null });
      members.forEach((m) => userIds.add(m.id));
    }
    refs.filter((r) => r.kind === 'user').forEach((r) => userIds.add((r as { id: string }).id));
    const contactIds = [...new Set(refs.filter((r) => r.kind === 'contact').map((r) => (r as { id: string }).id))];
    return [...(await usersOf([...userIds])), ...(await contactsOf(contactIds)), ...roleOnly];
  }

  function incidentHeader(s: Extract<NotifySubject, { view: unknown }>) {
    return { number: s.view.number, systemName: s.systemName, title: s.view.title };
  }

  /** Picks the template for what happened and renders it in the reader's language (templates/notify). */
  async function render(subject: NotifySubject, recipient: { kind: RecipientRef['kind']; id: string }): Promise<RenderedMessage> {
    const L = deps.locale;
    const r = <N extends Parameters<TemplateRenderer['render']>[1]>(name: N, data: Parameters<TemplateRenderer['render']>[2] & object) =>
      deps.templates.render(L, name, data as never);
    switch (subject.kind) {
      case 'incident_opened': {
        const v = subject.view;
        return r('incident-opened', {
          ...incidentHeader(subject),
          priority: v.priority,
          tierLabel: TIER_LABELS[L][v.tier],
          reportedAt: v.reportedAt,
          respondDue: v.clocks.respond.deadline ?? v.reportedAt,
          onSiteDue: v.clocks.on_site.deadline ?? v.reportedAt,
          repairDue: v.clocks.repair.deadline ?? v.reportedAt,
          assigneeName: v.assignee?.name ?? null,
        });
      }
      case 'incident_assigned':
        return r('incident-assigned', {
          ...incidentHeader(subject),
          assigneeName: subject.view.assignee?.name ?? '',
          stateLabel: STATE_LABELS[L][subject.view.state],
          repairDue: subject.view.clocks.repair.deadline ?? subject.view.reportedAt,
        });
      case 'incident_resolved':
        return r('incident-resolved', {
          ...incidentHeader(subject),
          cause: subject.view.resolution?.cause ?? '',
          fix: subject.view.resolution?.fix ?? '',
        });
      case 'incident_recovered':
        return r('incident-recovered', { ...incidentHeader(subject), alerts: subject.alerts });
      case 'incident_reopened':
        return r('incident-reopened', {
          ...incidentHeader(subject),
          reason: subject.reason ?? '',
          repairDue: subject.view.clocks.repair.deadline ?? subject.view.reportedAt,
        });
      case 'sla_warning':
        return r('sla-warning', {
          ...incidentHeader(subject),
          clockLabel: CLOCK_LABELS[L][subject.clock],
          percent: Math.round((subject.fraction ?? 0) * 100),
          deadline: subject.deadline,
          stateLabel: STATE_LABELS[L][subject.view.state],
          assigneeName: subject.view.assignee?.name ?? null,
        });
      case 'sla_breached':
        return r('sla-breached', {
          ...incidentHeader(subject),
          clockLabel: CLOCK_LABELS[L][subject.clock],
          deadline: subject.deadline,
          stateLabel: STATE_LABELS[L][subject.view.state],
          assigneeName: subject.view.assignee?.name ?? null,
        });
      case 'change_review_requested':
      case 'change_review_reminder':
      case 'change_review_escalated':
        return r('change-review-requested', {
          changeNumber: subject.changeNumber,
          systemName: subject.systemName,
          title: subject.title,
          riskLabel: RISK_LABELS[L][subject.risk] ?? subject.risk,
          revision: subject.revision,
          dueAt: subject.dueAt,
          reminder: subject.kind === 'change_review_reminder',
          escalated: subject.kind === 'change_review_escalated',
        });
      case 'change_review_decided':
        return r('change-review-decided', {
          changeNumber: subject.changeNumber,
          systemName: subject.systemName,
          title: subject.title,
          decisionLabel: DECISION_LABELS[L][subject.decision ?? ''] ?? String(subject.decision),
          revision: subject.revision,
          comment: subject.comment,
        });
      case 'modification_delivery_warning':
      case 'modification_delivery_breached':
      case 'modification_maintenance_ending':
        return r('modification-notice', {
          modificationNumber: subject.modificationNumber,
          systemName: subject.systemName,
          title: subject.title,
          breached: subject.kind === 'modification_delivery_breached',
          ending: subject.kind === 'modification_maintenance_ending',
          percent: subject.percent ?? 0,
          deadline: subject.deadline,
        });
      case 'monthly_report_published':
        return r('monthly-report-published', {
          month: subject.month,
          title: subject.title,
          incidents: subject.incidents,
          breaches: subject.breaches,
          respondRate: subject.respondRate,
          publishedBy: subject.publishedBy,
          link: `${deps.publicUrl.replace(/\/$/, '')}${subject.link}`,
        });
      case 'problem_proposed':
        return r('problem-proposed', {
          number: subject.number,
          systemName: subject.systemName,
          title: subject.title,
          summary: subject.summary,
          incidents: subject.incidents.join(L === 'zh-CN' ? '、' : ', '),
          link: `${deps.publicUrl.replace(/\/$/, '')}/problems/${subject.number}`,
        });
      case 'support_warning':
      case 'support_breached':
        return r('support-clock', {
          number: subject.number,
          systemName: subject.systemName,
          title: subject.title,
          typeLabel: L === 'zh-CN' ? (SUPPORT_TYPE_ZH[subject.type as SupportType] ?? subject.type) : subject.type.replace(/_/g, ' '),
          dueAt: subject.dueAt,
          percent: subject.percent,
          breached: subject.kind === 'support_breached',
          assigneeName: subject.assigneeName,
          link: `${deps.publicUrl.replace(/\/$/, '')}/support-requests/${subject.number}`,
        });
      case 'contact_unreachable': {
        // Only the original's title: its body may hold the contact's acknowledgement link, a credential.
        const original = await render(subject.original, { kind: 'contact', id: subject.contact.id });
        return r('contact-unreachable', {
          contactLabel: subject.contact.label,
          originalTitle: original.title,
          tried: subject.tried.map((c) => DELIVERY_CHANNEL_LABELS[L][c as DeliveryChannel] ?? c).join(L === 'zh-CN' ? '、' : ', '),
        });
      }
      default: {
        const header = { incidentNumber: subject.incidentNumber, systemName: subject.systemName, title: subject.title };
        switch (subject.kind) {
          case 'escalated_to_vendor': {
            const reason = escalationReasonText(L, subject.trigger ?? 'manual', { share: subject.share, reason: subject.reason });
            let ackLink: string | null = null;
            if (recipient.kind === 'contact' && subject.level > 0 && subject.levelStartedAt !== null) {
              const token = signAckLink(
                {
                  escalationId: subject.escalationId,
                  contactId: recipient.id,
                  level: subject.level,
                  expiresAt: subject.levelStartedAt + subject.linkTtlMinutes * MINUTE_MS,
                },
                await deps.linkSecret(),
              );
              ackLink = `${deps.publicUrl.replace(/\/$/, '')}/vendor-ack/${token}`;
            }
            return r('escalated-to-vendor', {
              ...header,
              level: subject.level,
              reason,
              ackLink,
              linkTtlHours: Math.round((subject.linkTtlMinutes / 60) * 10) / 10,
            });
          }
          case 'vendor_on_site':
            return r('vendor-on-site', { ...header, arrivedBy: subject.arrivedBy ?? '', arrivedAt: subject.arrivedAt ?? 0 });
          case 'vendor_acknowledged':
            return r('vendor-acknowledged', { ...header, acknowledgedBy: subject.acknowledgedBy ?? '', promisedOnSiteAt: subject.promisedOnSiteAt ?? null });
          case 'vendor_promise_missed':
            return r('vendor-promise-missed', { ...header, acknowledgedBy: subject.acknowledgedBy ?? '', promisedOnSiteAt: subject.promisedOnSiteAt ?? 0 });
          case 'escalation_resolved':
            return r('escalation-resolved', header);
          case 'escalation_cancelled':
            return r('escalation-cancelled', header);
          case 'escalation_no_contacts': {
            const why = subject.noContacts ?? { code: 'no_vendor' as const, vendorName: null };
            return r('escalation-no-contacts', {
              ...header,
              reason: escalationReasonText(L, subject.trigger ?? 'manual', { share: subject.share, reason: subject.reason }),
              detail: NO_CONTACTS_LABELS[L][why.code](why.vendorName ?? ''),
            });
          }
        }
      }
    }
  }

  /** The stored copy of a message: acknowledgement links are credentials, so the log keeps them masked. */
  const redact = (text: string) => text.replace(/\/vendor-ack\/[A-Za-z0-9._-]+/g, '/vendor-ack/…');

  async function upsertDelivery(
    key: string,
    request: NotifyRequest,
    recipient: PlannedDelivery['recipient'],
    channel: DeliveryChannel,
    message: RenderedMessage,
    status: 'pending' | 'sent' | 'suppressed' | 'undeliverable',
    fallbackOf: string | null,
  ): Promise<{ id: string; status: string }> {
    await ds.query(
      `INSERT INTO notification_deliveries (idempotency_key, process_id, incident_id, event, recipient_kind, recipient_id, recipient_label,
         channel, status, title, body, fallback_of, sent_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12, CASE WHEN $9 = 'sent' THEN now() END) ON CONFLICT (idempotency_key) DO NOTHING`,
      [
        key,
        request.processId,
        request.incidentId,
        request.subject.kind,
        recipient.kind,
        recipient.id,
        recipient.label,
        channel,
        status,
        redact(message.title),
        redact(message.body),
        fallbackOf,
      ],
    );
    const [row] = await ds.query(`SELECT id, status FROM notification_deliveries WHERE idempotency_key = $1`, [key]);
    return row;
  }

  async function enqueueRobot(channel: 'wecom' | 'dingtalk', ownerKind: 'user' | 'contact', ownerId: string, deliveryId: string) {
    const input: RobotOutboxInput = { channel, ownerKind, ownerId, limit: deps.robotLimit.limit, windowMs: deps.robotLimit.windowMs };
    await deps.temporal.workflow.signalWithStart(ROBOT_OUTBOX_WORKFLOW_TYPE, {
      workflowId: robotOutboxWorkflowId(channel, ownerKind, ownerId),
      taskQueue: deps.taskQueue,
      args: [input],
      signal: robotEnqueueSignal,
      signalArgs: [deliveryId],
    });
  }

  async function robotCredentials(channel: 'wecom' | 'dingtalk', ownerKind: 'user' | 'contact', ownerId: string): Promise<OutboundRecipient> {
    const table = ownerKind === 'user' ? 'user_channels' : 'vendor_contacts';
    const idColumn = ownerKind === 'user' ? 'user_id' : 'id';
    const [row] = await ds.query(`SELECT wecom_robot_key, dingtalk_token, dingtalk_secret FROM ${table} WHERE ${idColumn} = $1`, [ownerId]);
    if (!row) return {};
    return channel === 'wecom'
      ? { robotKey: row.wecom_robot_key ?? undefined }
      : { robotKey: row.dingtalk_token ?? undefined, robotSecret: row.dingtalk_secret ?? undefined };
  }

  /** A message that could not reach anyone outside still lands in Wardline: the person's own, or the PM's for a contact. */
  async function inAppFallback(key: string, request: { incidentId: string | null; event: string }, recipient: PlannedDelivery['recipient'], m: RenderedMessage) {
    const forContact = recipient.kind === 'contact';
    await recordInAppNotification(ds, {
      idempotencyKey: `${key}:in_app`,
      incidentId: request.incidentId,
      event: request.event,
      recipientId: recipient.kind === 'user' ? recipient.id : null,
      recipientRole: recipient.kind === 'role' ? recipient.id : forContact ? 'project_manager' : null,
      locale: deps.locale,
      title: forContact ? `${deps.locale === 'zh-CN' ? '【未送达】' : '[Undelivered] '}${recipient.label}: ${m.title}` : m.title,
      body: redact(m.body),
    });
  }

  /** A robot that keeps failing: the messages are recorded as failed and fall back to Wardline's in-app record. */
  async function failRobotBatch(input: { deliveryIds: string[]; error: string }): Promise<void> {
    const rows = await updateReturning(
      ds,
      `UPDATE notification_deliveries SET status = 'failed', last_error = $2, updated_at = now() WHERE id = ANY($1::uuid[]) AND status <> 'sent'
       RETURNING idempotency_key, incident_id, event, recipient_kind, recipient_id, recipient_label, title, body`,
      [input.deliveryIds, input.error],
    );
    for (const r of rows) {
      await inAppFallback(
        r.idempotency_key,
        { incidentId: r.incident_id, event: r.event },
        { kind: r.recipient_kind, id: r.recipient_id, label: r.recipient_label },
        { title: r.title, body: r.body },
      );
    }
  }

  return {
    /** Who gets this, by which channels, in order; quiet hours hold back outbound channels unless it is urgent. */
    async planDeliveries(request: NotifyRequest): Promise<PlannedDelivery[]> {
      const at = now();
      const seen = new Set<string>();
      const plan: PlannedDelivery[] = [];
      for (const a of await resolveRecipients(request.recipients)) {
        const id = `${a.kind}:${a.id}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const configured = a.channels.filter((c) => deps.channels[c]);
        const quiet = !request.urgent && inQuietHours(a.quiet, at, deps.utcOffsetMinutes);
        plan.push({
          key: `${request.processId}:${request.step}:${id}`,
          recipient: { kind: a.kind, id: a.id, label: a.label },
          channels: [...(quiet ? [] : configured), 'in_app'],
          suppressed: quiet && configured.length > 0 ? `quiet hours ${a.quiet!.start}–${a.quiet!.end}` : null,
        });
      }
      return plan;
    },

    /**
     * Sends one delivery over one channel, once: the log row is keyed by (process, step, recipient, channel).
     * A row left in `sending` means a worker stopped between sending and recording; a channel that cannot
     * deduplicate is then marked `unconfirmed` instead of being sent twice.
     */
    async sendDelivery(input: { request: NotifyRequest; delivery: PlannedDelivery; channel: DeliveryChannel; fallbackOf: string | null }): Promise<string> {
      const { request, delivery, channel } = input;
      const key = `${delivery.key}:${channel}`;
      const message = await render(request.subject, delivery.recipient);
      if (channel === 'in_app' && delivery.recipient.kind === 'contact') {
        // A vendor contact has no Wardline inbox: a copy there reaches nobody. Recorded as undeliverable, and the
        // workflow tells the project manager at once (issue 9).
        await upsertDelivery(key, request, delivery.recipient, 'in_app', message, 'undeliverable', input.fallbackOf);
        await ds.query(`UPDATE notification_deliveries SET last_error = $2 WHERE idempotency_key = $1 AND last_error IS NULL`, [
          key,
          'no channel reaches this vendor contact; the project manager was told',
        ]);
        return 'undeliverable';
      }
      if (channel === 'in_app') {
        await inAppFallback(delivery.key, { incidentId: request.incidentId, event: request.subject.kind }, delivery.recipient, message);
        const row = await upsertDelivery(key, request, delivery.recipient, 'in_app', message, 'sent', input.fallbackOf);
        if (delivery.suppressed) {
          await ds.query(`UPDATE notification_deliveries SET last_error = $2 WHERE id = $1 AND last_error IS NULL`, [row.id, `outbound held back: ${delivery.suppressed}`]);
        }
        return 'sent';
      }
      const row = await upsertDelivery(key, request, delivery.recipient, channel, message, 'pending', input.fallbackOf);
      if (['sent', 'queued', 'unconfirmed'].includes(row.status)) return row.status;
      if (row.status === 'failed') throw ApplicationFailure.nonRetryable(`delivery ${key} already failed`, 'CHANNEL_REJECTED');
      if (row.status === 'sending' && !IDEMPOTENT_CHANNELS.includes(channel)) {
        await ds.query(
          `UPDATE notification_deliveries SET status = 'unconfirmed', updated_at = now(),
             last_error = 'stopped between sending and recording; not resent, to avoid a duplicate' WHERE id = $1`,
          [row.id],
        );
        return 'unconfirmed';
      }
      const driver = deps.channels[channel];
      if (!driver) {
        await ds.query(`UPDATE notification_deliveries SET status = 'failed', last_error = 'channel not configured', updated_at = now() WHERE id = $1`, [row.id]);
        throw ApplicationFailure.nonRetryable(`channel ${channel} is not configured`, 'CHANNEL_MISCONFIGURED');
      }
      await ds.query(`UPDATE notification_deliveries SET status = 'sending', attempts = attempts + 1, updated_at = now() WHERE id = $1`, [row.id]);
      if (channel === 'wecom' || channel === 'dingtalk') {
        // Robots take 20 messages a minute: their own outbox workflow paces them and folds bursts.
        await enqueueRobot(channel, delivery.recipient.kind as 'user' | 'contact', delivery.recipient.id, row.id);
        await ds.query(`UPDATE notification_deliveries SET status = 'queued', updated_at = now() WHERE id = $1`, [row.id]);
        return 'queued';
      }
      const recipient = (await (delivery.recipient.kind === 'user' ? usersOf([delivery.recipient.id]) : contactsOf([delivery.recipient.id])))[0];
      const outbound: OutboundMessage = { title: message.title, body: message.body, idempotencyKey: key, recipient: recipient?.address ?? {} };
      const result = await driver.send(outbound);
      if (result.ok) {
        await ds.query(
          `UPDATE notification_deliveries SET status = 'sent', sent_at = now(), provider_response = $2, last_error = NULL, updated_at = now() WHERE id = $1`,
          [row.id, result.providerResponse],
        );
        return 'sent';
      }
      await ds.query(
        `UPDATE notification_deliveries SET status = 'pending', last_error = $2, provider_response = $3, updated_at = now() WHERE id = $1`,
        [row.id, result.error ?? 'failed', result.providerResponse],
      );
      throw ApplicationFailure.create({
        type: result.retryable ? 'CHANNEL_RETRYABLE' : 'CHANNEL_REJECTED',
        message: `${channel}: ${result.error ?? result.providerResponse}`,
        nonRetryable: !result.retryable,
      });
    },

    /** A channel gave up: recorded as failed; the id links the fallback delivery to it. */
    async recordDeliveryFailure(input: { key: string; channel: DeliveryChannel; error: string }): Promise<string | null> {
      const rows = await updateReturning(
        ds,
        `UPDATE notification_deliveries SET status = 'failed', last_error = $2, updated_at = now()
          WHERE idempotency_key = $1 AND status NOT IN ('sent', 'queued') RETURNING id`,
        [`${input.key}:${input.channel}`, input.error],
      );
      if (rows.length > 0) return rows[0].id;
      const [existing] = await ds.query(`SELECT id FROM notification_deliveries WHERE idempotency_key = $1`, [`${input.key}:${input.channel}`]);
      return existing?.id ?? null;
    },

    /** Sends queued robot messages: one as it is, several folded into one digest so nothing is lost. */
    async sendRobotBatch(input: { channel: 'wecom' | 'dingtalk'; ownerKind: 'user' | 'contact'; ownerId: string; deliveryIds: string[] }): Promise<number> {
      // Rows a previous attempt left in `sending` may have reached the group already: not resent (robots cannot deduplicate).
      await ds.query(
        `UPDATE notification_deliveries SET status = 'unconfirmed', updated_at = now(),
           last_error = 'stopped between sending and recording; not resent, to avoid a duplicate'
         WHERE id = ANY($1::uuid[]) AND status = 'sending' AND channel IN ('wecom', 'dingtalk')`,
        [input.deliveryIds],
      );
      const rows = await updateReturning<{ id: string; title: string; body: string; idempotency_key: string }>(
        ds,
        `UPDATE notification_deliveries SET status = 'sending', attempts = attempts + 1, updated_at = now()
          WHERE id = ANY($1::uuid[]) AND status = 'queued' RETURNING id, title, body, idempotency_key, created_at`,
        [input.deliveryIds],
      );
      rows.sort((a, b) => input.deliveryIds.indexOf(a.id) - input.deliveryIds.indexOf(b.id));
      if (rows.length === 0) return 0;
      const driver = deps.channels[input.channel];
      const credentials = await robotCredentials(input.channel, input.ownerKind, input.ownerId);
      const messages: OutboundMessage[] = rows.map((r) => ({ title: r.title, body: r.body, idempotencyKey: r.idempotency_key, recipient: credentials }));
      const outbound = messages.length === 1 ? messages[0] : foldIntoDigest(messages, WECOM_MARKDOWN_MAX_BYTES);
      const result = driver
        ? await driver.send({ ...outbound, recipient: credentials })
        : { ok: false, retryable: false, providerResponse: 'channel not configured', error: 'channel not configured' };
      const ids = rows.map((r) => r.id);
      if (result.ok) {
        await ds.query(
          `UPDATE notification_deliveries SET status = 'sent', sent_at = now(), provider_response = $2, updated_at = now(),
             digest_id = CASE WHEN cardinality($1::uuid[]) > 1 THEN ($1::uuid[])[1] END WHERE id = ANY($1::uuid[])`,
          [ids, result.providerResponse],
        );
        return rows.length;
      }
      // Nothing was taken: back to the queue for the retry.
      await ds.query(`UPDATE notification_deliveries SET status = 'queued', last_error = $2, provider_response = $3, updated_at = now() WHERE id = ANY($1::uuid[])`, [
        ids,
        result.error ?? 'failed',
        result.providerResponse,
      ]);
      if (result.retryable) throw ApplicationFailure.retryable(`${input.channel}: ${result.error ?? result.providerResponse}`, result.rateLimited ? 'RATE_LIMITED' : 'CHANNEL_RETRYABLE');
      await failRobotBatch({ deliveryIds: ids, error: result.error ?? result.providerResponse });
      return 0;
    },

    failRobotBatch,
  };
}
