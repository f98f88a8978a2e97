/** `npm run images` takes Debian packages from the mirror apt already uses: read from either sources format. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript without types: it runs before npm install
import { debianMirror } from '../../scripts/images.mjs';

const mirrorOf = debianMirror as (files: string[]) => string;

async function sources(files: Record<string, string>): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'apt-sources-'));
  return Promise.all(Object.entries(files).map(async ([name, text]) => {
    await writeFile(path.join(dir, name), text);
    return path.join(dir, name);
  }));
}

describe('the Debian mirror for debootstrap', () => {
  it('is the bookworm main URI of a deb822 .sources file, skipping security and other suites', async () => {
    const files = await sources({
      'debian.sources': [
        'Types: deb',
        'URIs: http://security.example/debian-security',
        'Suites: bookworm-security',
        'Components: main',
        '',
        'Types: deb deb-src',
        'URIs: http://mirror.example/debian',
        'Suites: bookworm bookworm-updates',
        'Components: main contrib',
        'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
      ].join('\n'),
    });
    expect(mirrorOf(files)).toBe('http://mirror.example/debian');
  });

  it('is read from one-line sources.list entries, options and all', async () => {
    const files = await sources({
      'sources.list': '# deb http://old.example/debian bookworm main\ndeb http://other.example/debian bullseye main\ndeb [arch=amd64] http://mirror.example/debian bookworm main non-free\n',
    });
    expect(mirrorOf(files)).toBe('http://mirror.example/debian');
  });

  it('falls back to deb.debian.org when no source serves bookworm main', async () => {
    const files = await sources({ 'nodesource.sources': 'Types: deb\nURIs: https://deb.nodesource.com/node_20.x\nSuites: nodistro\nComponents: main\n' });
    expect(mirrorOf(files)).toBe('http://deb.debian.org/debian');
  });
});
