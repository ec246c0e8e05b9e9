import type { Clock } from '@cemaf/core';
import { invalid, numberOption, optionsOf, requiredOption, type NumberRule } from '@cemaf/core/internal';
import type { CircuitBreakerOptions, CircuitBreakerSnapshot } from '@cemaf/circuit-breaker';
import { OPTION_NAMES, resolveOptions, snapshotOf, type BreakerSettings } from '@cemaf/circuit-breaker/internal';
import { toRedisAdapter, type RedisClient, type RedisClientAdapter } from '@cemaf/redis-client';

export const OWNER = 'RedisCircuitBreaker';

/** Options of `new RedisCircuitBreaker(options)`: `CircuitBreaker`'s, and where the circuit lives. */
export interface RedisCircuitBreakerOptions extends CircuitBreakerOptions {
  /**
   * An `ioredis` `Redis` or `Cluster`, a node-redis client or cluster (connected), or a
   * `RedisClientAdapter`. The breaker never closes it; it opens one connection of its own for
   * pub/sub (the client's `duplicate()`), which `close()` ends.
   */
  readonly redis: RedisClient;
  /**
   * The circuit's name: every breaker with this name (and `prefix`) on the same Redis shares one
   * circuit, so give them the same options. No `{` or `}`.
   */
  readonly name: string;
  /** Prefix of the circuit's keys and channel. No `{` or `}`. @default 'cemaf:cb:' */
  readonly prefix?: string | undefined;
  /**
   * Longest time, in ms, an outcome of a call made while closed waits before it is reported to
   * Redis (in one batch with the others). A failure that, by this process's count, opens the
   * circuit is reported at once. Real time, even with `clock`.
   * @default 20
   */
  readonly flushInterval?: number | undefined;
  /**
   * How long, in ms, a call to Redis may take before it counts as failed (clients queue commands
   * while disconnected, so without it a call could wait as long as an outage lasts). Real time.
   * @default 1000
   */
  readonly storeTimeout?: number | undefined;
  /**
   * How long, in ms, Redis keeps a half-open trial slot, or an isolation, that its process has
   * stopped renewing (it renews them every `leaseTime / 3` while they run): a process killed
   * during its trial frees the slot within this time.
   * @default 10000
   */
  readonly leaseTime?: number | undefined;
  /**
   * Where the circuit starts when Redis has no state for it yet (a `toJSON()` snapshot). Ignored
   * when the circuit exists in Redis.
   */
  readonly initialState?: CircuitBreakerSnapshot | undefined;
  /**
   * Measure time on this clock instead of the Redis server's (`TIME`): for tests (`ManualClock`),
   * and then every breaker sharing the circuit must share the clock. Leave it unset in production.
   * @default the Redis server's time, measured locally with systemClock
   */
  readonly clock?: Clock | undefined;
}

/** Checked options. */
export interface Settings {
  /** The circuit breaker's own options, checked as `CircuitBreaker` checks them. */
  readonly breaker: BreakerSettings;
  readonly redis: RedisClientAdapter;
  readonly name: string;
  /** The circuit, its trial leases and its isolation holds: one hash tag, one cluster slot. */
  readonly keys: readonly [string, string, string];
  readonly channel: string;
  readonly flushInterval: number;
  readonly storeTimeout: number;
  readonly leaseTime: number;
  /** Whether times come from the Redis server (no `clock` option). */
  readonly serverTime: boolean;
  /** The settings the script reads: mode and limits (see breaker.lua). */
  readonly script: string;
  /** The local breaker's options while Redis fails: the same, without where it starts. */
  readonly fallback: CircuitBreakerOptions;
  /** `initialState` as the script reads it ('o 500', 'h 1', 'c 3'), or ''. */
  readonly initialState: string;
}

const REDIS_NAMES = ['redis', 'name', 'prefix', 'flushInterval', 'storeTimeout', 'leaseTime'];
// CircuitBreaker's options, but where the circuit starts, which the Redis circuit reads otherwise.
const BREAKER_NAMES = OPTION_NAMES.filter((name) => name !== 'initialState');
const POSITIVE: NumberRule = { above: 0 };

function nameOption(name: string, value: unknown, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  requiredOption(OWNER, name, value, 'a string');
  if (typeof value !== 'string') invalid(OWNER, name, 'a string', value, TypeError);
  // Braces would break the hash tag that keeps the circuit's keys in one cluster slot.
  if ((name === 'name' && value === '') || /[{}]/.test(value)) {
    invalid(OWNER, name, name === 'name' ? 'a non-empty string without { or }' : 'a string without { or }', value);
  }
  return value;
}

/** Checks the options of `new RedisCircuitBreaker(options)` and fills in the defaults. */
export function settingsOf(options: unknown): Settings {
  // A missing options object is reported as the missing redis it lacks.
  const given = optionsOf(OWNER, options ?? {}, [...REDIS_NAMES, ...BREAKER_NAMES, 'initialState']);
  const breaker = resolveOptions(OWNER, given, REDIS_NAMES);
  const redis = toRedisAdapter(given['redis'], OWNER);
  const name = nameOption('name', given['name']);
  const prefix = nameOption('prefix', given['prefix'], 'cemaf:cb:');
  const number = (option: string, fallback: number) => numberOption(OWNER, option, given[option], POSITIVE, fallback);
  const leaseTime = number('leaseTime', 10_000);
  const snapshot = given['initialState'] === undefined ? undefined : snapshotOf(OWNER, given['initialState']);
  const { window } = breaker;
  const mode = window === undefined ? (breaker.failureWindow === Infinity ? 'k' : 'w') : window.type === 'count' ? 'n' : 't';
  const key = `${prefix}{${name}}`;
  const fallback: CircuitBreakerOptions & Record<string, unknown> = {};
  for (const option of BREAKER_NAMES) if (given[option] !== undefined) fallback[option] = given[option];
  return {
    breaker,
    redis,
    name,
    keys: [key, `${key}:t`, `${key}:i`],
    channel: key,
    flushInterval: number('flushInterval', 20),
    storeTimeout: number('storeTimeout', 1_000),
    leaseTime,
    serverTime: given['clock'] === undefined,
    script: [
      mode,
      breaker.failureThreshold,
      breaker.failureWindow === Infinity ? '-' : breaker.failureWindow,
      breaker.halfOpenMaxCalls,
      breaker.successThreshold,
      window?.size ?? 0,
      window?.minimumCalls ?? 0,
      window?.failureRate ?? 0,
      window?.slowCallRate ?? 0,
      leaseTime,
    ].join(' '),
    fallback,
    initialState:
      snapshot === undefined
        ? ''
        : snapshot.state === 'open'
          ? `o ${snapshot.remaining}`
          : snapshot.state === 'half-open'
            ? `h ${snapshot.successes ?? 0}`
            : `c ${snapshot.failures ?? 0}`,
  };
}
