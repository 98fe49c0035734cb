import { ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { updateReturning } from '../../persistence/sql';
import { SystemsService } from '../systems/systems.service';
import { CreateVendorDto, SetVendorSystemsDto, CreateContactDto } from './vendors.dto';

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
      if (!row) throw new UnprocessableEntityException({ code: 'UNKNOWN_SYSTEM', message: `no business system ${ref}`, field: `systems[${i}]` });
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
    if (!vendor) throw new NotFoundException({ code: 'NOT_FOUND', message: `no vendor ${id}`, field: 'id' });
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
      if (existing.length) throw new ConflictException({ code: 'DUPLICATE', message: `vendor ${dto.name} exists`, field: 'name' });
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
      throw new UnprocessableEntityException({ code: 'INVALID_INPUT', message: 'a contact needs at least one way to be reached: phone, email, a robot or a webhook', field: 'phone' });
    }
    if (dto.dingtalkToken && !dto.dingtalkSecret) {
      throw new UnprocessableEntityException({ code: 'INVALID_INPUT', message: 'a DingTalk robot needs its signing secret', field: 'dingtalkSecret' });
    }
    if (dto.userId) {
      const [u] = await this.ds.query(`SELECT 1 FROM users WHERE id = $1 AND 'vendor_contact' = ANY(roles)`, [dto.userId]);
      if (!u) throw new UnprocessableEntityException({ code: 'INVALID_INPUT', message: `user ${dto.userId} is not a vendor_contact`, field: 'userId' });
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
    if (!rows.length) throw new NotFoundException({ code: 'NOT_FOUND', message: `no contact ${contactId} of vendor ${vendorId}`, field: 'contactId' });
    return { id: contactId, active: false };
  }
}
