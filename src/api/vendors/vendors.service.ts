import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { updateReturning } from '../../persistence/sql';
import { SystemsService } from '../systems/systems.service';
import { CreateVendorDto, SetVendorSystemsDto, CreateContactDto } from './vendors.dto';
import { conflict, notFound, notFoundRef, unknownRef, unprocessable } from '../common/errors';

@Injectable()
export class VendorsService {
  constructor(
    private readonly ds: DataSource,
    private readonly systems: SystemsService,
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

  async create(dto: CreateVendorDto) {
    const systemIds = await this.systemIds(dto.systems ?? []);
    return this.ds.transaction(async (tx) => {
      const existing = await tx.query(`SELECT 1 FROM vendors WHERE name = $1`, [dto.name]);
      if (existing.length) throw conflict('DUPLICATE', `厂商 ${dto.name} 已存在`, `vendor ${dto.name} exists`, { field: 'name' });
      const [row] = await tx.query(`INSERT INTO vendors (name, notes) VALUES ($1, $2) RETURNING id`, [dto.name, dto.notes ?? null]);
      for (const s of systemIds) await tx.query(`INSERT INTO vendor_systems (vendor_id, system_id) VALUES ($1, $2)`, [row.id, s]);
      return row.id as string;
    }).then((id) => this.get(id));
  }

  async setSystems(id: string, dto: SetVendorSystemsDto) {
    await this.get(id);
    const systemIds = await this.systemIds(dto.systems);
    await this.ds.transaction(async (tx) => {
      await tx.query(`DELETE FROM vendor_systems WHERE vendor_id = $1`, [id]);
      for (const s of systemIds) await tx.query(`INSERT INTO vendor_systems (vendor_id, system_id) VALUES ($1, $2)`, [id, s]);
    });
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
