// @cemaf/rate-limiter: RateLimiter's algorithms, waiting, rejections, keys and headers.
import { assert, isPending, track } from './harness.js';

/** Header names and values of what toHeaders() gives, whether a plain object or a Headers. */
function headerEntries(headers) {
  const entries =
    typeof headers?.entries === 'function' && !Array.isArray(headers)
      ? [...headers.entries()]
      : Object.entries(headers);
  return Object.fromEntries(entries.map(([name, value]) => [name.toLowerCase(), String(value)]));
}

export default {
  packages: ['@cemaf/rate-limiter', '@cemaf/core'],
  checks(packages, check) {
    const { RateLimiter } = packages['@cemaf/rate-limiter'];
    const { ManualClock, RateLimitExceededError } = packages['@cemaf/core'];

    check('seed example: { maxCalls: 10, timeWindow: 60_000 } on ManualClock', async () => {
      const clock = new ManualClock();
      const limiter = new RateLimiter({ maxCalls: 10, timeWindow: 60_000, clock });
      let waits = 0;
      limiter.on('wait', () => waits++);
      const times = await Promise.all(Array.from({ length: 10 }, () => limiter.execute(() => clock.now())));
      assert.deepEqual(times, Array(10).fill(0), 'the first 10 calls run at once');
      const decision = limiter.tryAcquire();
      assert.equal(decision.allowed, false, 'tryAcquire().allowed');
      assert.equal(decision.limit, 10, 'tryAcquire().limit');
      assert.equal(decision.remaining, 0, 'tryAcquire().remaining');
      assert.equal(decision.retryAfter, 60_000, 'tryAcquire().retryAfter');
      const eleventh = track(limiter.execute(() => clock.now()));
      await clock.advance(59_999);
      assert.ok(await isPending(eleventh), 'the 11th call waits');
      assert.equal(waits, 1, 'wait events');
      await clock.advance(1);
      assert.equal(await eleventh, 60_000, 'the 11th call runs when the first permit expires');
    });

    check('cost: 0 peeks without consuming', () => {
      const limiter = new RateLimiter({ maxCalls: 10, timeWindow: 60_000, clock: new ManualClock() });
      assert.equal(limiter.tryAcquire({ cost: 0 }).remaining, 10, 'remaining after a peek');
      assert.equal(limiter.tryAcquire({ cost: 0 }).remaining, 10, 'remaining after a second peek');
      assert.equal(limiter.tryAcquire({ cost: 3 }).remaining, 7, 'remaining after cost 3');
    });

    check('the sliding window is exact', async () => {
      const clock = new ManualClock();
      const limiter = new RateLimiter({ maxCalls: 2, timeWindow: 1_000, clock });
      assert.equal(limiter.tryAcquire().allowed, true, 'permit at 0 ms');
      await clock.advance(600);
      assert.equal(limiter.tryAcquire().allowed, true, 'permit at 600 ms');
      assert.equal(limiter.tryAcquire().allowed, false, 'third permit at 600 ms');
      await clock.advance(400);
      assert.equal(limiter.tryAcquire().allowed, true, 'permit at 1 000 ms');
      const refused = limiter.tryAcquire();
      assert.equal(refused.allowed, false, 'another permit at 1 000 ms');
      assert.equal(refused.retryAfter, 600, 'retryAfter at 1 000 ms');
    });

    check('maxWait rejects at once with RateLimitExceededError; waiting exactly maxWait is allowed', async () => {
      const clock = new ManualClock();
      const limiter = new RateLimiter({ maxCalls: 1, timeWindow: 1_000, maxWait: 1_000, clock });
      let rejects = 0;
      limiter.on('reject', () => rejects++);
      await limiter.execute(() => 1);
      const waiting = track(limiter.execute(() => clock.now()));
      let calls = 0;
      const error = await assert.rejects(
        limiter.execute(() => calls++),
        'a call beyond maxWait',
      );
      assert.error(error, RateLimitExceededError, undefined, 'a call beyond maxWait');
      assert.equal(error.code, 'RATE_LIMITED', 'code');
      assert.equal(error.retryAfter, 2_000, 'retryAfter');
      assert.equal(calls, 0, 'fn was not called');
      assert.equal(rejects, 1, 'reject events');
      await clock.advance(1_000);
      assert.equal(await waiting, 1_000, 'the call that waits exactly maxWait');
    });

    check('maxQueue bounds the waiting callers', async () => {
      const clock = new ManualClock();
      const limiter = new RateLimiter({ maxCalls: 1, timeWindow: 1_000, maxQueue: 1, clock });
      await limiter.execute(() => 1);
      const queued = track(limiter.execute(() => 'queued'));
      assert.error(
        await assert.rejects(
          limiter.execute(() => 3),
          'queue full',
        ),
        RateLimitExceededError,
        undefined,
        'queue full',
      );
      await clock.advance(1_000);
      assert.equal(await queued, 'queued', 'the queued call');
    });

    check('an aborted waiter rejects with signal.reason and the callers behind it move up', async () => {
      const clock = new ManualClock();
      const limiter = new RateLimiter({ maxCalls: 1, timeWindow: 1_000, clock });
      await limiter.execute(() => 'first');
      const controller = new AbortController();
      const reason = new Error('gave up waiting');
      const second = track(limiter.execute(() => 'second', { signal: controller.signal }));
      const third = track(limiter.execute(() => clock.now()));
      await clock.advance(0);
      controller.abort(reason);
      assert.equal(await assert.rejects(second, 'the aborted waiter'), reason, 'rejection is signal.reason');
      await clock.advance(1_000);
      assert.equal(await third, 1_000, 'the third call took the freed slot');
      const early = track(limiter.execute(() => 'never', { signal: AbortSignal.abort(reason) }));
      assert.equal(await assert.rejects(early, 'already aborted'), reason, 'already aborted');
    });

    check('keys have their own budgets', async () => {
      const clock = new ManualClock();
      const limiter = new RateLimiter({ maxCalls: 1, timeWindow: 1_000, clock });
      assert.equal(await limiter.execute(() => 'a', { key: 'tenant-a' }), 'a', 'key a');
      assert.equal(await limiter.execute(() => 'b', { key: 'tenant-b' }), 'b', 'key b');
      assert.equal(limiter.tryAcquire({ key: 'tenant-a' }).allowed, false, 'key a is spent');
      assert.equal(limiter.tryAcquire({ key: 'tenant-c', cost: 0 }).allowed, true, 'key c is fresh');
      limiter.reset('tenant-a');
      assert.equal(limiter.tryAcquire({ key: 'tenant-a' }).allowed, true, 'key a after reset');
      assert.equal(typeof limiter.stats(), 'object', 'stats()');
    });

    check('bad per-call input rejects, never throws', async () => {
      const limiter = new RateLimiter({ maxCalls: 2, timeWindow: 1_000, clock: new ManualClock() });
      let negative;
      try {
        negative = track(limiter.execute(() => 1, { cost: -1 }));
      } catch (error) {
        throw new Error(`execute threw synchronously: ${String(error)}`, { cause: error });
      }
      assert.error(await assert.rejects(negative, 'cost: -1'), RangeError, undefined, 'cost: -1');
      assert.error(
        await assert.rejects(
          limiter.execute(() => 1, { cost: 3 }),
          'cost above maxCalls',
        ),
        RangeError,
        undefined,
        'cost: 3',
      );
    });

    check('token bucket: bursts, then a steady refill', async () => {
      const clock = new ManualClock();
      const limiter = new RateLimiter({ algorithm: 'token-bucket', maxCalls: 10, timeWindow: 1_000, burst: 5, clock });
      for (let i = 0; i < 5; i++) assert.equal(limiter.tryAcquire().allowed, true, `burst permit ${i + 1}`);
      const refused = limiter.tryAcquire();
      assert.equal(refused.allowed, false, 'permit 6');
      assert.equal(refused.limit, 5, 'limit is the burst');
      assert.equal(refused.retryAfter, 100, 'retryAfter: one token per 100 ms');
      await clock.advance(100);
      assert.equal(limiter.tryAcquire().allowed, true, 'permit after 100 ms');
    });

    check('fixed window opens at the first permit', async () => {
      const clock = new ManualClock(5_000);
      const limiter = new RateLimiter({ algorithm: 'fixed-window', maxCalls: 2, timeWindow: 1_000, clock });
      limiter.tryAcquire();
      limiter.tryAcquire();
      await clock.advance(400);
      const refused = limiter.tryAcquire();
      assert.equal(refused.allowed, false, 'third permit');
      assert.equal(refused.retryAfter, 600, 'retryAfter: the window ends 1 000 ms after its first permit');
    });

    check('acquire() waits for permits without a function', async () => {
      const clock = new ManualClock();
      const limiter = new RateLimiter({ maxCalls: 1, timeWindow: 500, clock });
      await limiter.acquire();
      const next = track(limiter.acquire());
      assert.ok(await isPending(next), 'the second acquire waits');
      await clock.advance(500);
      await next;
    });

    check('toHeaders() gives the RateLimit fields and Retry-After in seconds', () => {
      const limiter = new RateLimiter({ maxCalls: 1, timeWindow: 60_000, clock: new ManualClock() });
      const allowed = headerEntries(limiter.toHeaders(limiter.tryAcquire()));
      assert.ok(
        'ratelimit' in allowed && 'ratelimit-policy' in allowed,
        `RateLimit fields: ${JSON.stringify(allowed)}`,
      );
      const refused = headerEntries(limiter.toHeaders(limiter.tryAcquire()));
      assert.equal(refused['retry-after'], '60', 'Retry-After');
    });

    check('wrap() keeps the arguments', async () => {
      const limiter = new RateLimiter({ maxCalls: 5, timeWindow: 1_000, clock: new ManualClock() });
      const add = limiter.wrap((a, b) => a + b);
      assert.equal(await add(2, 3), 5, 'wrapped call');
    });

    check('options are validated', () => {
      const missing = assert.throws(() => new RateLimiter({ timeWindow: 1_000 }), 'no maxCalls');
      assert.error(missing, TypeError, undefined, 'no maxCalls');
      assert.ok(missing.message.startsWith('RateLimiter: maxCalls must be'), `message: ${missing.message}`);
      const zero = assert.throws(() => new RateLimiter({ maxCalls: 0, timeWindow: 1_000 }), 'maxCalls: 0');
      assert.error(zero, RangeError, undefined, 'maxCalls: 0');
      assert.ok(zero.message.startsWith('RateLimiter: maxCalls must be'), `message: ${zero.message}`);
    });
  },
};
