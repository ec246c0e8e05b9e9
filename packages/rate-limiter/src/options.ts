import type { Clock, ExecuteOptions } from '@cemaf/core';
import { clockOption, numberOption, optionsOf } from '@cemaf/core/internal';
import type { Algorithm } from './algorithm.js';
import { fixedWindow } from './fixed-window.js';
import { LIMIT_OPTIONS, limitOf, type LimitSettings } from './limit-options.js';
import { slidingWindow } from './sliding-window.js';
import { tokenBucket } from './token-bucket.js';

/** How permits come back. */
export type RateLimitAlgorithm = 'sliding-window' | 'token-bucket' | 'fixed-window';

/** Options of `new RateLimiter(options)`. */
export interface RateLimiterOptions {
  /** Permits per `timeWindow` (a call takes `cost` permits, 1 by default). Required. */
  readonly maxCalls: number;
  /** The window, in ms. Required. */
  readonly timeWindow: number;
  /**
   * `'sliding-window'`: never more than `maxCalls` permits in any interval of `timeWindow`,
   * exactly. `'token-bucket'`: `maxCalls` tokens per `timeWindow`, refilled continuously, bursts
   * up to `burst`; the bucket starts full. `'fixed-window'`: a window opens at a key's first
   * permit and lasts `timeWindow`; the next opens at the first permit after it ends.
   * @default 'sliding-window'
   */
  readonly algorithm?: RateLimitAlgorithm | undefined;
  /** Token bucket only: the bucket's size, the most permits taken at once. @default maxCalls */
  readonly burst?: number | undefined;
  /**
   * Longest wait for a permit, in ms. A caller whose permits would come later is rejected at once
   * with `RateLimitExceededError` (waiting exactly `maxWait` is allowed); 0 never waits.
   * @default Infinity
   */
  readonly maxWait?: number | undefined;
  /**
   * Callers allowed to wait at once, per key; one more is rejected at once with
   * `RateLimitExceededError`. @default Infinity
   */
  readonly maxQueue?: number | undefined;
  /**
   * Keys kept at most. Beyond it the least recently used key without waiting callers is dropped,
   * and starts afresh if it comes back. Keys back to full capacity are dropped anyway.
   * @default 100_000
   */
  readonly maxKeys?: number | undefined;
  /** Where time comes from; pass a `ManualClock` in tests. @default systemClock */
  readonly clock?: Clock | undefined;
}

/** Per-call options of `tryAcquire`. */
export interface RateLimitOptions {
  /** The budget to take from: each key has its own. @default undefined, the limiter's own budget */
  readonly key?: string | undefined;
  /** Permits to take, an integer from 0 (peek without taking) to the capacity. @default 1 */
  readonly cost?: number | undefined;
}

/** Per-call options of `acquire`. */
export interface AcquireOptions extends RateLimitOptions {
  /** Stops waiting: the call rejects at once with `signal.reason` and its slot goes to the next. */
  readonly signal?: AbortSignal | undefined;
}

/** Per-call options of `execute`; inside `pipeline()` the caller's `key` and `cost` reach it. */
export interface RateLimitExecuteOptions extends ExecuteOptions, RateLimitOptions {}

/** The checked options: the limit, and what only the in-memory limiter has. */
export interface Settings extends LimitSettings {
  readonly maxKeys: number;
  readonly clock: Clock;
}

export const OWNER = 'RateLimiter';

/** Checks the constructor's options; throws TypeError / RangeError naming the bad one. */
export function settingsOf(options: RateLimiterOptions): Settings {
  const given = optionsOf(OWNER, options, [...LIMIT_OPTIONS, 'maxKeys', 'clock']);
  return {
    ...limitOf(OWNER, given),
    maxKeys: numberOption(OWNER, 'maxKeys', given['maxKeys'], { integer: true, min: 1, infinity: true }, 100_000),
    clock: clockOption(OWNER, given['clock']),
  };
}

// Only the token bucket takes the third argument, its burst.
const ALGORITHMS: Record<RateLimitAlgorithm, (maxCalls: number, timeWindow: number, burst: number) => Algorithm<unknown>> = {
  'sliding-window': slidingWindow,
  'token-bucket': tokenBucket,
  'fixed-window': fixedWindow,
};

/** How a key's permits are kept under the limit. */
export const algorithmOf = (limit: LimitSettings): Algorithm<unknown> =>
  ALGORITHMS[limit.algorithm](limit.maxCalls, limit.timeWindow, limit.capacity);
