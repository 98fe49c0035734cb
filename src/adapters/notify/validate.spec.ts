import { describe, expect, it } from '@jest/globals';
import { isMobilePhone, isValidEmail, isValidPhone, isValidRobotKey, isValidWebhookUrl, normalizeMobile } from './validate';

/** Contact data the DTOs check with these before anything is stored (issue 4: malformed contacts get a clear 400). */
describe('contact validators', () => {
  it('accepts mainland mobiles, landlines with area code and extension, hotlines and internal extensions', () => {
    for (const ok of ['13812345678', '19912345678', '+8613812345678', '+86 13812345678', '010-62345678', '0755-86543210-801', '(020)87654321', '021 62345678转123', '87654321', '400-820-8820', '8021']) {
      expect({ ok, valid: isValidPhone(ok) }).toEqual({ ok, valid: true });
    }
    for (const bad of ['', '12812345678', '1381234567', '138123456789', '138 1234 5678', '010-12345678', 'tel:13812345678', '13812345678 ', 'abc', '12']) {
      expect({ bad, valid: isValidPhone(bad) }).toEqual({ bad, valid: false });
    }
    expect(isMobilePhone('+86 13812345678')).toBe(true);
    expect(isMobilePhone('010-62345678')).toBe(false);
    expect(isValidPhone(13812345678)).toBe(false);
  });

  it('accepts ordinary addresses and rejects malformed ones', () => {
    for (const ok of ['ops@hospital.example.cn', 'zhang.san+it@vendor.com', "o'brien@x.io"]) expect({ ok, valid: isValidEmail(ok) }).toEqual({ ok, valid: true });
    for (const bad of ['', 'a@b', 'a..b@c.com', '.a@c.com', 'a@-b.com', 'no-at.example.com', 'a b@c.com', 'a@c.com ', 'a@c.123', `${'x'.repeat(65)}@c.com`]) {
      expect({ bad, valid: isValidEmail(bad) }).toEqual({ bad, valid: false });
    }
  });

  it('accepts only http and https webhook URLs without credentials', () => {
    for (const ok of ['https://hooks.example.cn/wardline', 'http://10.1.2.3:8080/notify?x=1']) expect({ ok, valid: isValidWebhookUrl(ok) }).toEqual({ ok, valid: true });
    for (const bad of ['', 'ftp://x.example/a', 'javascript:alert(1)', 'http://user:pw@x.example/', 'not a url', 'https://x.example/a b', 'file:///etc/passwd']) {
      expect({ bad, valid: isValidWebhookUrl(bad) }).toEqual({ bad, valid: false });
    }
  });
});

describe('normalizeMobile and isValidRobotKey', () => {
  it('strips +86 and separators, and keeps robot keys to URL-safe characters', () => {
    expect(normalizeMobile('+86 13812345678')).toBe('13812345678');
    expect(normalizeMobile('8613812345678')).toBe('13812345678');
    expect(isValidRobotKey('693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa')).toBe(true);
    expect(isValidRobotKey('short')).toBe(false);
    expect(isValidRobotKey('key&inject=1')).toBe(false);
  });
});
