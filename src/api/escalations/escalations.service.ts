import { Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { DataSource } from 'typeorm';
import type { TimelineEvent } from '../../domain/incident-process';
import { formatInZone } from '../../domain/time';
import { escalationReasonText, peopleNote, timelineTexts } from '../../shared/timeline-labels';
import { ACK_LINK_SECRET, appSecret, hashLinkToken, verifyAckLink } from '../../infra/ack-links';
import { fixedOffsetOf } from '../../infra/china-calendar';
import { EscalationView, OnBehalfOf, escalationAcknowledgeUpdate, escalationProgressUpdate } from '../../shared/escalation-messages';
import { Principal } from '../auth/principal';
import { CLOCK, CONFIG, Clock, TEMPORAL_CLIENT, WardlineConfig } from '../common/tokens';
import { IncidentsService } from '../incidents/incidents.service';
import { EscalateDto, AcknowledgeDto, LinkAcknowledgeDto, ProgressDto } from './escalations.dto';
import { badRequest, conflict, gone, invalidFields, notFound, notFoundRef, unprocessable } from '../common/errors';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** An original vendor's contact (S7) sees and acts on its own vendor's escalations only, whatever else it holds. */
const isVendorContact = (auth: Principal) => auth.roles.includes('vendor_contact') && !auth.roles.includes('admin');
type History = EscalationView['history'];

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
      ...this.recorded(row.history as History),
      promisedOnSiteAt: t(row.promised_on_site_at),
      arrivedAt: t(row.arrived_at),
      endedAt: t(row.ended_at),
      history: (row.history as History).map((h) => ({
        at: formatInZone(h.at, this.offset),
        type: h.type,
        ...timelineTexts({ type: h.type as TimelineEvent['type'], data: h.data ?? {} }, this.offset),
        note: peopleNote(h.note, { type: h.type }),
        ...(h.by ? { by: h.by } : {}),
        ...(h.onBehalfOf ? { onBehalfOf: h.onBehalfOf.name } : {}),
        data: h.data ?? {},
      })),
    };
  }

  /** Vendor acts recorded by staff: who recorded the acknowledgement and the arrival, for whom (S14: the actor is kept). */
  private recorded(history: History) {
    const find = (type: string) => history.find((h) => h.type === type);
    const who = (h: History[number] | undefined) => (h?.onBehalfOf ? { by: h.by ?? null, onBehalfOf: h.onBehalfOf.name } : null);
    return { acknowledgementRecordedBy: who(find('vendor_acknowledged')), arrivalRecordedBy: who(find('vendor_arrived')) };
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

  /**
   * The escalation as the caller may see it: a vendor contact only its own vendor's (404 for another's, so
   * nothing is revealed), with the contact record it acts as; staff any.
   */
  private async scoped(auth: Principal, id: string): Promise<{ row: Record<string, any>; contact: { id: string; name: string } | null }> {
    const row = await this.row(id);
    if (!isVendorContact(auth)) return { row, contact: null };
    const [contact] = await this.ds.query(
      `SELECT c.id, v.name || ' ' || c.name AS name FROM vendor_contacts c JOIN vendors v ON v.id = c.vendor_id
        WHERE c.user_id = $1 AND c.vendor_id = $2 AND c.active ORDER BY c.level LIMIT 1`,
      [auth.userId, row.vendor_id],
    );
    if (!contact) throw notFoundRef('escalation', id);
    return { row, contact };
  }

  async get(auth: Principal, id: string) {
    return this.map((await this.scoped(auth, id)).row);
  }

  /** S7: a vendor contact finds the escalations that call its vendor, newest first, with the incident they concern. */
  async mine(auth: Principal) {
    const rows = await this.ds.query(
      `SELECT e.*, i.number AS incident_number, i.title AS incident_title, s.display_name AS system_name, v.name AS vendor_name
         FROM escalations e
         JOIN incidents i ON i.id = e.incident_id
         JOIN business_systems s ON s.id = i.system_id
         JOIN vendors v ON v.id = e.vendor_id
        WHERE e.vendor_id IN (SELECT vendor_id FROM vendor_contacts WHERE user_id = $1 AND active)
        ORDER BY e.started_at DESC LIMIT 200`,
      [auth.userId],
    );
    return rows.map((r: Record<string, any>) => ({
      ...this.map(r),
      vendor: r.vendor_name,
      incident: { number: r.incident_number, title: r.incident_title, systemName: r.system_name },
    }));
  }

  /**
   * Who a vendor act stands for. A vendor contact acts as itself. Staff (a project manager on the phone with the
   * vendor, an engineer who sees the vendor arrive) may only record it on behalf of a named contact of the
   * escalation's vendor: the record keeps them as the actor, "on behalf of" the contact.
   */
  private async standsFor(scoped: { row: Record<string, any>; contact: { id: string; name: string } | null }, onBehalfOfContactId: string | undefined) {
    if (scoped.contact) {
      if (onBehalfOfContactId && onBehalfOfContactId !== scoped.contact.id) {
        throw badRequest('INVALID_INPUT', '原厂联系人只能以本人身份操作', 'a vendor contact acts for themselves only', { field: 'onBehalfOfContactId' });
      }
      return { contactId: scoped.contact.id, onBehalfOf: null as OnBehalfOf | null };
    }
    if (!onBehalfOfContactId) {
      throw invalidFields([
        {
          field: 'onBehalfOfContactId',
          zh: '院方或驻场人员代为记录时，须指明代表的原厂联系人（onBehalfOfContactId）',
          en: 'staff record this only on behalf of a named vendor contact (onBehalfOfContactId)',
        },
      ]);
    }
    const [contact] = await this.ds.query(
      `SELECT c.id, v.name || ' ' || c.name AS name FROM vendor_contacts c JOIN vendors v ON v.id = c.vendor_id WHERE c.id = $1 AND c.vendor_id = $2 AND c.active`,
      [onBehalfOfContactId, scoped.row.vendor_id],
    );
    if (!contact) {
      throw unprocessable('INVALID_INPUT', `${onBehalfOfContactId} 不是此次升级所呼叫厂商的在职联系人`, `${onBehalfOfContactId} is not an active contact of the vendor this escalation calls`, {
        field: 'onBehalfOfContactId',
      });
    }
    return { contactId: contact.id as string, onBehalfOf: { contactId: contact.id as string, name: contact.name as string } };
  }

  /** A vendor contact acknowledges for itself; staff only record it on a named contact's behalf (the actor kept). */
  async acknowledge(auth: Principal, id: string, dto: AcknowledgeDto) {
    const scoped = await this.scoped(auth, id);
    const { contactId, onBehalfOf } = await this.standsFor(scoped, dto.onBehalfOfContactId);
    const view = await this.temporal.workflow.getHandle(scoped.row.workflow_id).executeUpdate(escalationAcknowledgeUpdate, {
      args: [
        {
          by: { id: auth.userId, name: auth.displayName },
          contactId,
          onBehalfOf,
          via: 'api',
          promisedOnSiteAt: dto.promisedOnSiteAt ? Date.parse(dto.promisedOnSiteAt) : null,
          note: dto.note,
        },
      ],
    });
    return this.mapView(view);
  }

  /** Arrival, remote session, resolution: the vendor's word, or staff recording it on a named contact's behalf. */
  async progress(auth: Principal, id: string, dto: ProgressDto) {
    const scoped = await this.scoped(auth, id);
    const { contactId, onBehalfOf } = await this.standsFor(scoped, dto.onBehalfOfContactId);
    const view = await this.temporal.workflow
      .getHandle(scoped.row.workflow_id)
      .executeUpdate(escalationProgressUpdate, { args: [{ kind: dto.kind, by: { id: auth.userId, name: auth.displayName }, contactId, onBehalfOf, note: dto.note }] });
    return this.mapView(view);
  }

  private mapView(v: EscalationView) {
    const t = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : formatInZone(ms, this.offset));
    return {
      id: v.escalationId,
      workflowId: v.workflowId,
      status: v.status,
      level: v.level,
      acknowledgedBy: v.acknowledgement ? (v.acknowledgement.onBehalfOf?.name ?? v.acknowledgement.by.name) : null,
      recordedBy: v.acknowledgement?.onBehalfOf ? v.acknowledgement.by.name : null,
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
    const escalation = await this.row(check.claim.escalationId);
    // A link is the contact's credential: it dies with the contact (deactivated, or moved off this vendor).
    const [contact] = await this.ds.query(
      `SELECT c.id, c.name, v.name AS vendor FROM vendor_contacts c JOIN vendors v ON v.id = c.vendor_id WHERE c.id = $1 AND c.active AND c.vendor_id = $2`,
      [check.claim.contactId, escalation.vendor_id],
    );
    if (!contact) throw gone('LINK_REVOKED', '此链接已失效：联系人已停用', 'this link no longer works: the contact was deactivated');
    if (escalation.status === 'resolved' || escalation.ended_at) {
      throw conflict('ESCALATION_ENDED', '此次原厂升级已结束，无需确认', 'this escalation has ended; nothing to acknowledge', { details: { state: escalation.status } });
    }
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
    try {
      const view = await this.temporal.workflow.getHandle(escalation.workflow_id).executeUpdate(escalationAcknowledgeUpdate, {
        args: [{ by: { id: `contact:${contact.id}`, name: dto.name ?? `${contact.vendor} ${contact.name}` }, contactId: contact.id, via: 'link', promisedOnSiteAt: promised, note: dto.note }],
      });
      return this.mapView(view);
    } catch (err) {
      // Nothing happened (the escalation ended or was acknowledged meanwhile): the link is not burned for it.
      if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError) {
        await this.ds.query(`DELETE FROM escalation_links WHERE token_hash = $1`, [hashLinkToken(token)]);
      }
      throw err;
    }
  }
}
