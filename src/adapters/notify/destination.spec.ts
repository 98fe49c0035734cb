import { describe, expect, it } from '@jest/globals';
import { PUBLIC_ONLY, addressRefusal, parseAllowList, urlRefusal } from './destination';

describe('webhook destinations (SSRF)', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['10.1.2.3', 'private'],
    ['172.16.0.9', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['fd00::1', 'uniqueLocal'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    // IPv4 inside IPv6 is judged as the IPv4 it carries.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'linkLocal'],
  ])('refuses %s (%s) unless allowed', (address, range) => {
    expect(addressRefusal(address, PUBLIC_ONLY)).toContain(range);
  });

  it('lets public unicast addresses through, and what an administrator allows', () => {
    expect(addressRefusal('223.5.5.5', PUBLIC_ONLY)).toBeNull();
    expect(addressRefusal('2400:3200::1', PUBLIC_ONLY)).toBeNull();
    const intranet = { allow: parseAllowList('10.20.0.0/16, 127.0.0.1') };
    expect(addressRefusal('10.20.3.4', intranet)).toBeNull();
    expect(addressRefusal('10.21.3.4', intranet)).toContain('private');
    expect(addressRefusal('127.0.0.1', intranet)).toBeNull();
    expect(addressRefusal('169.254.169.254', intranet)).toContain('linkLocal');
    expect(() => parseAllowList('10.0.0.0/8,intranet')).toThrow(/intranet/);
  });

  it('judges a name by every address it resolves to, and refuses a name that does not resolve', async () => {
    const dns = (answers: Record<string, string[]>) => async (host: string) => {
      if (!answers[host]) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      return answers[host];
    };
    const resolver = dns({ 'hooks.vendor.example.cn': ['223.5.5.5'], 'rebind.example.cn': ['223.5.5.5', '10.0.0.8'] });
    expect(await urlRefusal('https://hooks.vendor.example.cn/wardline', PUBLIC_ONLY, resolver)).toBeNull();
    expect(await urlRefusal('https://rebind.example.cn/x', PUBLIC_ONLY, resolver)).toContain('10.0.0.8');
    expect(await urlRefusal('https://nowhere.example.cn/x', PUBLIC_ONLY, resolver)).toContain('does not resolve');
    expect(await urlRefusal('http://[::1]:8080/x', PUBLIC_ONLY, resolver)).toContain('loopback');
    expect(await urlRefusal('http://169.254.169.254/latest/meta-data/', PUBLIC_ONLY, resolver)).toContain('linkLocal');
  });
});
