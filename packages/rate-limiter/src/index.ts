export { RateLimiter, type RateLimiterEvents, type RateLimiterStats } from './rate-limiter.js';
export type {
  AcquireOptions,
  RateLimitAlgorithm,
  RateLimiterOptions,
  RateLimitExecuteOptions,
  RateLimitOptions,
} from './options.js';
export { rateLimitHeaders, type RateLimitDecision, type RateLimitHeadersOptions } from './headers.js';
export { ManualClock, RateLimitExceededError, pipeline, systemClock } from '@cemaf/core';
export type { Clock, ExecuteOptions, ExecutionContext, Listener, Pipeline, Policy, Task } from '@cemaf/core';
