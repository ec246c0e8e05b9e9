// Decisions per second against a real Redis, at concurrency 1 and 64: a bare EVALSHA of a trivial
// script (one round trip: the physical limit), RedisRateLimiter.tryAcquire (each algorithm), and
// rate-limiter-flexible's RateLimiterRedis.consume. Run with `pnpm bench` (builds first). Uses
// REDIS_URL when set, else starts redis-server on a free loopback port.
//
// Each figure is the median of --rounds runs, taken in turns over the contenders so that a busy
// moment of the machine does not land on one of them only.
//
//   node bench/redis-bench.mjs [--seconds 2] [--rounds 3] [--json results.json]
import { writeFileSync } from 'node:fs';
import { argument, benchRedis, median } from '@cemaf/test-utils/bench.mjs';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { createClient } from 'redis';
import { RedisRateLimiter } from '../dist/index.js';

const SECONDS = Number(argument('seconds', '2'));
const ROUNDS = Number(argument('rounds', '3'));
const JSON_OUT = argument('json', undefined);
const KEYS = 1_000;

/** Runs `call(i)` from `concurrency` loops for SECONDS (after a warm-up); returns calls/s. */
async function measure(concurrency, call) {
  let stop = false;
  let done = 0;
  const loop = async (offset) => {
    for (let index = offset; !stop; index += concurrency) {
      await call(index);
      done++;
    }
  };
  const warm = Array.from({ length: concurrency }, (_, offset) => loop(offset));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const start = performance.now();
  const before = done;
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1_000));
  const elapsed = performance.now() - start;
  const count = done - before;
  stop = true;
  await Promise.all(warm);
  return Math.round((count / elapsed) * 1_000);
}

const server = await benchRedis();
const ioredis = new Redis(server.url);
const nodeRedis = createClient({ url: server.url });
await nodeRedis.connect();
await ioredis.flushdb();

const trivialSha = await ioredis.script('LOAD', 'return 1');
const key = (index) => `user:${index % KEYS}`;
let round = 0;
const fresh = () => `bench:${++round}:`;

/** [name, make a call(i) for one run] */
const contenders = [
  ['bare EVALSHA (return 1), ioredis', () => (index) => ioredis.evalsha(trivialSha, 1, `bare:${key(index)}`)],
  ['bare EVALSHA (return 1), node-redis', () => (index) => nodeRedis.evalSha(trivialSha, { keys: [`bare:${key(index)}`] })],
  ...['sliding-window', 'token-bucket', 'fixed-window'].map((algorithm) => [
    `cemaf RedisRateLimiter ${algorithm}, ioredis`,
    () => {
      const limiter = new RedisRateLimiter({ redis: ioredis, prefix: fresh(), algorithm, maxCalls: 1e9, timeWindow: 60_000 });
      return (index) => limiter.tryAcquire({ key: key(index) });
    },
  ]),
  [
    'cemaf RedisRateLimiter sliding-window, node-redis',
    () => {
      const limiter = new RedisRateLimiter({ redis: nodeRedis, prefix: fresh(), maxCalls: 1e9, timeWindow: 60_000 });
      return (index) => limiter.tryAcquire({ key: key(index) });
    },
  ],
  [
    'rate-limiter-flexible RateLimiterRedis (fixed window), ioredis',
    () => {
      const limiter = new RateLimiterRedis({ storeClient: ioredis, keyPrefix: fresh(), points: 1e9, duration: 60 });
      return (index) => limiter.consume(key(index));
    },
  ],
  // Over the limit: every decision is a refusal.
  [
    'cemaf RedisRateLimiter sliding-window, refusing, ioredis',
    () => {
      const limiter = new RedisRateLimiter({ redis: ioredis, prefix: fresh(), maxCalls: 10, timeWindow: 600_000 });
      return (index) => limiter.tryAcquire({ key: key(index) });
    },
  ],
  [
    'rate-limiter-flexible RateLimiterRedis, refusing, ioredis',
    () => {
      const limiter = new RateLimiterRedis({ storeClient: ioredis, keyPrefix: fresh(), points: 10, duration: 600 });
      return (index) => limiter.consume(key(index)).catch(() => undefined);
    },
  ],
];

const runs = contenders.map(() => ({ 1: [], 64: [] }));
console.log(`Redis ${server.url}, ${KEYS} keys round robin, median of ${ROUNDS} runs of ${SECONDS} s, Node ${process.version}`);
for (let round = 0; round < ROUNDS; round++) {
  for (const [index, [, make]] of contenders.entries()) {
    for (const concurrency of [1, 64]) {
      const rate = await measure(concurrency, make());
      runs[index][concurrency].push(rate);
      process.stderr.write(`round ${round + 1}: ${contenders[index][0]}, concurrency ${concurrency}: ${rate}/s\n`);
    }
  }
}
const results = contenders.map(([name], index) => ({
  name,
  concurrency1: median(runs[index][1]),
  concurrency64: median(runs[index][64]),
  runs: runs[index],
}));
console.log('| contender | concurrency 1 | concurrency 64 |');
console.log('| --- | ---: | ---: |');
for (const { name, concurrency1, concurrency64 } of results) {
  console.log(`| ${name} | ${concurrency1.toLocaleString('en')} | ${concurrency64.toLocaleString('en')} |`);
}
if (JSON_OUT) {
  const machine = { cpus: (await import('node:os')).cpus().length, load: (await import('node:os')).loadavg() };
  writeFileSync(JSON_OUT, JSON.stringify({ date: new Date().toISOString(), node: process.version, machine, results }, null, 2));
}

await ioredis.quit();
await nodeRedis.quit();
await server.stop();
