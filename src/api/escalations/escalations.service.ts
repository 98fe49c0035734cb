import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import type { TimelineEvent } from '../../domain/incident-process';
import { formatInZone } from '../../domain/time';
import { escalationReasonText, peopleNote, timelineTexts } from '../../shared/timeline-labels';
import { ACK_LINK_SECRET, appSecret, hashLinkToken, verifyAckLink } from '../../infra/ack-links';
import { fixedOffsetOf } from '../../infra/china-calendar';
import { EscalationView, escalationAcknowledgeUpdate, escalationProgressUpdate } from '../../shared/escalation-messages';
import { Principal } from '../auth/principal';
import { CLOCK, CONFIG, Clock, TEMPORAL_CLIENT, WardlineConfig } from '../common/tokens';
import { IncidentsService } from '../incidents/incidents.service';
import { EscalateDto, AcknowledgeDto, LinkAcknowledgeDto, ProgressDto } from './escalations.dto';
import { forbidden, gone, notFound, notFoundRef } from '../common/errors';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

@Injectable()
export class EscalationsService {
  private readonly offset: number;
  constructor(
    private readonly ds: DataSource,
    private readonly incidents: IncidentsService,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) config: WardlineConfig,
  ) {
    this.offset = fixedOffsetOf(config.timeZone);
  }

  async escalate(auth: Principal, ref: string, dto: EscalateDto) {
    return this.incidents.command(auth, ref, { action: 'escalate', reason: dto.reason });
  }

  private map(row: Record<string, any>) {
    const t = (d: Date | null) => (d ? formatInZone(d.getTime(), this.offset) : null);
    return {
      id: row.id,
      incidentId: row.incident_id,
      workflowId: row.workflow_id,
      vendorId: row.vendor_id,
      trigger: row.trigger,
      // An automatic escalation's reason is a code and a share; a manual one the requester's words (issue 9).
      reason: escalationReasonText('zh-CN', row.trigger, { share: row.share, reason: row.reason }),
      reasonEn: escalationReasonText('en', row.trigger, { share: row.share, reason: row.reason }),
      status: row.status,
      level: row.level,
      startedAt: t(row.started_at),
      acknowledgedAt: t(row.acknowledged_at),
      acknowledgedBy: row.acknowledged_by,
      promisedOnSiteAt: t(row.promised_on_site_at),
      arrivedAt: t(row.arrived_at),
      endedAt: t(row.ended_at),
      history: (row.history as { at: number; type: string; note: string | null; data?: Record<string, unknown> }[]).map((h) => ({
        at: formatInZone(h.at, this.offset),
        type: h.type,
        ...timelineTexts({ type: h.type as TimelineEvent['type'], data: h.data ?? {} }, this.offset),
        note: peopleNote(h.note, { type: h.type }),
        data: h.data ?? {},
      })),
    };
  }

  async forIncident(ref: string) {
    const incident = await this.incidents.get(ref);
    const rows = await this.ds.query(`SELECT * FROM escalations WHERE incident_id = $1 ORDER BY started_at`, [incident.id]);
    return rows.map((r: Record<string, any>) => this.map(r));
  }

  private async row(id: string) {
    const [row] = await this.ds.query(`SELECT * FROM escalations WHERE id = $1`, [id]);
    if (!row) throw notFoundRef('escalation', id);
    return row;
  }

  async get(id: string) {
    return this.map(await this.row(id));
  }

  /** A vendor_contact acknowledges for the contact record linked to their user; staff may record it for them. */
  async acknowledge(auth: Principal, id: string, dto: AcknowledgeDto) {
    const row = await this.row(id);
    let contactId: string | null = null;
    if (auth.roles.includes('vendor_contact') && !auth.roles.includes('admin')) {
      const [contact] = await this.ds.query(`SELECT id FROM vendor_contacts WHERE user_id = $1 AND vendor_id = $2 AND active`, [auth.userId, row.vendor_id]);
      if (!contact) throw forbidden('FORBIDDEN', '您不是此次升级所呼叫厂商的联系人', 'you are not a contact of the vendor this escalation calls');
      contactId = contact.id;
    }
    const view = await this.temporal.workflow.getHandle(row.workflow_id).executeUpdate(escalationAcknowledgeUpdate, {
      args: [
        {
          by: { id: auth.userId, name: auth.displayName },
          contactId,
          via: 'api',
          promisedOnSiteAt: dto.promisedOnSiteAt ? Date.parse(dto.promisedOnSiteAt) : null,
          note: dto.note,
        },
      ],
    });
    return this.mapView(view);
  }

  async progress(auth: Principal, id: string, dto: ProgressDto) {
    const row = await this.row(id);
    const view = await this.temporal.workflow
      .getHandle(row.workflow_id)
      .executeUpdate(escalationProgressUpdate, { args: [{ kind: dto.kind, by: { id: auth.userId, name: auth.displayName }, note: dto.note }] });
    return this.mapView(view);
  }

  private mapView(v: EscalationView) {
    const t = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : formatInZone(ms, this.offset));
    return {
      id: v.escalationId,
      workflowId: v.workflowId,
      status: v.status,
      level: v.level,
      acknowledgedBy: v.acknowledgement?.by.name ?? null,
      acknowledgedAt: t(v.acknowledgement?.at),
      promisedOnSiteAt: t(v.acknowledgement?.promisedOnSiteAt),
      arrivedAt: t(v.arrivedAt),
    };
  }

  /** The one-time signed link: no login, one contact, one level, until it expires; used once. */
  async claimLink(token: string) {
    const check = verifyAckLink(token, await appSecret(this.ds, ACK_LINK_SECRET), this.clock.now());
    if (!check.ok) {
      if (check.reason === 'expired') throw gone('LINK_EXPIRED', '此链接已过期', 'this link has expired');
      throw notFound('LINK_INVALID', '链接无效', 'this link is not valid');
    }
    const [used] = await this.ds.query(`SELECT used_at FROM escalation_links WHERE token_hash = $1`, [hashLinkToken(token)]);
    if (used) throw gone('LINK_USED', '此链接已使用', 'this link was already used');
    const [contact] = await this.ds.query(`SELECT c.id, c.name, v.name AS vendor FROM vendor_contacts c JOIN vendors v ON v.id = c.vendor_id WHERE c.id = $1`, [check.claim.contactId]);
    if (!contact) throw notFound('LINK_INVALID', '链接无效', 'this link is not valid');
    const escalation = await this.row(check.claim.escalationId);
    return { claim: check.claim, contact, escalation };
  }

  async page(token: string): Promise<string> {
    const { contact, escalation } = await this.claimLink(token);
    const [incident] = await this.ds.query(`SELECT i.number, i.title, s.display_name FROM incidents i JOIN business_systems s ON s.id = i.system_id WHERE i.id = $1`, [escalation.incident_id]);
    return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>确认响应 ${escape(incident.number)}</title></head><body style="font-family:sans-serif;max-width:36em;margin:2em auto">
<h1>原厂技术支援确认</h1>
<p>${escape(contact.vendor)} ${escape(contact.name)}，您好：</p>
<p>工单 <b>${escape(incident.number)}</b>（${escape(incident.display_name)}）：${escape(incident.title)}</p>
<p>原因：${escape(escalationReasonText('zh-CN', escalation.trigger, { share: escalation.share, reason: escalation.reason }))}</p>
<form method="post"><label>预计到场时间（北京时间）<br><input type="datetime-local" name="promisedLocalTime"></label><br><br>
<label>备注<br><textarea name="note" rows="3" cols="40"></textarea></label><br><br>
<button type="submit">确认响应 / Acknowledge</button></form>
<p style="color:#666">此链接仅可使用一次。This link works once.</p></body></html>`;
  }

  async acknowledgeByLink(token: string, dto: LinkAcknowledgeDto) {
    const { claim, contact, escalation } = await this.claimLink(token);
    let promised: number | null = dto.promisedOnSiteAt ? Date.parse(dto.promisedOnSiteAt) : null;
    if (dto.promisedLocalTime) promised = Date.parse(`${dto.promisedLocalTime}:00Z`) - this.offset * 60_000;
    // Claimed before the Update, so a link clicked twice acknowledges once.
    const claimed = await this.ds.query(
      `INSERT INTO escalation_links (escalation_id, contact_id, level, token_hash, expires_at, used_at)
       VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT DO NOTHING RETURNING id`,
      [claim.escalationId, claim.contactId, claim.level, hashLinkToken(token), new Date(claim.expiresAt)],
    );
    if (!claimed.length) throw gone('LINK_USED', '此链接已使用', 'this link was already used');
    const view = await this.temporal.workflow.getHandle(escalation.workflow_id).executeUpdate(escalationAcknowledgeUpdate, {
      args: [{ by: { id: `contact:${contact.id}`, name: dto.name ?? `${contact.vendor} ${contact.name}` }, contactId: contact.id, via: 'link', promisedOnSiteAt: promised, note: dto.note }],
    });
    return this.mapView(view);
  }
}
