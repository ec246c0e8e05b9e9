/**
 * Runs one measurement in a fresh Node process (`--expose-gc`, its own heap and event loop) and
 * returns what it sends back. Memory and event-loop figures are only meaningful in isolation.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../child-entry.mjs', import.meta.url));

export function inChild(section, args, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(ENTRY, [section, JSON.stringify(args)], {
      execArgv: ['--expose-gc'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('message', (message) => {
      result = message;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result?.error) reject(new Error(`${section} ${JSON.stringify(args)}: ${result.error}`));
      else if (result) resolve(result.value);
      else reject(new Error(`${section} ${JSON.stringify(args)}: exited with ${signal ?? code} before reporting`));
    });
  });
}

/** Runs `tasks` (functions returning promises) with at most `limit` at once, in order. */
export async function inParallel(tasks, limit) {
  const results = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
