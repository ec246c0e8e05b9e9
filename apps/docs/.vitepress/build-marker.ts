import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Written into the output folder when a build has finished. */
export const buildMarker = '.cemaf-build.json';

/** The latest modification time, in ms, of the files under `dir` (0 when there is none). */
function latestChange(dir: string, skip: (path: string) => boolean): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (skip(path)) continue;
    latest = Math.max(latest, entry.isDirectory() ? latestChange(path, skip) : statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * Whether the build in `outDir` finished and is newer than everything it was built from: the
 * site's pages, theme, config and examples, and the packages' sources, builds and examples (the
 * pages show those, tests included).
 */
export function isFreshBuild(docsDir: string, outDir: string): boolean {
  const marker = join(outDir, buildMarker);
  if (!existsSync(marker)) return false;
  const builtAt = statSync(marker).mtimeMs;
  const generated = ['/cache', '/dist', '/e2e-dist', '/.temp', '/api', '/node_modules'];
  const skipGenerated = (path: string) => generated.some((suffix) => path.endsWith(suffix)) || /\.timestamp-[^/]*$/.test(path);
  // A package's tests are not part of what the site shows.
  const skipTests = (path: string) => skipGenerated(path) || /\.test(-d)?\.ts$/.test(path);
  const changed = (input: string, skip: (path: string) => boolean) =>
    !existsSync(input) ? 0 : statSync(input).isDirectory() ? latestChange(input, skip) : statSync(input).mtimeMs;
  const packagesDir = join(docsDir, '..', '..', 'packages');
  const packages = existsSync(packagesDir) ? readdirSync(packagesDir) : [];
  return (
    ['pages', '.vitepress', 'examples', 'package.json'].every((input) => changed(join(docsDir, input), skipGenerated) <= builtAt) &&
    packages.every(
      (name) =>
        changed(join(packagesDir, name, 'src'), skipTests) <= builtAt &&
        changed(join(packagesDir, name, 'dist'), skipGenerated) <= builtAt &&
        changed(join(packagesDir, name, 'examples'), skipGenerated) <= builtAt,
    )
  );
}
