import type { Options } from 'tsup';

/** The build every published package shares: ESM + CJS, types for both, unminified. */
export function packageBuild(entry: string[] = ['src/index.ts']): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    treeshake: true,
    sourcemap: false,
    splitting: true,
  };
}
