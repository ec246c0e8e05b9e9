/**
 * The rate limiter's option checks, for packages that build another limiter on the same rules (a
 * shared, Redis-backed one). Not for users: this entry may change in any release.
 *
 * Every check takes the owner's name, which starts its messages:
 * `RangeError: RedisRateLimiter: maxCalls must be an integer >= 1, got 0`.
 * @packageDocumentation
 */
export { checkCost, checkKey, checkSignal, LIMIT_OPTIONS, limitOf, type LimitSettings } from './limit-options.js';
