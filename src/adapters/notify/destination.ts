import { LookupAddress, lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where Wardline may post a message whose URL a user typed (a webhook): only to public unicast addresses, unless an
 * administrator allows a list of addresses or CIDR ranges (WARDLINE_WEBHOOK_ALLOW, e.g. the hospital's intranet
 * `10.20.0.0/16`). Loopback, link-local (169.254.169.254, the cloud metadata address), private, carrier-grade NAT,
 * unique-local, multicast, reserved and IPv4-in-IPv6 forms are refused otherwise. The check runs on the addresses a
 * name resolves to, when the URL is saved and again on the very connection (DNS rebinding).
 */
export interface DestinationPolicy {
  /** Addresses or CIDR ranges an administrator allows although they are not public. */
  allow: readonly string[];
}

export const PUBLIC_ONLY: DestinationPolicy = { allow: [] };

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function parseRange(entry: string): Range {
  const text = entry.trim();
  if (text.includes('/')) return ipaddr.parseCIDR(text);
  const addr = ipaddr.parse(text);
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}

/** Checks an allow-list and names the first bad entry; for configuration. */
export function parseAllowList(raw: string | undefined): string[] {
  if (!raw) return [];
  const entries = raw.split(',').map((e) => e.trim()).filter(Boolean);
  for (const e of entries) {
    try {
      parseRange(e);
    } catch {
      throw new Error(`WARDLINE_WEBHOOK_ALLOW: "${e}" is not an IP address or CIDR range`);
    }
  }
  return entries;
}

/** Why `address` may not be posted to under `policy`, or null. IPv4-mapped IPv6 is judged as the IPv4 it carries. */
export function addressRefusal(address: string, policy: DestinationPolicy): string | null {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.process(address);
  } catch {
    return `${address} is not an IP address`;
  }
  for (const entry of policy.allow) {
    const [range, bits] = parseRange(entry);
    if (range.kind() === ip.kind() && ip.match(range as never, bits)) return null;
  }
  const range = ip.range();
  return range === 'unicast' ? null : `${ip.toString()} is a ${range} address`;
}

/** The host of a URL as the resolver wants it: IPv6 literals without their brackets. */
function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses.map((a) => a.address)))));

/** Why `rawUrl` may not be posted to: every address its host resolves to must pass; a name that does not resolve fails. */
export async function urlRefusal(rawUrl: string, policy: DestinationPolicy, resolve: Resolver = systemResolver): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return 'not a URL';
  }
  const host = hostOf(url);
  if (ipaddr.isValid(host)) return addressRefusal(host, policy);
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch (err) {
    return `${host} does not resolve (${(err as { code?: string }).code ?? 'error'})`;
  }
  if (addresses.length === 0) return `${host} does not resolve`;
  for (const a of addresses) {
    const refused = addressRefusal(a, policy);
    if (refused) return `${host} resolves to ${refused.replace(/^\S+ is/, `${a}, which is`)}`;
  }
  return null;
}

/** The error a refused connection fails with; `code` lets callers tell it from a network failure. */
export class DestinationRefused extends Error {
  readonly code = 'EDESTREFUSED';
  constructor(reason: string) {
    super(`destination refused: ${reason}`);
    this.name = 'DestinationRefused';
  }
}

/**
 * A `lookup` for http.request that checks what the name resolves to at connect time, so a name that answered with a
 * public address when the URL was saved cannot point the connection at a private one later (DNS rebinding).
 */
export function guardedLookup(policy: DestinationPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true, verbatim: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      for (const a of list) {
        const refused = addressRefusal(a.address, policy);
        if (refused) return callback(new DestinationRefused(`${hostname} resolves to ${refused}`) as NodeJS.ErrnoException, '', 0);
      }
      if (list.length === 0) return callback(new DestinationRefused(`${hostname} does not resolve`) as NodeJS.ErrnoException, '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
