import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { existingPackages, plannedPackages, sitePackages } from './packages.ts';

const docsDir = resolve(import.meta.dirname, '..');
const packagesDir = resolve(docsDir, '../../packages');

describe('the site’s packages', () => {
  it('give every package of the workspace a page, the Redis ones included', () => {
    const existing = sitePackages(packagesDir, join(docsDir, 'pages')).filter((info) => info.exists);
    expect(existing.map((info) => info.slug)).toEqual(expect.arrayContaining(['retry', 'circuit-breaker-redis', 'redis-client']));
    for (const info of existing) expect(info.page, `pages/packages/${info.slug}.md`).toBe(`/packages/${info.slug}`);
  });

  it('list every package of the workspace in reading order', () => {
    const slugs = existingPackages(packagesDir).map((info) => info.slug);
    const planned = plannedPackages.map((info) => info.slug).filter((slug) => slugs.includes(slug));
    expect(slugs.slice(0, planned.length)).toEqual(planned);
  });

  describe('in a workspace of their own', () => {
    let root = '';
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    const setUp = () => {
      root = mkdtempSync(join(tmpdir(), 'cemaf-docs-'));
      const add = (slug: string, manifest: object, source = true) => {
        mkdirSync(join(root, 'packages', slug, 'src'), { recursive: true });
        writeFileSync(join(root, 'packages', slug, 'package.json'), JSON.stringify(manifest));
        if (source) writeFileSync(join(root, 'packages', slug, 'src', 'index.ts'), 'export {};\n');
      };
      add('retry', { name: '@cemaf/retry' });
      add('zeta', { name: '@cemaf/zeta', description: 'a package nobody planned' });
      add('private', { name: '@cemaf/private', private: true });
      add('empty', { name: '@cemaf/empty' }, false);
      mkdirSync(join(root, 'pages', 'packages'), { recursive: true });
      mkdirSync(join(root, 'pages', 'api', 'zeta'), { recursive: true });
      writeFileSync(join(root, 'pages', 'packages', 'retry.md'), '# retry\n');
      writeFileSync(join(root, 'pages', 'packages', 'timeout.md'), '# timeout\n');
      writeFileSync(join(root, 'pages', 'api', 'zeta', 'index.md'), '# zeta\n');
      return { packages: join(root, 'packages'), pages: join(root, 'pages') };
    };

    it('take only published packages with sources, planned ones first', () => {
      const { packages } = setUp();
      expect(existingPackages(packages)).toEqual([
        plannedPackages.find((info) => info.slug === 'retry'),
        { name: '@cemaf/zeta', slug: 'zeta', summary: 'a package nobody planned' },
      ]);
    });

    it('link a page or an API reference only where it exists, and nothing for a package not there', () => {
      const { packages, pages } = setUp();
      const bySlug = new Map(sitePackages(packages, pages).map((info) => [info.slug, info]));
      expect(bySlug.get('retry')).toMatchObject({ exists: true, page: '/packages/retry', api: undefined });
      expect(bySlug.get('zeta')).toMatchObject({ exists: true, page: undefined, api: '/api/zeta/' });
      // A page written before its package exists is not linked.
      expect(bySlug.get('timeout')).toMatchObject({ exists: false, page: undefined, api: undefined });
      expect(bySlug.has('private')).toBe(false);
    });
  });
});
