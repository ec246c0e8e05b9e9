import { ManualClock } from '@cemaf/core';
import { withinLimit, type ModelConfig, type Permit } from '@cemaf/test-utils';
import fc from 'fast-check';
import { expect } from 'vitest';
import { RateLimiter } from '../src/rate-limiter.js';
import { LateClock, lateBy, type Lateness } from './late-clock.js';

/** One arrival of a random run: at `time`, a call on `key` for `cost` permits. */
export interface Arrival {
  readonly time: number;
  readonly kind: 'acquire' | 'try';
  readonly key: string | undefined;
  readonly cost: number;
  /** For an acquire: when its caller aborts, if it does. */
  readonly abortAt: number | undefined;
}

/** What became of an arrival. */
interface Result {
  readonly arrival: Arrival;
  admittedAt?: number;
  abortedAt?: number;
  /** Order of admission, over all keys. */
  order?: number;
}

/** Limits for one algorithm; token bucket windows are multiples of maxCalls, so slots are whole ms. */
export function configs(algorithm: ModelConfig['algorithm']): fc.Arbitrary<ModelConfig> {
  return algorithm === 'token-bucket'
    ? fc
        .record({
          maxCalls: fc.integer({ min: 1, max: 5 }),
          step: fc.integer({ min: 1, max: 20 }),
          burst: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
        })
        .map(({ maxCalls, step, burst }) => ({ algorithm, maxCalls, timeWindow: maxCalls * step, burst }))
    : fc
        .record({ maxCalls: fc.integer({ min: 1, max: 5 }), timeWindow: fc.integer({ min: 1, max: 60 }) })
        .map((limits) => ({ algorithm, ...limits }));
}

/** Random arrivals, in time order: costs up to 6 (folded into the capacity), aborts, three keys. */
export const arrivals: fc.Arbitrary<Arrival[]> = fc
  .array(
    fc.record({
      gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 })),
      kind: fc.constantFrom<Arrival['kind']>('acquire', 'acquire', 'try'),
      key: fc.constantFrom(undefined, 'a', 'b'),
      cost: fc.integer({ min: 0, max: 6 }),
      abortAfter: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined, freq: 3 }),
    }),
    { maxLength: 40 },
  )
  .map((steps) => {
    let time = 0;
    return steps.map(({ gap, kind, key, cost, abortAfter }) => {
      time += gap;
      return { time, kind, key, cost, abortAt: kind === 'acquire' && abortAfter !== undefined ? time + abortAfter : undefined };
    });
  });

/**
 * Replays `script` on a `RateLimiter` driven by a `ManualClock`, then checks what the algorithm's
 * definition demands: every key's admitted permits keep the limit; waiters are admitted first
 * come first served; and no caller waited longer than needed: at every ms from the earliest it
 * could go (its arrival, the admission of the caller ahead of it, the abort of a caller ahead
 * that held it back) until its admission, its permits would not have fitted beside the permits
 * already taken.
 *
 * With `lateness`, the clock wakes sleepers late (a `LateClock`): the limit must then hold for
 * the times the calls really start, first come first served still; how long each waited is the
 * runtime's doing and is not checked.
 */
export async function replayAndCheck(config: ModelConfig, script: readonly Arrival[], lateness?: Lateness): Promise<void> {
  const clock = lateness ? new LateClock(lateBy(lateness)) : new ManualClock();
  const limiter = new RateLimiter({ ...config, burst: config.burst, clock });
  const capacity = config.algorithm === 'token-bucket' ? (config.burst ?? config.maxCalls) : config.maxCalls;
  const results: Result[] = [];
  let admissions = 0;
  type Event = { time: number; rank: number; run: () => void };
  const events: Event[] = [];
  script.forEach((raw, index) => {
    const arrival = { ...raw, cost: raw.cost % (capacity + 1) };
    const result: Result = { arrival };
    results.push(result);
    const controller = new AbortController();
    events.push({
      time: arrival.time,
      rank: index,
      run: () => {
        if (arrival.kind === 'try') {
          if (limiter.tryAcquire({ key: arrival.key, cost: arrival.cost }).allowed) {
            Object.assign(result, { admittedAt: clock.now(), order: admissions++ });
          }
          return;
        }
        limiter.acquire({ key: arrival.key, cost: arrival.cost, signal: controller.signal }).then(
          () => Object.assign(result, { admittedAt: clock.now(), order: admissions++ }),
          (reason: unknown) => {
            expect(reason).toBe(controller.signal.reason);
            result.abortedAt = clock.now();
          },
        );
      },
    });
    // An abort at a time comes before the arrivals at that time.
    if (arrival.abortAt !== undefined) events.push({ time: arrival.abortAt, rank: -1, run: () => controller.abort() });
  });
  events.sort((a, b) => a.time - b.time || a.rank - b.rank);
  for (const event of events) {
    await clock.advance(event.time - clock.now());
    event.run();
  }
  await clock.advance(100 * (config.timeWindow + 1) * (capacity + 1) + (lateness ? 10_000 : 0));
  expect(clock.pendingSleeps).toBe(0);
  expect(limiter.stats().waiting).toBe(0);

  for (const key of [undefined, 'a', 'b']) {
    const mine = results.filter(({ arrival }) => arrival.key === key);
    const admitted = mine
      .filter((result) => result.admittedAt !== undefined && result.arrival.cost > 0)
      .sort((a, b) => a.order! - b.order!);
    const permits: Permit[] = admitted.map(({ admittedAt, arrival }) => ({ time: admittedAt!, cost: arrival.cost }));
    expect(withinLimit(config, permits), `permits of key ${String(key)}`).toBe(true);

    const queued = mine.filter(({ arrival }) => arrival.kind === 'acquire' && arrival.cost > 0);
    let ahead: Result | undefined;
    for (const result of queued) {
      const { arrival, admittedAt, abortedAt } = result;
      if (admittedAt === undefined) {
        expect(abortedAt, 'a call that was not admitted was aborted').toBe(arrival.abortAt);
        continue;
      }
      expect(admittedAt).toBeGreaterThanOrEqual(arrival.time);
      // First come first served: admitted after the one ahead, in time and in order.
      let earliest = arrival.time;
      if (ahead) {
        expect(admittedAt).toBeGreaterThanOrEqual(ahead.admittedAt!);
        expect(result.order).toBeGreaterThan(ahead.order!);
        earliest = Math.max(earliest, ahead.admittedAt!);
      }
      for (const gone of queued) {
        if (gone.abortedAt !== undefined && gone.arrival.time <= arrival.time && gone.abortedAt <= admittedAt) {
          earliest = Math.max(earliest, gone.abortedAt);
        }
      }
      // Late wake-ups make waiters late by the runtime's doing: how long they waited is not checked.
      const before = lateness ? [] : admitted.filter((other) => other.order! < result.order!);
      for (let time = earliest; !lateness && time < admittedAt; time++) {
        const taken = before.filter((other) => other.admittedAt! <= time).map(({ admittedAt: at, arrival: { cost } }) => ({ time: at!, cost }));
        expect(
          withinLimit(config, [...taken, { time, cost: arrival.cost }]),
          `call at ${arrival.time} (cost ${arrival.cost}, key ${String(key)}) could have gone at ${time}, went at ${admittedAt}`,
        ).toBe(false);
      }
      ahead = result;
    }
  }
}
