import type { Clock, ExecuteOptions } from '@cemaf/core';
import {
  choiceOption,
  clockOption,
  numberOption,
  optionsOf,
  requiredOption,
  type NumberRule,
} from '@cemaf/core/internal';
import type { Algorithm } from './algorithm.js';
import { fixedWindow } from './fixed-window.js';
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

/** The checked options. */
export interface Settings {
  readonly algorithm: Algorithm<unknown>;
  /** The most permits a key holds: `maxCalls`, or `burst` for the token bucket. */
  readonly capacity: number;
  /** The policy window in ms, for headers: the time to refill the whole capacity. */
  readonly window: number;
  readonly maxWait: number;
  readonly maxQueue: number;
  readonly maxKeys: number;
  /** What a call's `cost` must be: an integer from 0 to the capacity. */
  readonly cost: NumberRule;
  readonly clock: Clock;
}

const OWNER = 'RateLimiter';
const KNOWN = ['maxCalls', 'timeWindow', 'algorithm', 'burst', 'maxWait', 'maxQueue', 'maxKeys', 'clock'];

/** Checks the constructor's options; throws TypeError / RangeError naming the bad one. */
export function settingsOf(options: RateLimiterOptions): Settings {
  const given = optionsOf(OWNER, options, KNOWN);
  const positiveInteger = { integer: true, min: 1 };
  requiredOption(OWNER, 'maxCalls', given['maxCalls'], 'an integer >= 1');
  const maxCalls = numberOption(OWNER, 'maxCalls', given['maxCalls'], positiveInteger, 0);
  requiredOption(OWNER, 'timeWindow', given['timeWindow'], 'a finite number > 0');
  const timeWindow = numberOption(OWNER, 'timeWindow', given['timeWindow'], { above: 0 }, 0);
  const algorithm = choiceOption<RateLimitAlgorithm>(
    OWNER,
    'algorithm',
    given['algorithm'],
    ['sliding-window', 'token-bucket', 'fixed-window'],
    'sliding-window',
  );
  if (algorithm !== 'token-bucket' && given['burst'] !== undefined) {
    throw new TypeError(
      `${OWNER}: burst applies only to algorithm 'token-bucket', got algorithm '${algorithm}'`,
    );
  }
  const burst = numberOption(OWNER, 'burst', given['burst'], positiveInteger, maxCalls);
  return {
    algorithm:
      algorithm === 'token-bucket'
        ? tokenBucket(maxCalls, timeWindow, burst)
        : algorithm === 'fixed-window'
          ? fixedWindow(maxCalls, timeWindow)
          : slidingWindow(maxCalls, timeWindow),
    // Only the token bucket takes a burst other than maxCalls.
    capacity: burst,
    window: (burst * timeWindow) / maxCalls,
    maxWait: numberOption(OWNER, 'maxWait', given['maxWait'], { min: 0, infinity: true }, Infinity),
    maxQueue: numberOption(OWNER, 'maxQueue', given['maxQueue'], { integer: true, min: 0, infinity: true }, Infinity),
    maxKeys: numberOption(OWNER, 'maxKeys', given['maxKeys'], { ...positiveInteger, infinity: true }, 100_000),
    cost: { integer: true, min: 0, max: burst },
    clock: clockOption(OWNER, given['clock']),
  };
}
