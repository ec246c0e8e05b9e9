export {
  RedisRateLimiter,
  type RedisRateLimiterEvents,
  type RedisRateLimiterStats,
} from './redis-rate-limiter.js';
export { type FallbackLimiter, type OnStoreError, type RedisRateLimiterOptions } from './options.js';
// The Redis plumbing lives in @cemaf/redis-client; re-exported so that code written against
// this package keeps working.
export {
  createScriptRunner,
  StoreDeadline,
  toRedisAdapter,
  type IoredisLike,
  type NodeRedisLike,
  type RedisArgument,
  type RedisClient,
  type RedisClientAdapter,
  type RedisScript,
  type ScriptRunner,
} from '@cemaf/redis-client';
export type {
  AcquireOptions,
  RateLimitAlgorithm,
  RateLimitDecision,
  RateLimitExecuteOptions,
  RateLimitHeadersOptions,
  RateLimitOptions,
} from '@cemaf/rate-limiter';
export { rateLimitHeaders } from '@cemaf/rate-limiter';
export { ManualClock, RateLimitExceededError, pipeline, systemClock } from '@cemaf/core';
export type { Clock, ExecuteOptions, ExecutionContext, Listener, Pipeline, Policy, Task } from '@cemaf/core';
