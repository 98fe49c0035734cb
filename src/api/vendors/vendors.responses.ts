import { list, obj } from '../common/schemas';

export const CONTACT = obj(
  { id: 'uuid', name: 'string', role: 'string', level: 'integer', phone: 'string?', email: 'string?', webhookUrl: 'string?', userId: 'uuid?', active: 'boolean', hasWecomRobot: 'boolean', hasDingtalkRobot: 'boolean' },
  '厂商联系人（不含机器人密钥）/ a vendor contact (robot secrets are never returned)',
);
export const VENDOR = obj({ id: 'uuid', name: 'string', notes: 'string?', systems: list(obj({ id: 'uuid', code: 'string', displayName: 'string' })), contacts: list(CONTACT) }, '厂商 / a vendor');
export const VENDORS = list(VENDOR);
export const DEACTIVATED = obj({ id: 'uuid', active: 'boolean' });
