import { ManualClock, type Clock } from '@cemaf/core';
import fc from 'fast-check';

/**
 * A clock whose sleepers wake late, as on a busy event loop: a sleep due at `t` wakes at
 * `deliver(t)` (never before `t`), with `now()` already there. Time only moves with `advance`,
 * as with `ManualClock`. It has no fast path for core's `schedule`, so it also runs the
 * `sleep` + `AbortController` way that any other `Clock` gets.
 */
export class LateClock implements Clock {
  readonly #clock = new ManualClock();
  readonly #deliver: (due: number) => number;
  /** Sleeps started so far that wait at all (a sleep of 0 ms is a microtask, not a timer). */
  timers = 0;

  constructor(deliver: (due: number) => number) {
    this.#deliver = deliver;
  }

  now(): number {
    return this.#clock.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms > 0) this.timers++;
    const now = this.now();
    return this.#clock.sleep(Math.max(0, this.#deliver(now + Math.max(0, ms)) - now), signal);
  }

  advance(ms: number): Promise<void> {
    return this.#clock.advance(ms);
  }

  get pendingSleeps(): number {
    return this.#clock.pendingSleeps;
  }
}

/**
 * How late wake-ups come: the event loop runs timers only every `quantum` ms (a stall lets
 * every slot in between pass), plus a lateness that varies from one sleep to the next, in half
 * milliseconds.
 */
export interface Lateness {
  readonly quantum: number;
  readonly extra: readonly number[];
}

export const latenesses: fc.Arbitrary<Lateness> = fc.record({
  quantum: fc.integer({ min: 1, max: 40 }),
  extra: fc.array(fc.integer({ min: 0, max: 60 }).map((half) => half / 2), { minLength: 1, maxLength: 8 }),
});

/** The `deliver` function of a `LateClock` for `lateness`. */
export function lateBy({ quantum, extra }: Lateness): (due: number) => number {
  let count = 0;
  return (due) => Math.ceil(due / quantum) * quantum + extra[count++ % extra.length]!;
}
