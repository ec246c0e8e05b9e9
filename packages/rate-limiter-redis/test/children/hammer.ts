// A child process for the multi-process tests: it builds RedisRateLimiters on one key and calls
// them as fast as it can until told to stop, then reports every decision. Bundled by
// test/processes.ts with esbuild and run with child_process.fork.
import { performance } from 'node:perf_hooks';
import { systemClock, type Clock } from '@cemaf/core';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { RedisRateLimiter, type RedisRateLimiterOptions } from '../../src/index.js';
import type { Grant, Job, Outcome, Refusal, ToChild } from '../processes.js';

// The true time (the machine's wall clock), read before this process skews its own.
const realNow = performance.now.bind(performance);
const trueNow = () => performance.timeOrigin + realNow();

function skewTimeSource(skew: number): void {
  if (skew === 0) return;
  const realDateNow = Date.now.bind(Date);
  performance.now = () => realNow() + skew;
  Date.now = () => realDateNow() + skew;
}

/** The child's own clock: wall time as this process sees it, skew included. */
const ownClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: (ms, signal) => systemClock.sleep(ms, signal),
};

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

async function connect(job: Job): Promise<{ client: unknown; close(): Promise<unknown> }> {
  if (job.client === 'ioredis') {
    const client = new Redis(job.url);
    return { client, close: () => client.quit() };
  }
  const client = createClient({ url: job.url });
  client.on('error', () => undefined);
  await client.connect();
  return { client, close: () => client.quit() };
}

async function run(job: Job, until: number): Promise<Outcome> {
  const connection = await connect(job);
  const grants: Grant[] = [];
  const refusals: Refusal[] = [];
  const errors: string[] = [];
  const next = random(job.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const worker = async (index: number) => {
    // One limiter per worker: each is its own owner in Redis, as another process would be.
    const options: RedisRateLimiterOptions = {
      ...job.options,
      redis: connection.client as RedisRateLimiterOptions['redis'],
      prefix: job.prefix,
      ...(job.callerClock ? { clock: ownClock } : {}),
    };
    const limiter = new RedisRateLimiter(options);
    // The wait the current acquire was given, and when this worker heard of it.
    const heard: { delay: number | undefined; at: number } = { delay: undefined, at: 0 };
    limiter.on('wait', ({ delay }) => {
      heard.delay = delay;
      heard.at = trueNow();
    });
    let calls = 0;
    while (trueNow() < until && (job.calls === undefined || calls < job.calls)) {
      calls++;
      const cost = pick(job.costs);
      const kind = pick(job.kinds);
      const sent = trueNow();
      try {
        if (kind === 'try') {
          const decision = await limiter.tryAcquire({ key: job.key, cost });
          const at = { lo: sent, hi: trueNow() };
          if (decision.allowed) grants.push({ worker: index, kind, cost, ...at, decision });
          else refusals.push({ worker: index, kind, cost, ...at, decision });
        } else {
          heard.delay = undefined;
          const abort = kind === 'abort' ? AbortSignal.timeout(job.abortAfter ?? 20) : undefined;
          await limiter.acquire({ key: job.key, cost, signal: abort });
          const done = trueNow();
          // The permit counts at the script's time plus the wait it was given.
          // Set by the wait listener meanwhile (TypeScript cannot see that).
          const delay = heard.delay as number | undefined;
          const at = delay === undefined ? { lo: sent, hi: done } : { lo: sent + delay, hi: heard.at + delay };
          grants.push({ worker: index, kind, cost, ...at });
        }
      } catch (error) {
        const at = { lo: sent, hi: trueNow() };
        const reason = error as { code?: string; name?: string; message?: string };
        if (reason.code === 'RATE_LIMITED') refusals.push({ worker: index, kind, cost, ...at });
        else if (reason.name === 'TimeoutError' && kind === 'abort') refusals.push({ worker: index, kind, cost, ...at, aborted: true });
        else errors.push(String(reason.message ?? error));
      }
    }
    // What aborted calls give back is sent after their answer: let it go out before quitting.
    for (let quiet = 0; quiet < 3; quiet = limiter.stats().inFlight === 0 ? quiet + 1 : 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const stats = limiter.stats();
    if (stats.storeErrors > 0) errors.push(`${stats.storeErrors} store errors`);
  };
  await Promise.all(Array.from({ length: job.workers }, (_, index) => worker(index)));
  await connection.close();
  return { grants, refusals, errors };
}

let job: Job | undefined;
process.on('message', (message: ToChild) => {
  if (message.type === 'job') {
    job = message.job;
    skewTimeSource(job.skew);
    process.send!({ type: 'ready' });
  } else {
    void run(job!, message.until).then(
      (outcome) => process.send!({ type: 'done', outcome }, () => process.exit(0)),
      (error: unknown) => process.send!({ type: 'done', outcome: { grants: [], refusals: [], errors: [String(error)] } }, () => process.exit(1)),
    );
  }
});
