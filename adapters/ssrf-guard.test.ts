import { describe, expect, it } from 'vitest';
import { classifyAddress, isAllowListed, TargetRefusedError, vetTarget } from './ssrf-guard.js';

describe('classifyAddress', () => {
  it.each([
    ['169.254.169.254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['not-an-ip', 'reserved'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });

  it('judges IPv4 addresses wrapped in IPv6 by the IPv4 address they reach', () => {
    expect(classifyAddress('::ffff:127.0.0.1')).toBe('loopback');
    expect(classifyAddress('::ffff:a9fe:a9fe')).toBe('metadata');
    expect(classifyAddress('64:ff9b::10.0.0.1')).toBe('private');
    expect(classifyAddress('2002:a9fe:a9fe::1')).toBe('metadata');
    expect(classifyAddress('::ffff:8.8.8.8')).toBe('public');
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e'])('%s is public', (ip) => {
    expect(classifyAddress(ip)).toBe('public');
  });
});

describe('vetTarget', () => {
  it('refuses internal literals and names that resolve to internal addresses', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://10.0.0.1/', 'http://[::1]:8080/', 'http://localhost:9/']) {
      await expect(vetTarget(new URL(url), [])).rejects.toBeInstanceOf(TargetRefusedError);
    }
    await expect(vetTarget(new URL('http://localhost:9/'), [])).rejects.toThrow(/localhost resolves to it\): loopback/);
  });

  it('lets an allow-listed host through and nothing else', async () => {
    await expect(vetTarget(new URL('http://127.0.0.1:9/'), ['127.0.0.1'])).resolves.toEqual([{ address: '127.0.0.1', family: 4 }]);
    await expect(vetTarget(new URL('http://localhost:9/'), ['127.0.0.1'])).rejects.toThrow(/loopback/);
    expect(isAllowListed('LOCALHOST.', ['localhost'])).toBe(true);
    expect(isAllowListed('[::1]', ['::1'])).toBe(true);
  });

  it('explains a name that does not resolve', async () => {
    await expect(vetTarget(new URL('http://does-not-exist.invalid/'), [])).rejects.toThrow(/cannot resolve does-not-exist.invalid/);
  });
});
