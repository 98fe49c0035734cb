import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONFIG, WardlineConfig } from '../common/tokens';
import { refuseWebhookDestination } from '../common/webhook-destination';
import { Principal } from '../auth/principal';
import { refCondition } from '../common/refs';
import { DeliveryQuery, UserChannelsDto } from './notifications.dto';
import { forbidden, unknownRef, unprocessable } from '../common/errors';

@Injectable()
export class NotificationsService {
  constructor(
    private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: WardlineConfig,
  ) {}

  /** The delivery log. Providers' answers (a webhook's reply may be anything its URL reached) are for administrators only. */
  async deliveries(auth: Principal, q: DeliveryQuery) {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.incident) {
      args.push(q.incident);
      where.push(refCondition(q.incident, args.length, 'i.number', 'd.incident_id'));
    }
    if (q.channel) (args.push(q.channel), where.push(`d.channel = $${args.length}`));
    if (q.status) (args.push(q.status), where.push(`d.status = $${args.length}`));
    const pageSize = q.pageSize ?? 50;
    const page = q.page ?? 1;
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM notification_deliveries d LEFT JOIN incidents i ON i.id = d.incident_id ${filter}`, args);
    const rows = await this.ds.query(
      `SELECT d.id, d.process_id AS "processId", i.number AS "incidentNumber", d.event, d.recipient_kind AS "recipientKind",
              d.recipient_id AS "recipientId", d.recipient_label AS "recipient", d.channel, d.status, d.attempts,
              d.last_error AS "lastError", d.provider_response AS "providerResponse", d.title, d.fallback_of AS "fallbackOf",
              d.digest_id AS "digestId", d.created_at AS "createdAt", d.sent_at AS "sentAt"
         FROM notification_deliveries d LEFT JOIN incidents i ON i.id = d.incident_id ${filter}
        ORDER BY d.created_at DESC, d.id LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
      args,
    );
    const admin = auth.roles.includes('admin');
    return { items: admin ? rows : rows.map((r: Record<string, unknown>) => ({ ...r, providerResponse: undefined })), total, page, pageSize };
  }

  /** The caller's in-app inbox: messages to them and to their roles. */
  async inbox(auth: Principal) {
    return this.ds.query(
      `SELECT id, incident_id AS "incidentId", event, title, body, created_at AS "createdAt", read_at AS "readAt"
         FROM notifications WHERE recipient_id = $1 OR recipient_role = ANY($2::text[]) ORDER BY created_at DESC LIMIT 200`,
      [auth.userId, auth.roles],
    );
  }

  async setChannels(auth: Principal, userId: string, dto: UserChannelsDto) {
    if (auth.userId !== userId && !auth.roles.includes('admin')) throw forbidden('FORBIDDEN', '只能设置自己的通知渠道', 'you may set only your own channels');
    const [user] = await this.ds.query(`SELECT email, phone FROM users WHERE id = $1`, [userId]);
    if (!user) throw unknownRef('user', userId, 'id', 'NOT_FOUND');
    const needs: Record<string, [unknown, string, string]> = {
      email: [user.email, '该用户没有邮箱地址', 'the user has no email address'],
      sms: [user.phone, '该用户没有电话号码', 'the user has no phone number'],
      wecom: [dto.wecomRobotKey, '企业微信渠道需要 wecomRobotKey', 'wecom needs wecomRobotKey'],
      dingtalk: [dto.dingtalkToken && dto.dingtalkSecret, '钉钉渠道需要 dingtalkToken 和 dingtalkSecret', 'dingtalk needs dingtalkToken and dingtalkSecret'],
      webhook: [dto.webhookUrl, 'webhook 渠道需要 webhookUrl', 'webhook needs webhookUrl'],
    };
    dto.channels.forEach((c, i) => {
      if (c !== 'in_app' && !needs[c][0]) throw unprocessable('INVALID_INPUT', needs[c][1], needs[c][2], { field: `channels[${i}]` });
    });
    if (dto.webhookUrl) await refuseWebhookDestination(dto.webhookUrl, this.config, 'webhookUrl');
    await this.ds.query(
      `INSERT INTO user_channels (user_id, channels, wecom_robot_key, dingtalk_token, dingtalk_secret, webhook_url, quiet_start, quiet_end, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8, now())
       ON CONFLICT (user_id) DO UPDATE SET channels = EXCLUDED.channels, wecom_robot_key = EXCLUDED.wecom_robot_key,
         dingtalk_token = EXCLUDED.dingtalk_token, dingtalk_secret = EXCLUDED.dingtalk_secret, webhook_url = EXCLUDED.webhook_url,
         quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end, updated_at = now()`,
      [userId, dto.channels, dto.wecomRobotKey ?? null, dto.dingtalkToken ?? null, dto.dingtalkSecret ?? null, dto.webhookUrl ?? null, dto.quietHours?.start ?? null, dto.quietHours?.end ?? null],
    );
    return { userId, channels: dto.channels, quietHours: dto.quietHours ?? null };
  }
}
