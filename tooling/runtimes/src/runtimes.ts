import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The exact versions the matrix runs. Each comes from the npm registry's package of the same
 * name (its binary is inside, installed by the package's own install script), unless it is the
 * version of the Node running this script.
 */
export const versions = {
  node: ['18.20.8', '20.20.2', '22.23.3', '24.21.0'],
  bun: '1.4.5',
  deno: '2.9.6',
} as const;

/** A binary installed from the npm registry into the cache folder. */
export interface Download {
  /** Folder name in the cache, one per major: a new pin replaces the old install. */
  readonly id: string;
  readonly npmPackage: 'node' | 'bun' | 'deno';
  readonly version: string;
  /** Path of the binary inside the install folder. */
  readonly binary: string;
}

/** This process's Node, or a download. */
export type Binary = { readonly path: string } | Download;

export type Runtime =
  | {
      readonly kind: 'process';
      readonly label: string;
      readonly mode: 'import' | 'require';
      readonly binary: Binary;
      /** Arguments before the entry script. */
      readonly args: readonly string[];
      readonly env?: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'chromium'; readonly label: string };

/** Where downloaded runtimes live: outside the repository, kept between runs. */
export function cacheFolder(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return process.env.CEMAF_RUNTIMES_CACHE || join(base, 'cemaf-runtimes');
}

function nodeBinary(version: string): Binary {
  if (process.versions.node === version) return { path: process.execPath };
  return { id: `node-${version.split('.')[0]}`, npmPackage: 'node', version, binary: 'node_modules/node/bin/node' };
}

/** Every runtime of the matrix, in the order the table lists them. */
export function matrix(cache: string): Runtime[] {
  const runtimes: Runtime[] = [];
  for (const version of versions.node) {
    const binary = nodeBinary(version);
    const major = version.split('.')[0];
    for (const mode of ['import', 'require'] as const) {
      runtimes.push({ kind: 'process', label: `node ${major} (${mode})`, mode, binary, args: [] });
    }
  }
  runtimes.push({
    kind: 'process',
    label: 'bun (import)',
    mode: 'import',
    binary: { id: 'bun', npmPackage: 'bun', version: versions.bun, binary: 'node_modules/bun/bin/bun.exe' },
    args: [],
    env: { BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0', DO_NOT_TRACK: '1' },
  });
  runtimes.push({
    kind: 'process',
    label: 'deno (import)',
    mode: 'import',
    binary: { id: 'deno', npmPackage: 'deno', version: versions.deno, binary: 'node_modules/deno/deno' },
    // No permission is granted: the packages must need none. --no-lock: write no deno.lock.
    args: ['run', '--no-lock', '--quiet'],
    env: { DENO_DIR: join(cache, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', NO_COLOR: '1' },
  });
  runtimes.push({ kind: 'chromium', label: 'chromium (esm bundle)' });
  return runtimes;
}
