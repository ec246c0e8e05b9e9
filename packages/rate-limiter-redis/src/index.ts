export {
  RedisRateLimiter,
  type RedisRateLimiterEvents,
  type RedisRateLimiterStats,
} from './redis-rate-limiter.js';
export { type FallbackLimiter, type OnStoreError, type RedisRateLimiterOptions } from './options.js';
export {
  toRedisAdapter,
  type IoredisLike,
  type NodeRedisLike,
  type RedisArgument,
  type RedisClient,
  type RedisClientAdapter,
} from './redis-client.js';
export { createScriptRunner, type RedisScript, type ScriptRunner } from './redis-script.js';
export { StoreDeadline } from './store-deadline.js';
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
