export { RateLimiter, type RateLimiterEvents, type RateLimiterStats } from './rate-limiter.js';
export {
  type AcquireOptions,
  type RateLimitAlgorithm,
  type RateLimiterOptions,
  type RateLimitExecuteOptions,
  type RateLimitOptions,
} from './options.js';
export { rateLimitHeaders, type RateLimitDecision, type RateLimitHeadersOptions } from './headers.js';
export { RateLimitExceededError } from '@cemaf/core';
