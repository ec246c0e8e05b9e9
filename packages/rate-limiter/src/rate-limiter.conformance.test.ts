import { ManualClock } from '@cemaf/core';
import { describeRateLimiterConformance } from '@cemaf/test-utils';
import { RateLimiter } from './rate-limiter.js';

describeRateLimiterConformance('RateLimiter', (options) => new RateLimiter(options), {
  clock: () => new ManualClock(),
  synchronousTryAcquire: true,
});
