import type { Clock } from '@cemaf/core';
import { clockOption, invalid, numberOption, optionsOf } from '@cemaf/core/internal';
import type { RateLimitAlgorithm, RateLimitDecision } from '@cemaf/rate-limiter';
import { LIMIT_OPTIONS, limitOf, type LimitSettings } from '@cemaf/rate-limiter/internal';
import { toRedisAdapter, type RedisClient, type RedisClientAdapter } from '@cemaf/redis-client';

/**
 * An in-memory limiter to fall back to while Redis fails: a `RateLimiter` from
 * `@cemaf/rate-limiter`.
 */
export interface FallbackLimiter {
  tryAcquire(options?: { key?: string | undefined; cost?: number | undefined }): RateLimitDecision;
  acquire(options?: {
    key?: string | undefined;
    cost?: number | undefined;
    signal?: AbortSignal | undefined;
  }): Promise<void>;
}

/** What a decision does while Redis fails (an error, or no answer within `storeTimeout`). */
export type OnStoreError = 'fail-closed' | 'fail-open' | FallbackLimiter;

/** Options of `new RedisRateLimiter(options)`. */
export interface RedisRateLimiterOptions {
  /**
   * The Redis client: an `ioredis` `Redis` or `Cluster`, a node-redis client or cluster
   * (`createClient()`, `createCluster()`, connected), or a {@link RedisClientAdapter}. The limiter
   * never closes it. Required.
   */
  readonly redis: RedisClient;
  /**
   * Prefix of the limiter's Redis keys. Limiters that share a prefix (and key) share one budget,
   * so give them the same options. No `{` or `}` (the key's hash tag follows it).
   * @default 'cemaf:rl:'
   */
  readonly prefix?: string | undefined;
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
   * Callers of this process allowed to wait at once, per key; one more is rejected at once with
   * `RateLimitExceededError`. @default Infinity
   */
  readonly maxQueue?: number | undefined;
  /**
   * Ms a decision may take before it counts as a store error. Clients queue commands while
   * disconnected, so without it a caller could wait as long as an outage lasts. Measured in
   * real time, also when `clock` is given. @default 1000
   */
  readonly storeTimeout?: number | undefined;
  /**
   * What decisions do while Redis fails: `'fail-closed'` refuses them (`RateLimitExceededError`,
   * `allowed: false`), `'fail-open'` grants them, a `RateLimiter` from `@cemaf/rate-limiter`
   * decides them in memory. Decisions return to Redis by themselves once it answers again.
   * @default 'fail-closed'
   */
  readonly onStoreError?: OnStoreError | undefined;
  /**
   * Where time comes from. By default decisions use the Redis server's time (`TIME`), so that
   * processes whose clocks disagree share one window, and waits sleep on `systemClock`. Given a
   * clock (a `ManualClock` in tests), decisions use its `now()` and waits its `sleep()`: every
   * process sharing the keys must then share that clock. Leave it unset in production.
   * @default the Redis server's time
   */
  readonly clock?: Clock | undefined;
}

/** The checked options: the limit, as `RateLimiter` checks it, and the Redis ones. */
export interface Settings extends LimitSettings {
  readonly redis: RedisClientAdapter;
  readonly prefix: string;
  readonly storeTimeout: number;
  readonly onStoreError: OnStoreError;
  /** The caller's clock, or undefined for the server's time. */
  readonly clock: Clock | undefined;
}

export const OWNER = 'RedisRateLimiter';
const KNOWN = ['redis', 'prefix', ...LIMIT_OPTIONS, 'storeTimeout', 'onStoreError', 'clock'];

function isFallback(value: unknown): value is FallbackLimiter {
  const limiter = value as Partial<FallbackLimiter> | null;
  return (
    typeof limiter === 'object' &&
    limiter !== null &&
    typeof limiter.tryAcquire === 'function' &&
    typeof limiter.acquire === 'function'
  );
}

/** Checks the constructor's options; throws TypeError / RangeError naming the bad one. */
export function settingsOf(options: RedisRateLimiterOptions): Settings {
  const given = optionsOf(OWNER, options, KNOWN);
  const redis = toRedisAdapter(given['redis'], OWNER);
  const prefix = given['prefix'] ?? 'cemaf:rl:';
  if (typeof prefix !== 'string') invalid(OWNER, 'prefix', 'a string without { or }', prefix, TypeError);
  if (/[{}]/.test(prefix)) invalid(OWNER, 'prefix', 'a string without { or }', prefix);
  const limit = limitOf(OWNER, given);
  const onStoreError = given['onStoreError'] ?? 'fail-closed';
  if (onStoreError !== 'fail-closed' && onStoreError !== 'fail-open' && !isFallback(onStoreError)) {
    invalid(
      OWNER,
      'onStoreError',
      "'fail-closed', 'fail-open' or a RateLimiter",
      onStoreError,
      typeof onStoreError === 'string' ? RangeError : TypeError,
    );
  }
  return {
    ...limit,
    redis,
    prefix,
    storeTimeout: numberOption(OWNER, 'storeTimeout', given['storeTimeout'], { above: 0 }, 1_000),
    onStoreError,
    clock: given['clock'] === undefined ? undefined : clockOption(OWNER, given['clock']),
  };
}
