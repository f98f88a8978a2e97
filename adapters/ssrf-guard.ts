/**
 * Where a webhook may go: public unicast addresses only, checked on the addresses a name resolves to at
 * send time, so a name re-pointed at an internal address after registration is still refused.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

export class TargetRefusedError extends Error {
  readonly code = 'WEBHOOK_TARGET_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefusedError';
  }
}

type Range = [base: bigint, bits: number, prefix: number, cls: AddressClass];

function v4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

/** 128-bit value of an IPv6 literal (with `::` and an optional dotted IPv4 tail). */
function v6(text: string): bigint | null {
  let s = text.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const tail = v4(dotted[1]!);
    if (tail === null) return null;
    s = `${s.slice(0, -dotted[1]!.length)}${(tail >> 16n).toString(16)}:${(tail & 0xffffn).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

const r4 = (cidr: string, cls: AddressClass): Range => {
  const [base, prefix] = cidr.split('/');
  return [v4(base!)!, 32, Number(prefix), cls];
};
const r6 = (cidr: string, cls: AddressClass): Range => {
  const [base, prefix] = cidr.split('/');
  return [v6(base!)!, 128, Number(prefix), cls];
};

// Most specific first: the metadata address sits inside link-local.
const V4_RANGES: Range[] = [
  r4('169.254.169.254/32', 'metadata'),
  r4('100.100.100.200/32', 'metadata'),
  r4('0.0.0.0/8', 'unspecified'),
  r4('127.0.0.0/8', 'loopback'),
  r4('10.0.0.0/8', 'private'),
  r4('172.16.0.0/12', 'private'),
  r4('192.168.0.0/16', 'private'),
  r4('100.64.0.0/10', 'private'),
  r4('169.254.0.0/16', 'link-local'),
  r4('192.0.0.0/24', 'reserved'),
  r4('192.0.2.0/24', 'reserved'),
  r4('198.18.0.0/15', 'reserved'),
  r4('198.51.100.0/24', 'reserved'),
  r4('203.0.113.0/24', 'reserved'),
  r4('224.0.0.0/4', 'multicast'),
  r4('240.0.0.0/4', 'reserved'),
];

const V6_RANGES: Range[] = [
  r6('::/128', 'unspecified'),
  r6('::1/128', 'loopback'),
  r6('fd00:ec2::254/128', 'metadata'),
  r6('::/96', 'reserved'),
  r6('100::/64', 'reserved'),
  r6('2001::/32', 'reserved'),
  r6('2001:db8::/32', 'reserved'),
  r6('fe80::/10', 'link-local'),
  r6('fec0::/10', 'private'),
  r6('fc00::/7', 'private'),
  r6('ff00::/8', 'multicast'),
];

const inRange = (value: bigint, [base, bits, prefix]: Range) => {
  const shift = BigInt(bits - prefix);
  return value >> shift === base >> shift;
};

/** The class of an IP literal; anything that is not an IP at all is refused as `reserved`. */
export function classifyAddress(ip: string): AddressClass {
  const bare = ip.replace(/^\[|\]$/g, '');
  const family = isIP(bare.replace(/%.*$/, ''));
  if (family === 4) {
    const value = v4(bare)!;
    return V4_RANGES.find((r) => inRange(value, r))?.[3] ?? 'public';
  }
  if (family !== 6) return 'reserved';
  const value = v6(bare);
  if (value === null) return 'reserved';
  const low32 = value & 0xffffffffn;
  const asV4 = (n: bigint) => classifyAddress([24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.'));
  // Addresses that carry an IPv4 address reach it: judge the IPv4 one.
  if (value >> 32n === 0xffffn) return asV4(low32); // ::ffff:a.b.c.d
  if (value >> 32n === 0x64ff9b0000000000000000n) return asV4(low32); // NAT64 64:ff9b::/96
  if (value >> 112n === 0x2002n) return asV4((value >> 80n) & 0xffffffffn); // 6to4
  return V6_RANGES.find((r) => inRange(value, r))?.[3] ?? 'public';
}

const normalizeHost = (hostname: string) => hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');

export function isAllowListed(hostname: string, allowedHosts: readonly string[]): boolean {
  const host = normalizeHost(hostname);
  return allowedHosts.some((h) => normalizeHost(h) === host);
}

function refuseUnlessPublic(hostname: string, addresses: readonly string[]): void {
  for (const address of addresses) {
    const cls = classifyAddress(address);
    if (cls !== 'public') {
      const via = normalizeHost(hostname) === normalizeHost(address) ? '' : ` (${hostname} resolves to it)`;
      throw new TargetRefusedError(`refused to send to ${address}${via}: ${cls} address`);
    }
  }
}

function resolveAll(hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });
}

/**
 * Resolves a URL's host and refuses it unless every address is public or the host is allow-listed.
 * Returns the addresses to connect to.
 */
export async function vetTarget(url: URL, allowedHosts: readonly string[]): Promise<LookupAddress[]> {
  const host = normalizeHost(url.hostname);
  const allowed = isAllowListed(host, allowedHosts);
  const literal = isIP(host);
  if (literal) {
    if (!allowed) refuseUnlessPublic(host, [host]);
    return [{ address: host, family: literal }];
  }
  let addresses: LookupAddress[];
  try {
    addresses = await resolveAll(host);
  } catch (err) {
    throw new TargetRefusedError(`cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (addresses.length === 0) throw new TargetRefusedError(`cannot resolve ${host}`);
  if (!allowed) refuseUnlessPublic(host, addresses.map((a) => a.address));
  return addresses;
}

/**
 * A `lookup` for http.request that hands the socket only addresses vetted in the same step, so a DNS
 * answer cannot change between the check and the connect.
 */
export function guardedLookup(allowedHosts: readonly string[]): LookupFunction {
  return (hostname, options, callback) => {
    vetTarget(new URL(`http://${hostname.includes(':') ? `[${hostname}]` : hostname}`), allowedHosts).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        if (wanted.length === 0) return callback(new TargetRefusedError(`no IPv${options.family} address for ${hostname}`), '', 0);
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, wanted);
        return callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };
}
