import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The child script at `entry` (a TypeScript file), bundled on first use with everything it
 * imports: Node 20 cannot run TypeScript itself, and one file loads faster on a busy machine.
 * Returns the bundle's path; the bundle is removed when this process exits.
 */
export function bundledScript(entry: URL): () => Promise<string> {
  let bundled: Promise<string> | undefined;
  return () =>
    (bundled ??= (async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cemaf-children-'));
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      const path = fileURLToPath(entry);
      const outfile = join(dir, `${basename(path).replace(/\.ts$/, '')}.cjs`);
      await build({ entryPoints: [path], bundle: true, platform: 'node', format: 'cjs', target: 'node18', outfile, logLevel: 'warning' });
      return outfile;
    })());
}

const running = new Set<ChildProcess>();

/** Forks `script` with an IPC channel (structured clone), to be killed by {@link killChildren}. */
export function forkChild(script: string): ChildProcess {
  const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Kills every child still running (teardown, also after a failed test). */
export function killChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Real wall-clock ms, as the children measure it. */
export const wallNow = (): number => performance.timeOrigin + performance.now();
