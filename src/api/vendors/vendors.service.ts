import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../auth/principal';
import { CONFIG, WardlineConfig } from '../common/tokens';
import { refuseWebhookDestination } from '../common/webhook-destination';
import { updateReturning } from '../../persistence/sql';
import { SystemsService } from '../systems/systems.service';
import { CreateVendorDto, SetVendorSystemsDto, CreateContactDto } from './vendors.dto';
import { conflict, notFound, notFoundRef, unknownRef, unprocessable } from '../common/errors';

@Injectable()
export class VendorsService {
  constructor(
    private readonly ds: DataSource,
    private readonly systems: SystemsService,
    @Inject(CONFIG) private readonly config: WardlineConfig,
  ) {}

  private async systemIds(refs: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const [i, ref] of refs.entries()) {
      const row = await this.systems.find(ref);
      if (!row) throw unknownRef('system', ref, `systems[${i}]`);
      ids.push(row.id);
    }
    return ids;
  }

  async list() {
    const vendors = await this.ds.query(`SELECT id, name, notes FROM vendors ORDER BY name`);
    return Promise.all(vendors.map((v: { id: string }) => this.get(v.id)));
  }

  async get(id: string) {
    const [vendor] = await this.ds.query(`SELECT id, name, notes FROM vendors WHERE id = $1`, [id]);
    if (!vendor) throw notFoundRef('vendor', id);
    const systems = await this.ds.query(
      `SELECT s.id, s.code, s.display_name AS "displayName" FROM vendor_systems vs JOIN business_systems s ON s.id = vs.system_id WHERE vs.vendor_id = $1 ORDER BY s.seq`,
      [id],
    );
    const contacts = await this.ds.query(
      `SELECT id, name, role, level, phone, email, webhook_url AS "webhookUrl", user_id AS "userId", active,
              wecom_robot_key IS NOT NULL AS "hasWecomRobot", dingtalk_token IS NOT NULL AS "hasDingtalkRobot"
         FROM vendor_contacts WHERE vendor_id = $1 ORDER BY level, name`,
      [id],
    );
    return { ...vendor, systems, contacts };
  }

  /**
   * "Made by" has one home: the business system's CMDB item (`vendor_id`; `vendor_systems` is a view of it), so
   * /vendors and the CMDB always agree. The systems listed become this vendor's (taken from another vendor if need
   * be); with `exclusive`, the vendor's other systems lose it. Each change is in the CMDB history.
   */
  private async madeBy(tx: EntityManager, auth: Principal, vendorId: string, systemIds: string[], exclusive: boolean) {
    const changed = await updateReturning<{ id: string; before: string | null; after: string | null }>(
      tx,
      `WITH target AS (
         SELECT id, vendor_id AS before,
                CASE WHEN business_system_id = ANY($2::uuid[]) THEN $1::uuid ELSE NULL END AS after
           FROM cmdb_items
          WHERE business_system_id IS NOT NULL
            AND (business_system_id = ANY($2::uuid[]) OR ($3 AND vendor_id = $1::uuid))
          FOR UPDATE)
       UPDATE cmdb_items i SET vendor_id = target.after, updated_at = now()
         FROM target WHERE i.id = target.id AND target.before IS DISTINCT FROM target.after
       RETURNING i.id, target.before, target.after`,
      [vendorId, systemIds, exclusive],
    );
    for (const c of changed) {
      await tx.query(`INSERT INTO cmdb_history (item_id, action, actor_id, actor_name, before, after) VALUES ($1, 'update', $2, $3, $4, $5)`, [
        c.id,
        auth.userId,
        auth.displayName,
        JSON.stringify({ vendorId: c.before }),
        JSON.stringify({ vendorId: c.after }),
      ]);
    }
  }

  async create(auth: Principal, dto: CreateVendorDto) {
    const systemIds = await this.systemIds(dto.systems ?? []);
    return this.ds.transaction(async (tx) => {
      const existing = await tx.query(`SELECT 1 FROM vendors WHERE name = $1`, [dto.name]);
      if (existing.length) throw conflict('DUPLICATE', `厂商 ${dto.name} 已存在`, `vendor ${dto.name} exists`, { field: 'name' });
      const [row] = await tx.query(`INSERT INTO vendors (name, notes) VALUES ($1, $2) RETURNING id`, [dto.name, dto.notes ?? null]);
      await this.madeBy(tx, auth, row.id, systemIds, false);
      return row.id as string;
    }).then((id) => this.get(id));
  }

  async setSystems(auth: Principal, id: string, dto: SetVendorSystemsDto) {
    await this.get(id);
    const systemIds = await this.systemIds(dto.systems);
    await this.ds.transaction((tx) => this.madeBy(tx, auth, id, systemIds, true));
    return this.get(id);
  }

  async addContact(vendorId: string, dto: CreateContactDto) {
    await this.get(vendorId);
    if (!dto.phone && !dto.email && !dto.wecomRobotKey && !dto.dingtalkToken && !dto.webhookUrl) {
      throw unprocessable('INVALID_INPUT', '联系人至少需要一种联系方式：电话、邮箱、机器人或 webhook', 'a contact needs at least one way to be reached: phone, email, a robot or a webhook', { field: 'phone' });
    }
    if (dto.dingtalkToken && !dto.dingtalkSecret) {
      throw unprocessable('INVALID_INPUT', '钉钉机器人需要加签密钥', 'a DingTalk robot needs its signing secret', { field: 'dingtalkSecret' });
    }
    if (dto.webhookUrl) await refuseWebhookDestination(dto.webhookUrl, this.config, 'webhookUrl');
    if (dto.userId) {
      const [u] = await this.ds.query(`SELECT 1 FROM users WHERE id = $1 AND 'vendor_contact' = ANY(roles)`, [dto.userId]);
      if (!u) throw unprocessable('INVALID_INPUT', `用户 ${dto.userId} 不是原厂联系人（vendor_contact）`, `user ${dto.userId} is not a vendor_contact`, { field: 'userId' });
    }
    const [row] = await this.ds.query(
      `INSERT INTO vendor_contacts (vendor_id, user_id, name, role, level, phone, email, wecom_robot_key, dingtalk_token, dingtalk_secret, webhook_url)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id`,
      [vendorId, dto.userId ?? null, dto.name, dto.role, dto.level, dto.phone ?? null, dto.email ?? null, dto.wecomRobotKey ?? null, dto.dingtalkToken ?? null, dto.dingtalkSecret ?? null, dto.webhookUrl ?? null],
    );
    return (await this.get(vendorId)).contacts.find((c: { id: string }) => c.id === row.id);
  }

  async deactivateContact(vendorId: string, contactId: string) {
    const rows = await updateReturning(this.ds, `UPDATE vendor_contacts SET active = false WHERE id = $1 AND vendor_id = $2 RETURNING id`, [contactId, vendorId]);
    if (!rows.length) throw notFound('NOT_FOUND', `厂商 ${vendorId} 没有联系人 ${contactId}`, `no contact ${contactId} of vendor ${vendorId}`, { field: 'contactId' });
    return { id: contactId, active: false };
  }
}
