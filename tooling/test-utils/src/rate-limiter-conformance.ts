import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  capacityOf,
  RateLimitModel,
  type ModelAlgorithm,
  type ModelConfig,
  type ModelDecision,
  type ModelOutcome,
} from './rate-limit-model.js';

/** A virtual clock, as `ManualClock` from `@cemaf/core`. */
export interface ConformanceClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  advance(ms: number): Promise<void>;
  readonly pendingSleeps: number;
}

/** The options the suite makes limiters with. */
export interface ConformanceLimiterOptions {
  readonly maxCalls: number;
  readonly timeWindow: number;
  readonly algorithm: ModelAlgorithm;
  readonly burst?: number;
  readonly maxWait?: number;
  readonly maxQueue?: number;
  readonly clock: ConformanceClock;
}

interface Call {
  readonly key?: string;
  readonly cost?: number;
}

/** What the suite needs of a limiter: `RateLimiter`, or `RedisRateLimiter` whose calls are promises. */
export interface ConformanceLimiter {
  tryAcquire(options?: Call): ModelDecision | PromiseLike<ModelDecision>;
  acquire(options?: Call & { readonly signal?: AbortSignal }): Promise<void>;
  execute<T>(
    fn: (ctx: { readonly signal: AbortSignal; readonly attempt: number }) => T | PromiseLike<T>,
    options?: Call & { readonly signal?: AbortSignal },
  ): Promise<T>;
  reset(key?: string): void | PromiseLike<void>;
  toHeaders(decision: ModelDecision, options?: { readonly name?: string; readonly legacy?: boolean }): Record<string, string>;
}

/** How to run the suite against one implementation, and which cases apply to it. */
export interface RateLimiterConformanceSetup {
  /** Makes the virtual clock each limiter gets as its `clock` option: `() => new ManualClock()`. */
  readonly clock: () => ConformanceClock;
  /**
   * First come first served among waiters, and waiters moving up when one ahead leaves. Both
   * hold among the callers of one process, which is how the suite runs. @default true
   */
  readonly fifo?: boolean;
  /** `tryAcquire` returns its decision, not a promise (in memory). @default false */
  readonly synchronousTryAcquire?: boolean;
  /**
   * Resolves once the limiter has nothing in flight (a store's round trips). The suite calls it
   * after every step. @default lets pending callbacks run, with `clock.advance(0)`
   */
  readonly idle?: (clock: ConformanceClock) => Promise<void>;
  /** Runs of each property. @default 60 */
  readonly runs?: number;
  /** Releases a limiter after its test (connections, say). */
  readonly teardown?: (limiter: ConformanceLimiter) => unknown;
}

type Tracked =
  | { status: 'pending' }
  | { status: 'admitted'; at: number }
  | { status: 'rejected'; error: unknown }
  | { status: 'aborted' };

const ALGORITHMS: readonly ModelAlgorithm[] = ['sliding-window', 'token-bucket', 'fixed-window'];

const decisionOf = (decision: ModelDecision): ModelDecision => ({
  allowed: decision.allowed,
  limit: decision.limit,
  remaining: decision.remaining,
  retryAfter: decision.retryAfter,
  resetAfter: decision.resetAfter,
});

/** Per algorithm, for `{ maxCalls: 2, timeWindow: 100 }` drained at 0: the first slot. */
const FIRST_SLOT: Record<ModelAlgorithm, number> = { 'sliding-window': 100, 'token-bucket': 50, 'fixed-window': 100 };

/**
 * The conformance suite every cemaf rate limiter passes: the in-memory `RateLimiter` and
 * `RedisRateLimiter` run the same cases, so that both make the same decision for the same
 * arrivals. Time is driven through the `ManualClock` each limiter gets as `clock`; every decision
 * is awaited, so a limiter whose calls are promises runs it unchanged.
 *
 * `create` must give every limiter a budget of its own (for a store: a fresh key prefix), since
 * each test starts from fresh keys. Besides hand-written cases for each algorithm, a property
 * replays random arrivals, costs, aborts, resets and keys on the limiter and on
 * `RateLimitModel` (a brute-force reading of DESIGN.md) and compares every decision and every
 * admission time.
 */
export function describeRateLimiterConformance(
  name: string,
  create: (options: ConformanceLimiterOptions) => ConformanceLimiter | Promise<ConformanceLimiter>,
  setup: RateLimiterConformanceSetup,
): void {
  const fifo = setup.fifo ?? true;
  const runs = setup.runs ?? 60;
  const made: ConformanceLimiter[] = [];

  afterEach(async () => {
    for (const limiter of made.splice(0)) await setup.teardown?.(limiter);
  });

  async function start(options: Omit<ConformanceLimiterOptions, 'clock'>) {
    const clock = setup.clock();
    const limiter = await create({ ...options, clock });
    made.push(limiter);
    const idle = () => (setup.idle ? setup.idle(clock) : clock.advance(0));
    const tryAcquire = async (call?: Call) => decisionOf(await limiter.tryAcquire(call));
    /** Advances to an absolute time. */
    const at = async (time: number) => {
      if (time > clock.now()) await clock.advance(time - clock.now());
      await idle();
    };
    const track = (promise: Promise<unknown>): Tracked => {
      const tracked = { status: 'pending' } as Tracked;
      promise.then(
        () => Object.assign(tracked, { status: 'admitted', at: clock.now() }),
        (error: unknown) => Object.assign(tracked, { status: 'rejected', error }),
      );
      return tracked;
    };
    return { clock, limiter, idle, tryAcquire, at, track };
  }

  /** A call that never ran because of a bad input, whether the limiter throws or rejects. */
  const attempt = (run: () => unknown): Promise<unknown> => Promise.resolve().then(run);

  describe(`${name} conformance`, () => {
    if (setup.synchronousTryAcquire) {
      it('decides tryAcquire synchronously', async () => {
        const { limiter } = await start({ algorithm: 'sliding-window', maxCalls: 1, timeWindow: 100 });
        const decision = limiter.tryAcquire();
        expect(typeof (decision as Partial<PromiseLike<unknown>>).then).toBe('undefined');
        expect(decision).toMatchObject({ allowed: true, remaining: 0 });
      });
    }

    describe.each(ALGORITHMS)('%s', (algorithm) => {
      const options = { algorithm, maxCalls: 2, timeWindow: 100 };
      const first = FIRST_SLOT[algorithm];

      it('grants up to the capacity, then refuses with retryAfter and resetAfter', async () => {
        const { tryAcquire, at } = await start(options);
        const expected: Record<ModelAlgorithm, ModelDecision[]> = {
          'sliding-window': [
            { allowed: true, limit: 2, remaining: 1, retryAfter: 0, resetAfter: 100 },
            { allowed: true, limit: 2, remaining: 0, retryAfter: 0, resetAfter: 100 },
            { allowed: false, limit: 2, remaining: 0, retryAfter: 100, resetAfter: 100 },
            { allowed: false, limit: 2, remaining: 0, retryAfter: 70, resetAfter: 70 },
            { allowed: true, limit: 2, remaining: 1, retryAfter: 0, resetAfter: 100 },
          ],
          'token-bucket': [
            { allowed: true, limit: 2, remaining: 1, retryAfter: 0, resetAfter: 50 },
            { allowed: true, limit: 2, remaining: 0, retryAfter: 0, resetAfter: 100 },
            { allowed: false, limit: 2, remaining: 0, retryAfter: 50, resetAfter: 100 },
            { allowed: false, limit: 2, remaining: 0, retryAfter: 20, resetAfter: 70 },
            { allowed: true, limit: 2, remaining: 1, retryAfter: 0, resetAfter: 50 },
          ],
          'fixed-window': [
            { allowed: true, limit: 2, remaining: 1, retryAfter: 0, resetAfter: 100 },
            { allowed: true, limit: 2, remaining: 0, retryAfter: 0, resetAfter: 100 },
            { allowed: false, limit: 2, remaining: 0, retryAfter: 100, resetAfter: 100 },
            { allowed: false, limit: 2, remaining: 0, retryAfter: 70, resetAfter: 70 },
            { allowed: true, limit: 2, remaining: 1, retryAfter: 0, resetAfter: 100 },
          ],
        };
        const seen = [await tryAcquire(), await tryAcquire(), await tryAcquire()];
        await at(30);
        seen.push(await tryAcquire());
        await at(100);
        seen.push(await tryAcquire());
        expect(seen).toEqual(expected[algorithm]);
      });

      it('tells the algorithms apart at a window boundary', async () => {
        const { tryAcquire, at } = await start(options);
        await tryAcquire();
        await at(90);
        await tryAcquire();
        await at(100);
        // The sliding window still counts the permit taken at 90; a fixed window opened at 0 has
        // ended; the bucket refilled 1 token from 0 to 50 and 1 more from 90 to 140 is not there yet.
        expect(await tryAcquire({ cost: 2 })).toEqual(
          {
            'sliding-window': { allowed: false, limit: 2, remaining: 1, retryAfter: 90, resetAfter: 90 },
            'token-bucket': { allowed: false, limit: 2, remaining: 1, retryAfter: 40, resetAfter: 40 },
            'fixed-window': { allowed: true, limit: 2, remaining: 0, retryAfter: 0, resetAfter: 100 },
          }[algorithm],
        );
      });

      it('peeks with cost 0 without taking anything', async () => {
        const { tryAcquire } = await start(options);
        expect(await tryAcquire({ cost: 0 })).toMatchObject({ allowed: true, remaining: 2, resetAfter: 0 });
        await tryAcquire({ cost: 2 });
        expect(await tryAcquire({ cost: 0 })).toMatchObject({ allowed: true, remaining: 0, retryAfter: 0 });
        expect(await tryAcquire({ cost: 0 })).toMatchObject({ allowed: true, remaining: 0 });
        expect(await tryAcquire()).toMatchObject({ allowed: false, retryAfter: first });
      });

      it('refuses a cost above the capacity, or not a whole number, without taking anything', async () => {
        const { limiter, tryAcquire } = await start(options);
        await expect(attempt(() => limiter.tryAcquire({ cost: 3 }))).rejects.toThrow(
          /: cost must be an integer >= 0 and <= 2, got 3$/,
        );
        for (const cost of [3, -1, 1.5, Number.NaN, Infinity]) {
          await expect(attempt(() => limiter.tryAcquire({ cost }))).rejects.toBeInstanceOf(RangeError);
          await expect(limiter.acquire({ cost })).rejects.toBeInstanceOf(RangeError);
          await expect(limiter.execute(() => 'ran', { cost })).rejects.toBeInstanceOf(RangeError);
        }
        await expect(attempt(() => limiter.tryAcquire({ cost: '1' as unknown as number }))).rejects.toBeInstanceOf(
          TypeError,
        );
        await expect(limiter.acquire({ key: 42 as unknown as string })).rejects.toBeInstanceOf(TypeError);
        expect(await tryAcquire({ cost: 0 })).toMatchObject({ remaining: 2 });
      });

      it('keeps one budget per key, and one of its own', async () => {
        const { tryAcquire } = await start(options);
        await tryAcquire({ key: 'a', cost: 2 });
        expect(await tryAcquire({ key: 'a' })).toMatchObject({ allowed: false });
        expect(await tryAcquire({ key: 'b' })).toMatchObject({ allowed: true, remaining: 1 });
        expect(await tryAcquire()).toMatchObject({ allowed: true, remaining: 1 });
      });

      it('makes acquire and execute wait for their slot', async () => {
        const { limiter, tryAcquire, at, track, clock } = await start(options);
        await tryAcquire({ cost: 2 });
        const ran: number[] = [];
        const waiting = track(limiter.acquire());
        const result = limiter.execute(() => {
          ran.push(clock.now());
          return 'done';
        }, { key: 'other' });
        await at(first - 1);
        expect(waiting).toEqual({ status: 'pending' });
        await at(first);
        expect(waiting).toEqual({ status: 'admitted', at: first });
        expect(await result).toBe('done');
        expect(ran).toEqual([0]);
        expect(clock.pendingSleeps).toBe(0);
      });

      it('spends the permit whether fn fails or not, and passes non-Error throwables unchanged', async () => {
        const { limiter, tryAcquire } = await start(options);
        const thrown = { not: 'an Error' };
        await expect(
          limiter.execute(() => {
            // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error on purpose
            throw thrown;
          }),
        ).rejects.toBe(thrown);
        await expect(limiter.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
        expect(await tryAcquire({ cost: 0 })).toMatchObject({ remaining: 0 });
      });

      it('rejects at once, with RateLimitExceededError, a caller whose slot is beyond maxWait', async () => {
        const patient = await start({ ...options, maxWait: first });
        await patient.tryAcquire({ cost: 2 });
        const waiting = patient.track(patient.limiter.acquire());
        await patient.idle();
        expect(waiting).toEqual({ status: 'pending' });
        await patient.at(first);
        expect(waiting).toEqual({ status: 'admitted', at: first });

        const hasty = await start({ ...options, maxWait: first - 1 });
        await hasty.tryAcquire({ cost: 2 });
        const refused = hasty.track(hasty.limiter.execute(() => 'ran'));
        await hasty.idle();
        expect(refused).toMatchObject({ status: 'rejected', error: { code: 'RATE_LIMITED', retryAfter: first } });
        expect(hasty.clock.pendingSleeps).toBe(0);
      });

      it('rejects at once a caller beyond maxQueue', async () => {
        const { limiter, tryAcquire, track, idle, at } = await start({ ...options, maxQueue: 1 });
        await tryAcquire({ cost: 2 });
        const waiting = track(limiter.acquire({ cost: 2 }));
        const refused = track(limiter.acquire());
        await idle();
        expect(refused).toMatchObject({
          status: 'rejected',
          error: { name: 'RateLimitExceededError', code: 'RATE_LIMITED' },
        });
        expect((refused as { error: { retryAfter: number } }).error.retryAfter).toBeGreaterThan(first);
        const other = track(limiter.acquire({ key: 'other' }));
        await at(100);
        expect(waiting).toEqual({ status: 'admitted', at: 100 });
        expect(other).toEqual({ status: 'admitted', at: 0 });
      });

      if (fifo) {
        it('serves waiters first come first served, costs included', async () => {
          const { limiter, tryAcquire, track, at } = await start(options);
          await tryAcquire({ cost: 2 });
          await at(10);
          const big = track(limiter.acquire({ cost: 2 }));
          await at(20);
          const small = track(limiter.acquire({ cost: 1 }));
          // The small one fits sooner on its own, but goes after the big one.
          await at(1_000);
          const expected = { 'sliding-window': [100, 200], 'token-bucket': [100, 150], 'fixed-window': [100, 200] };
          expect([big, small]).toEqual(expected[algorithm].map((time) => ({ status: 'admitted', at: time })));
        });

        it('rejects an aborted waiter at once with its reason; the ones behind move up', async () => {
          const { limiter, tryAcquire, track, at, clock } = await start(options);
          await tryAcquire({ cost: 2 });
          const controller = new AbortController();
          const leaving = track(limiter.acquire({ cost: 2, signal: controller.signal }));
          const staying = track(limiter.acquire({ cost: 2 }));
          await at(10);
          const reason = new Error('caller left');
          controller.abort(reason);
          await at(10);
          expect(leaving).toEqual({ status: 'rejected', error: reason });
          await at(1_000);
          expect(staying).toEqual({ status: 'admitted', at: { 'sliding-window': 100, 'token-bucket': 100, 'fixed-window': 100 }[algorithm] });
          expect(clock.pendingSleeps).toBe(0);
        });

        it('lets a waiter move up to now when the one ahead leaves', async () => {
          const { limiter, tryAcquire, track, at } = await start(options);
          await tryAcquire({ cost: 1 });
          const controller = new AbortController();
          const big = track(limiter.acquire({ cost: 2, signal: controller.signal }));
          const small = track(limiter.acquire({ cost: 1 }));
          await at(5);
          expect(small).toEqual({ status: 'pending' });
          controller.abort('gone');
          await at(5);
          expect(big).toEqual({ status: 'rejected', error: 'gone' });
          expect(small).toEqual({ status: 'admitted', at: 5 });
        });

        it('refuses tryAcquire while taking permits now would delay a waiter, and only then', async () => {
          const { limiter, tryAcquire, track, at } = await start(options);
          await tryAcquire();
          await at(50);
          const waiter = track(limiter.acquire({ cost: 2 }));
          await at(50);
          const expected: Record<ModelAlgorithm, [ModelDecision, Tracked]> = {
            // The waiter needs the permit of 0 gone (at 100): a permit at 50 would hold it to 150.
            'sliding-window': [
              { allowed: false, limit: 2, remaining: 0, retryAfter: 150, resetAfter: 150 },
              { status: 'pending' },
            ],
            // The bucket is full again at 50, so the waiter went at once.
            'token-bucket': [
              { allowed: false, limit: 2, remaining: 0, retryAfter: 50, resetAfter: 100 },
              { status: 'admitted', at: 50 },
            ],
            // The waiter waits for the next window; this one still has a permit.
            'fixed-window': [
              { allowed: true, limit: 2, remaining: 0, retryAfter: 0, resetAfter: 150 },
              { status: 'pending' },
            ],
          };
          expect([await tryAcquire(), waiter]).toEqual(expected[algorithm]);
        });

        it('lets waiters move up when their key is reset', async () => {
          const { limiter, tryAcquire, track, at } = await start(options);
          await tryAcquire({ key: 'a', cost: 2 });
          const waiter = track(limiter.acquire({ key: 'a' }));
          await at(5);
          await limiter.reset('a');
          await at(5);
          expect(waiter).toEqual({ status: 'admitted', at: 5 });
        });
      }

      it('forgets the permits of a key on reset(key), of every key on reset()', async () => {
        const { limiter, tryAcquire } = await start(options);
        for (const key of ['a', 'b', undefined]) await tryAcquire({ key, cost: 2 });
        await limiter.reset('a');
        expect(await tryAcquire({ key: 'a', cost: 0 })).toMatchObject({ remaining: 2 });
        expect(await tryAcquire({ key: 'b', cost: 0 })).toMatchObject({ remaining: 0 });
        await limiter.reset();
        expect(await tryAcquire({ key: 'b', cost: 0 })).toMatchObject({ remaining: 2 });
        expect(await tryAcquire({ cost: 0 })).toMatchObject({ remaining: 2 });
      });

      it('writes the draft RateLimit headers, and the older trio on request', async () => {
        const { limiter, tryAcquire, at } = await start({ algorithm, maxCalls: 10, timeWindow: 60_000 });
        const granted = await tryAcquire();
        const window = algorithm === 'token-bucket' ? 6 : 60;
        expect(limiter.toHeaders(granted)).toEqual({
          'RateLimit-Policy': '"default";q=10;w=60',
          RateLimit: `"default";r=9;t=${window}`,
        });
        expect(limiter.toHeaders(granted, { name: 'per-user', legacy: true })).toEqual({
          'RateLimit-Limit': '10',
          'RateLimit-Remaining': '9',
          'RateLimit-Reset': String(window),
        });
        await tryAcquire({ cost: 9 });
        await at(1_500);
        const refused = await tryAcquire();
        const wait = algorithm === 'token-bucket' ? 5 : 59; // 4.5 s and 58.5 s, rounded up
        expect(limiter.toHeaders(refused, { name: 'per-user' })).toEqual({
          'RateLimit-Policy': '"per-user";q=10;w=60',
          RateLimit: `"per-user";r=0;t=${wait}`,
          'Retry-After': String(wait),
        });
      });

      it('agrees with the reference model on every decision and every admission time', async () => {
        const limits = algorithm === 'token-bucket'
          ? fc.record({
              maxCalls: fc.integer({ min: 1, max: 4 }),
              step: fc.integer({ min: 1, max: 12 }),
              burst: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
            }).map(({ maxCalls, step, burst }) => ({ maxCalls, timeWindow: maxCalls * step, burst }))
          : fc.record({ maxCalls: fc.integer({ min: 1, max: 4 }), timeWindow: fc.integer({ min: 1, max: 40 }) });
        const configs = fc.record({
          limits,
          maxWait: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined, freq: 2 }),
          maxQueue: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined, freq: 2 }),
        }).map(({ limits: given, maxWait, maxQueue }): ModelConfig => ({ algorithm, ...given, maxWait, maxQueue }));
        const keys = fc.constantFrom(undefined, 'a', 'b');
        const steps = fc.array(
          fc.record({
            dt: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 15 })),
            kind: fc.constantFrom('try', 'acquire', 'acquire', 'reset'),
            key: keys,
            cost: fc.integer({ min: 0, max: 5 }),
            abortAfter: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
          }),
          { maxLength: 30 },
        );
        await fc.assert(
          fc.asyncProperty(configs, steps, async (config, script) => {
            await replay(config, script);
          }),
          { numRuns: runs },
        );
      }, 120_000); // virtual time, but many runs (and a store's round trips): room for a loaded machine

      async function replay(
        config: ModelConfig,
        script: readonly { dt: number; kind: string; key: string | undefined; cost: number; abortAfter: number | undefined }[],
      ): Promise<void> {
        const { limiter, tryAcquire, at, track, clock } = await start({
          algorithm: config.algorithm,
          maxCalls: config.maxCalls,
          timeWindow: config.timeWindow,
          ...(config.burst === undefined ? {} : { burst: config.burst }),
          ...(config.maxWait === undefined ? {} : { maxWait: config.maxWait }),
          ...(config.maxQueue === undefined ? {} : { maxQueue: config.maxQueue }),
        });
        const model = new RateLimitModel(config, clock.now());
        const capacity = capacityOf(config);
        type Action = { time: number; order: number; run: () => void | Promise<void> };
        const actions: Action[] = [];
        const calls: { tracked: Tracked; reason: unknown }[] = [];
        let time = 0;
        script.forEach((step, order) => {
          time += step.dt;
          const { key } = step;
          const cost = step.cost % (capacity + 1);
          if (step.kind === 'try') {
            actions.push({ time, order, run: async () => expect(await tryAcquire({ key, cost })).toEqual(model.tryAcquire(key, cost)) });
          } else if (step.kind === 'reset') {
            actions.push({ time, order, run: async () => {
              await limiter.reset(key);
              model.reset(key);
            } });
          } else {
            const id = calls.length;
            const controller = new AbortController();
            const call = { tracked: { status: 'pending' } as Tracked, reason: new Error(`call ${id} left`) };
            calls.push(call);
            actions.push({ time, order, run: () => {
              call.tracked = track(limiter.acquire({ key, cost, signal: controller.signal }));
              model.acquire(key, cost, id);
            } });
            if (step.abortAfter !== undefined) {
              // Aborts at a time run before the arrivals at that time.
              actions.push({ time: time + step.abortAfter, order: -1, run: () => {
                controller.abort(call.reason);
                model.abort(id);
              } });
            }
          }
        });
        actions.sort((a, b) => a.time - b.time || a.order - b.order);
        const compare = () =>
          calls.forEach(({ tracked, reason }, id) => {
            const expected = model.outcome(id);
            expect({ id, outcome: outcomeOf(tracked, reason) }).toEqual({ id, outcome: expectedOf(expected) });
          });
        for (const action of actions) {
          await at(action.time);
          model.advance(action.time);
          await action.run();
          await at(action.time);
          compare();
        }
        const end = clock.now() + 20 * (config.timeWindow + capacity * config.timeWindow);
        await at(end);
        model.advance(end);
        compare();
        expect(clock.pendingSleeps).toBe(0);
      }
    });
  });
}

type Comparable =
  | { status: 'pending' }
  | { status: 'admitted'; at: number }
  | { status: 'rejected'; retryAfter: number }
  | { status: 'aborted' };

function outcomeOf(tracked: Tracked, reason: unknown): Comparable {
  if (tracked.status !== 'rejected') return tracked;
  if (tracked.error === reason) return { status: 'aborted' };
  const error = tracked.error as { code?: string; retryAfter?: number };
  expect(error.code).toBe('RATE_LIMITED');
  return { status: 'rejected', retryAfter: error.retryAfter! };
}

function expectedOf(outcome: ModelOutcome | undefined): Comparable {
  if (outcome === undefined || outcome.status === 'waiting') return { status: 'pending' };
  if (outcome.status === 'rejected') return { status: 'rejected', retryAfter: outcome.retryAfter };
  return outcome;
}
