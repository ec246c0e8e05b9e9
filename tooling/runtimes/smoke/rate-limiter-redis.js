// @cemaf/rate-limiter-redis without a server: it loads everywhere, and a store that fails or
// never answers is decided by onStoreError. Talking to a real Redis is its own suite's job.
import { assert, track } from './harness.js';

const down = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
const failingStore = { evalsha: down, eval: down };
const silentStore = { evalsha: () => new Promise(() => undefined), eval: () => new Promise(() => undefined) };

export default {
  packages: ['@cemaf/rate-limiter-redis', '@cemaf/rate-limiter', '@cemaf/core'],
  checks(packages, check) {
    const redis = packages['@cemaf/rate-limiter-redis'];
    const { RedisRateLimiter } = redis;
    const { RateLimiter } = packages['@cemaf/rate-limiter'];
    const { ManualClock, RateLimitExceededError } = packages['@cemaf/core'];
    const options = { maxCalls: 10, timeWindow: 60_000 };

    check('exports its public API', () => {
      for (const name of ['RedisRateLimiter', 'toRedisAdapter', 'createScriptRunner', 'StoreDeadline']) {
        assert.equal(typeof redis[name], 'function', `typeof ${name}`);
      }
      assert.equal(redis.RateLimitExceededError, RateLimitExceededError, 'RateLimitExceededError is core’s class');
    });

    check("a failing store: 'fail-closed' refuses, 'fail-open' runs fn, storeError reports both", async () => {
      const closed = new RedisRateLimiter({ redis: failingStore, ...options, clock: new ManualClock() });
      const reports = [];
      closed.on('storeError', ({ onStoreError }) => reports.push(onStoreError));
      let calls = 0;
      const refused = await assert.rejects(
        closed.execute(() => calls++),
        "'fail-closed'",
      );
      assert.error(refused, RateLimitExceededError, undefined, "'fail-closed'");
      assert.equal(calls, 0, 'fn calls while failing closed');
      const open = new RedisRateLimiter({
        redis: failingStore,
        ...options,
        onStoreError: 'fail-open',
        clock: new ManualClock(),
      });
      open.on('storeError', ({ onStoreError }) => reports.push(onStoreError));
      assert.equal(await open.execute(() => 'ran'), 'ran', "'fail-open'");
      assert.deepEqual(reports, ['fail-closed', 'fail-open'], 'storeError events');
    });

    check('a failing store falls back to an in-memory RateLimiter', async () => {
      const clock = new ManualClock();
      const fallback = new RateLimiter({ maxCalls: 1, timeWindow: 1_000, clock });
      const limiter = new RedisRateLimiter({ redis: failingStore, ...options, onStoreError: fallback, clock });
      assert.equal((await limiter.tryAcquire()).allowed, true, 'first decision, by the fallback');
      assert.equal((await limiter.tryAcquire()).allowed, false, 'second decision, by the fallback');
    });

    check('a store that never answers is given up after storeTimeout (real time)', async () => {
      const limiter = new RedisRateLimiter({
        redis: silentStore,
        ...options,
        storeTimeout: 20,
        onStoreError: 'fail-open',
      });
      const call = track(limiter.execute(() => 'ran without Redis'));
      assert.equal(await call, 'ran without Redis', 'result after storeTimeout');
    });
  },
};
