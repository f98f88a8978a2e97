import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, tileSource } from './content-security.js';

describe('the pages’ Content-Security-Policy', () => {
  it('lets each inline script run by its hash only', () => {
    const policy = contentSecurityPolicy(['<script>boot()</script><script src="/app.js"></script>']);
    expect(policy).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+';/);
    expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('allows images from the configured tile server, also over plain http on this network', () => {
    expect(tileSource('http://127.0.0.1:8089/tiles/{z}/{x}/{y}.png')).toBe('http://127.0.0.1:8089');
    expect(tileSource('https://{s}.tile.example.org/{z}/{x}/{y}.png')).toBe('https://*.tile.example.org');
    expect(tileSource('/tiles/{z}/{x}/{y}.png')).toBeNull();
    expect(contentSecurityPolicy([], 'http://127.0.0.1:8089/{z}/{x}/{y}.png')).toContain("img-src 'self' data: blob: https: http://127.0.0.1:8089;");
    expect(contentSecurityPolicy([])).toContain("img-src 'self' data: blob: https:;");
  });
});
