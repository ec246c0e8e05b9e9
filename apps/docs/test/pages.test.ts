// Every code example on the site is a real file that a test type-checks and runs: a page shows
// code only through VitePress snippet imports (`<<< path`), each of one of the site's own
// examples (examples/, run by examples/examples.test.ts) or of a package's own example
// (packages/<name>/examples/, type-checked and run by that package's tests). A package's example
// is shown from where it lives, never copied here.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import shared from '../../../vitest.shared.ts';
import { existingPackages } from '../.vitepress/packages.ts';

const docsDir = join(import.meta.dirname, '..');
const pagesDir = join(docsDir, 'pages');
const examplesDir = join(docsDir, 'examples');
const packagesDir = resolve(docsDir, '../../packages');

/** The pages a reader reads; the API reference is generated from TSDoc and shows no examples. */
const pages = ['index.md', 'guide', 'packages'].flatMap((entry) => {
  const path = join(pagesDir, entry);
  return entry.endsWith('.md') ? [path] : readdirSync(path).map((file) => join(path, file));
});
const textOf = new Map(pages.map((page) => [page, readFileSync(page, 'utf8')]));
const where = (page: string) => relative(pagesDir, page);

/**
 * Each snippet import of a page, resolved as VitePress 1.6 resolves it: `@` is the pages
 * folder, any other path is relative to the page; a `#region`, `{lines}`, `[title]` or
 * `{lang}` suffix is not part of the path.
 */
const imports = pages.flatMap((page) =>
  [...textOf.get(page)!.matchAll(/^ {0,3}<<<\s*(.+)$/gm)].map(([line, raw]) => {
    const path = raw!.trim().replace(/[#{[\s].*$/, '');
    const file = path.startsWith('@') ? join(pagesDir, path.slice(1)) : resolve(dirname(page), path);
    return { page: where(page), line: line.trim(), file };
  }),
);

/** The site's own examples: every `.ts` file of examples/ except its test. */
const ownExamples = readdirSync(examplesDir)
  .filter((name) => name.endsWith('.ts') && name !== 'examples.test.ts')
  .map((name) => join(examplesDir, name));

/** Every example file of every package, by path. */
const packageExamples = existingPackages(packagesDir).flatMap(({ slug }) => {
  const dir = join(packagesDir, slug, 'examples');
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.ts')).map((name) => join(dir, name)) : [];
});

/** `packages/<slug>/examples/<name>` of a path, or undefined for any other path. */
function packageExample(file: string): { slug: string; name: string } | undefined {
  const [top, slug, folder, name, ...rest] = relative(resolve(packagesDir, '..'), file).split(sep);
  return top === 'packages' && slug && folder === 'examples' && name && rest.length === 0 ? { slug, name } : undefined;
}

/** The longest run of identical lines (trimmed, blank lines skipped) that two texts share. */
function longestSharedRun(a: string, b: string): number {
  const lines = (text: string) => text.split('\n').map((line) => line.trim()).filter(Boolean);
  const [left, right] = [lines(a), lines(b)];
  let longest = 0;
  let previous = new Array<number>(right.length + 1).fill(0);
  for (const line of left) {
    const current = new Array<number>(right.length + 1).fill(0);
    for (let index = 0; index < right.length; index++) {
      if (line === right[index]) current[index + 1] = previous[index]! + 1;
      longest = Math.max(longest, current[index + 1]!);
    }
    previous = current;
  }
  return longest;
}

describe('the code on the site’s pages', () => {
  it('is never hand-written: only snippet imports', () => {
    for (const page of pages) {
      expect(textOf.get(page)!.match(/^ {0,3}(```|~~~)\s*(ts|typescript|js|javascript|mjs|cjs|vue|tsx|jsx)\b.*$/gm) ?? [], where(page)).toEqual([]);
    }
  });

  it('imports only files that exist: the site’s examples or a package’s own examples', () => {
    expect(imports.length).toBeGreaterThan(20);
    for (const { page, line, file } of imports) {
      const allowed = dirname(file) === examplesDir || packageExample(file) !== undefined;
      expect(allowed, `${page}: ${line} imports neither examples/ nor packages/*/examples/`).toBe(true);
      expect(existsSync(file), `${page}: ${line}: no such file`).toBe(true);
    }
  });

  it('shows every one of the site’s own examples', () => {
    const shown = new Set(imports.map(({ file }) => file));
    for (const file of ownExamples) expect(shown.has(file), `examples/${basename(file)} is on no page`).toBe(true);
  });

  it('shows only package examples that the package type-checks and runs', () => {
    const sharedInclude = shared.test?.include ?? [];
    for (const { page, line, file } of imports) {
      const example = packageExample(file);
      if (!example) continue;
      const packageDir = join(packagesDir, example.slug);
      const why = `${page}: ${line}`;
      // Type-checked by the package's `tsc --noEmit`.
      const tsconfig = readFileSync(join(packageDir, 'tsconfig.json'), 'utf8');
      expect(/"include"\s*:\s*\[[^\]]*"examples"/.test(tsconfig), `${why}: packages/${example.slug}/tsconfig.json does not include examples`).toBe(true);
      if (example.name.endsWith('.test.ts')) {
        // A test of its own, found by the workspace's shared vitest setup.
        expect(readFileSync(join(packageDir, 'vitest.config.ts'), 'utf8'), `${why}: the package's vitest config`).toContain('vitest.shared');
        expect(sharedInclude, why).toContain('examples/**/*.test.ts');
      } else {
        // Imported, and so run, by the package's examples test.
        const test = readFileSync(join(packageDir, 'examples', 'examples.test.ts'), 'utf8');
        const base = example.name.replace(/\.ts$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        expect(new RegExp(`['"]\\./${base}(\\.js|\\.ts)?['"]`).test(test), `${why}: packages/${example.slug}/examples/examples.test.ts never imports it`).toBe(true);
      }
    }
  });

  it('has no example of its own that copies a package’s example', () => {
    expect(packageExamples.length).toBeGreaterThan(10);
    const ownFiles = readdirSync(examplesDir).filter((name) => name.endsWith('.ts')).map((name) => join(examplesDir, name));
    for (const own of ownFiles) {
      for (const theirs of packageExamples) {
        const run = longestSharedRun(readFileSync(own, 'utf8'), readFileSync(theirs, 'utf8'));
        expect(run, `examples/${basename(own)} repeats ${run} lines of ${relative(resolve(packagesDir, '..'), theirs)}: show that file instead`).toBeLessThan(6);
      }
    }
  });
});

describe('the copy check', () => {
  it('finds a shared run of lines wherever it is, and only whole lines', () => {
    expect(longestSharedRun('a\nb\nc\nd', 'x\n  b\n\nc\nd\ny')).toBe(3);
    expect(longestSharedRun('a\nb', 'ab\nb a')).toBe(0);
  });
});
