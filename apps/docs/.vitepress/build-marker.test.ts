import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildMarker, isFreshBuild } from './build-marker.ts';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A workspace with the docs and one package, every file dated `at` (s since the epoch). */
function workspace(at: number) {
  root = mkdtempSync(join(tmpdir(), 'cemaf-docs-'));
  const docs = join(root, 'apps', 'docs');
  const file = (path: string, when = at) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '');
    utimesSync(path, when, when);
  };
  for (const path of ['pages/index.md', '.vitepress/config.ts', 'examples/a.ts', 'package.json']) file(join(docs, path));
  for (const path of ['src/index.ts', 'src/index.test.ts', 'dist/index.js']) file(join(root, 'packages', 'retry', path));
  return { docs, file, out: join(docs, '.vitepress', 'dist') };
}

describe('isFreshBuild', () => {
  it('is false without a finished build', () => {
    const { docs, out } = workspace(1_000);
    expect(isFreshBuild(docs, out)).toBe(false);
  });

  it('is true when the build finished after every input changed', () => {
    const { docs, out, file } = workspace(1_000);
    file(join(out, buildMarker), 2_000);
    // Generated files and a package's tests do not count.
    file(join(docs, 'pages', 'api', 'retry', 'index.md'), 3_000);
    file(join(docs, '.vitepress', 'cache', 'x.json'), 3_000);
    file(join(docs, '.vitepress', 'config.ts.timestamp-1-a.mjs'), 3_000);
    file(join(root, 'packages', 'retry', 'src', 'index.test.ts'), 3_000);
    expect(isFreshBuild(docs, out)).toBe(true);
  });

  it.each([
    ['a page', 'apps/docs/pages/guide/new.md'],
    ['the theme', 'apps/docs/.vitepress/theme/components/X.vue'],
    ['an example, tests included', 'apps/docs/examples/a.test.ts'],
    ["a package's source", 'packages/retry/src/index.ts'],
    ["a package's build", 'packages/retry/dist/index.js'],
    ["a package's example, tests included", 'packages/retry/examples/quick-start.test.ts'],
  ])('is false once %s changed after the build', (_what, path) => {
    const { docs, out, file } = workspace(1_000);
    file(join(out, buildMarker), 2_000);
    file(join(root, path), 3_000);
    expect(isFreshBuild(docs, out)).toBe(false);
  });
});
