// The closed-state overhead of RedisCircuitBreaker: ns per call of `await breaker.execute(fn)`
// against the in-memory CircuitBreaker and a bare `await fn()`, with a real Redis behind it (its
// outcomes are reported in the background), and one Redis round trip for scale. Run with
// `pnpm bench` (builds first). Uses REDIS_URL when set, else starts redis-server on a free
// loopback port.
//
// Each figure is the median of --rounds runs of --calls sequential calls, taken in turns over the
// contenders so that a busy moment of the machine does not land on one of them only.
//
//   node bench/breaker-bench.mjs [--calls 200000] [--rounds 7] [--json results.json]
import { writeFileSync } from 'node:fs';
import { argument, benchRedis, median } from '@cemaf/test-utils/bench.mjs';
import { CircuitBreaker } from '@cemaf/circuit-breaker';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { RedisCircuitBreaker } from '../dist/index.js';

const CALLS = Number(argument('calls', '200000'));
const ROUNDS = Number(argument('rounds', '7'));
const JSON_OUT = argument('json', undefined);

/** ns per call of `CALLS` sequential awaited calls. */
async function measure(call, calls = CALLS) {
  const start = performance.now();
  for (let index = 0; index < calls; index++) await call();
  return ((performance.now() - start) * 1e6) / calls;
}

const server = await benchRedis();
const ioredis = new Redis(server.url);
const nodeRedis = createClient({ url: server.url });
await nodeRedis.connect();

const fn = () => 1;
const asyncFn = async () => 1;
const name = `bench-${process.pid}`;
const inMemory = new CircuitBreaker();
const overIoredis = new RedisCircuitBreaker({ redis: ioredis, name: `${name}-ioredis` });
const overNodeRedis = new RedisCircuitBreaker({ redis: nodeRedis, name: `${name}-node-redis` });
// Each has its first answer from Redis.
await overIoredis.execute(fn);
await overNodeRedis.execute(fn);

const contenders = [
  ['bare `await fn()`', () => fn()],
  ['`CircuitBreaker` (in memory)', () => inMemory.execute(fn)],
  ['**`RedisCircuitBreaker`**, ioredis', () => overIoredis.execute(fn)],
  ['**`RedisCircuitBreaker`**, node-redis', () => overNodeRedis.execute(fn)],
  ['bare `await asyncFn()`', () => asyncFn()],
  ['`CircuitBreaker`, async fn', () => inMemory.execute(asyncFn)],
  ['**`RedisCircuitBreaker`**, async fn, ioredis', () => overIoredis.execute(asyncFn)],
];
const roundTrip = [['one Redis round trip (`PING`), ioredis', () => ioredis.ping()]];

const runs = new Map([...contenders, ...roundTrip].map(([label]) => [label, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [label, call] of contenders) runs.get(label).push(await measure(call));
  for (const [label, call] of roundTrip) runs.get(label).push(await measure(call, 5_000));
}
const rows = [...runs].map(([label, values]) => ({ label, median: median(values), low: Math.min(...values), high: Math.max(...values) }));

const reports = overIoredis.stats();
console.log(`Node ${process.versions.node}, ${CALLS} calls per run, median of ${ROUNDS} runs taken in turns; ns per call (lowest to highest run)\n`);
console.log('| contender | ns per call |');
console.log('| --- | ---: |');
for (const { label, median: value, low, high } of rows) {
  console.log(`| ${label} | ${value.toFixed(0)} (${low.toFixed(0)} to ${high.toFixed(0)}) |`);
}
console.log(`\nRedisCircuitBreaker (ioredis) after the run: ${reports.successes} calls, ${reports.pending} outcomes pending, ${reports.storeErrors} store errors.`);
if (JSON_OUT) writeFileSync(JSON_OUT, `${JSON.stringify({ node: process.versions.node, calls: CALLS, rounds: ROUNDS, rows, at: new Date().toISOString() }, null, 2)}\n`);

await Promise.all([overIoredis.close(), overNodeRedis.close()]);
await ioredis.quit();
await nodeRedis.quit();
await server.stop();
