import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A package of the tree: a folder of `packages/` with a `src/index.ts`. */
export interface TreePackage {
  readonly name: string;
  readonly folder: string;
  readonly dir: string;
}

export function treePackages(repo: string): TreePackage[] {
  const packagesDir = join(repo, 'packages');
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(packagesDir, entry.name))
    .filter((dir) => existsSync(join(dir, 'src', 'index.ts')) && existsSync(join(dir, 'package.json')))
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string };
      return { name: manifest.name, folder: dir.slice(packagesDir.length + 1), dir };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

type ExportsValue = string | null | { readonly [condition: string]: ExportsValue };

/** The file an exports map entry names under `conditions`, as Node resolves it. */
function target(value: ExportsValue | undefined, conditions: readonly string[]): string | undefined {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return undefined;
  for (const [condition, nested] of Object.entries(value)) {
    if (condition === 'default' || conditions.includes(condition)) {
      const found = target(nested, conditions);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * What stops the matrix from loading `pkg` as a user would: not linked into this package's
 * node_modules (so turbo would not build it first either), or a file its exports map names for
 * `import` or `require` is missing (not built).
 */
export function loadProblems(pkg: TreePackage, runtimesDir: string): string[] {
  const problems: string[] = [];
  if (!existsSync(join(runtimesDir, 'node_modules', pkg.name, 'package.json'))) {
    problems.push(
      `${pkg.name} is not a devDependency of @cemaf/runtimes: flock /tmp/cemaf-pnpm.lock pnpm add -D "${pkg.name}@workspace:*" --filter @cemaf/runtimes`,
    );
  }
  const manifest = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as {
    exports?: Record<string, ExportsValue>;
  };
  const entries = Object.entries(manifest.exports ?? {}).filter(([subpath]) => subpath !== './package.json');
  if (entries.length === 0) problems.push(`${pkg.name} has no exports map`);
  for (const [subpath, value] of entries) {
    for (const condition of ['import', 'require']) {
      const file = target(value, ['node', condition]);
      if (file === undefined) problems.push(`${pkg.name} exports "${subpath}" has no "${condition}" target`);
      else if (!existsSync(join(pkg.dir, file)))
        problems.push(`${pkg.name} is not built: ${subpath} -> ${file} (${condition}) is missing`);
    }
  }
  return problems;
}

export interface SmokeModule {
  readonly name: string;
  /** The entries it loads (`@cemaf/core/internal` is one), and the packages they belong to. */
  readonly entries: readonly string[];
  readonly packages: readonly string[];
}

interface Registry {
  smokeModules: Record<string, () => Promise<{ default: { packages: string[] } }>>;
}

const packageOf = (entry: string): string => entry.split('/').slice(0, 2).join('/');

/** The smoke modules of smoke/registry.js, with what they load. */
export async function smokeModules(runtimesDir: string): Promise<SmokeModule[]> {
  const registryUrl = pathToFileURL(join(runtimesDir, 'smoke', 'registry.js')).href;
  const { smokeModules: loaders } = (await import(registryUrl)) as Registry;
  const modules: SmokeModule[] = [];
  for (const [name, load] of Object.entries(loaders)) {
    const { packages: entries } = (await load()).default;
    modules.push({ name, entries, packages: [...new Set(entries.map(packageOf))] });
  }
  return modules;
}
