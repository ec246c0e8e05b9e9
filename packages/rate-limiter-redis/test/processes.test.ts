import { afterEach, describe, expect, it } from 'vitest';
import { RedisRateLimiter, type RateLimitAlgorithm } from '../src/index.js';
import {
  fullestFixedWindow,
  fullestSlidingWindow,
  killChildren,
  runChildren,
  tokenBucketExcess,
  type Job,
  type Outcome,
} from './processes.js';
import { redisServer, uniquePrefix, useIoredis } from '@cemaf/test-utils/redis';

const ALGORITHMS: readonly RateLimitAlgorithm[] = ['sliding-window', 'token-bucket', 'fixed-window'];
const sum = (items: readonly { cost: number }[]) => items.reduce((total, item) => total + item.cost, 0);
const grantsOf = (outcomes: readonly Outcome[]) => outcomes.flatMap((outcome) => outcome.grants);

describe.skipIf(!redisServer.available)('RedisRateLimiter shared by 4 processes', () => {
  const redis = useIoredis();
  afterEach(() => killChildren());

  /** One job per child, numbered. */
  const jobs = (count: number, job: (index: number) => Omit<Job, 'url' | 'seed'>): Job[] =>
    Array.from({ length: count }, (_, index) => ({ ...job(index), url: redis.url, seed: 1 + index * 7919 }));

  /** The budget as Redis holds it now, peeked by a limiter of this process. */
  const remainingOf = (job: Job) =>
    new RedisRateLimiter({ ...job.options, redis: redis.client, prefix: job.prefix })
      .tryAcquire({ key: job.key, cost: 0 })
      .then((decision) => decision.remaining);

  describe.each(ALGORITHMS)('%s', (algorithm) => {
    it('loses and double-counts nothing: granted permits plus what remains is the capacity, exactly', async () => {
      // A window far longer than the run: every permit stays counted, so the books must balance.
      const capacity = 150;
      const options =
        algorithm === 'token-bucket'
          ? { algorithm, maxCalls: 1, timeWindow: 3_600_000, burst: capacity }
          : { algorithm, maxCalls: capacity, timeWindow: 3_600_000 };
      const prefix = uniquePrefix('books');
      const all = jobs(4, (index) => ({
        client: index % 2 === 0 ? 'ioredis' : 'node-redis',
        prefix,
        key: 'shared',
        // Three take permits at once or are refused (maxWait: 0); the fourth queues for an hour
        // and aborts, giving its reservation back.
        options: index === 3 ? options : { ...options, maxWait: 0 },
        workers: 4,
        kinds: index === 3 ? ['try', 'abort'] : ['try', 'acquire'],
        costs: [1, 1, 2, 3],
        // 1 ms: some aborts land while the decision is on its way, some while waiting.
        abortAfter: 1,
        calls: 40,
        skew: 0,
        callerClock: false,
      }));
      const outcomes = await runChildren(all, 30_000);
      expect(outcomes.flatMap((outcome) => outcome.errors)).toEqual([]);
      const granted = sum(grantsOf(outcomes));
      expect(granted).toBeLessThanOrEqual(capacity);
      expect(granted + (await remainingOf(all[0]!))).toBe(capacity);
      // Every refused tryAcquire saw too few permits for its cost.
      for (const refusal of outcomes.flatMap((outcome) => outcome.refusals)) {
        if (refusal.decision) expect(refusal.decision.remaining).toBeLessThan(refusal.cost);
      }
    });

    it('never lets any window hold more than its limit while all 4 hammer one key', async () => {
      const options =
        algorithm === 'token-bucket'
          ? { algorithm, maxCalls: 8, timeWindow: 400, burst: 4 }
          : { algorithm, maxCalls: 6, timeWindow: 300 };
      const prefix = uniquePrefix('hammer');
      const all = jobs(4, (index) => ({
        client: index % 2 === 0 ? 'ioredis' : 'node-redis',
        prefix,
        key: 'shared',
        options: { ...options, maxWait: 1_500 },
        workers: 3,
        // The fixed window is checked from tryAcquire's resetAfter, so it only tries.
        kinds: algorithm === 'fixed-window' ? ['try'] : ['try', 'acquire', 'acquire'],
        costs: [1, 1, 2],
        skew: 0,
        callerClock: false,
      }));
      const outcomes = await runChildren(all, 2_000);
      expect(outcomes.flatMap((outcome) => outcome.errors)).toEqual([]);
      const grants = grantsOf(outcomes);
      expect(grants.length).toBeGreaterThan(10);
      if (algorithm === 'sliding-window') expect(fullestSlidingWindow(grants, options.timeWindow)).toBeLessThanOrEqual(options.maxCalls);
      if (algorithm === 'fixed-window') expect(fullestFixedWindow(grants, options.timeWindow)).toBeLessThanOrEqual(options.maxCalls);
      if (algorithm === 'token-bucket') {
        expect(tokenBucketExcess(grants, options.maxCalls / options.timeWindow, options.burst!)).toBeLessThanOrEqual(1e-9);
      }
      // Under this load the limit is reached, not merely respected: double counting would halve it.
      const span = Math.max(...grants.map((grant) => grant.hi)) - Math.min(...grants.map((grant) => grant.lo));
      const rate = options.maxCalls / options.timeWindow;
      expect(sum(grants)).toBeGreaterThanOrEqual(0.6 * rate * span);
    });

    it('shares one exact window across processes whose clocks disagree by seconds: time comes from Redis', async () => {
      // Windows far longer than the run (the bucket refills 1 token per 20 s), far shorter than
      // the 70 s between the clocks of the children behind and ahead.
      const options =
        algorithm === 'token-bucket'
          ? { algorithm, maxCalls: 1, timeWindow: 20_000, burst: 40 }
          : { algorithm, maxCalls: 40, timeWindow: 60_000 };
      const run = async (callerClock: boolean) => {
        const prefix = uniquePrefix(callerClock ? 'own-clocks' : 'server-time');
        const phase = (skews: readonly number[]) =>
          runChildren(
            skews.map((skew, index) => ({
              url: redis.url,
              client: index % 2 === 0 ? 'ioredis' : 'node-redis',
              prefix,
              key: 'shared',
              options: { ...options, maxWait: 0 },
              workers: 2,
              kinds: ['try', 'acquire'],
              costs: [1],
              calls: 40,
              skew,
              callerClock,
              seed: 100 + index,
            })),
            10_000,
          );
        // Children behind by seconds take the budget, then children ahead by seconds ask.
        const behind = await phase([-40_000, -35_000]);
        const ahead = await phase([35_000, 40_000]);
        for (const outcome of [...behind, ...ahead]) expect(outcome.errors).toEqual([]);
        return { behind: sum(grantsOf(behind)), ahead: sum(grantsOf(ahead)) };
      };
      // On the server's time the window is the same for everyone: nothing left for the ones ahead.
      expect(await run(false)).toEqual({ behind: 40, ahead: 0 });
      // Deciding on each process's own clock, the ones ahead see a window long gone (a control
      // that shows the skew is real).
      const ownClocks = await run(true);
      expect(ownClocks.behind).toBe(40);
      expect(ownClocks.ahead).toBeGreaterThan(0);
    });
  });
});
