// What the benchmarks share, in plain JavaScript because Node runs them directly. Types: bench.d.mts.
import { testRedis } from './redis-server.mjs';

/**
 * The value after `--name` on the command line, or `fallback`.
 * @param {string} name
 * @param {string | undefined} fallback
 * @returns {string | undefined}
 */
export function argument(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
}

/**
 * @param {readonly number[]} values
 * @returns {number}
 */
export function median(values) {
  return /** @type {number} */ ([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]);
}

/** @returns {Promise<import('./redis-server.d.mts').TestRedis>} */
export function benchRedis() {
  // Exit (running the exit hook that kills the server) on Ctrl-C too.
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));
  return testRedis();
}
