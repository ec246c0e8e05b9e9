import { createClient } from 'redis';
import { RedisCircuitBreaker } from '@cemaf/circuit-breaker-redis';

export const redis = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
redis.on('error', (error) => console.error('redis', error));
await redis.connect();

// Opens when half of the last 50 calls, over all processes, failed or took over 2 s. While Redis
// is unreachable, each process protects itself with a local breaker of the same options.
export const search = new RedisCircuitBreaker({
  redis,
  name: 'search',
  window: { size: 50, minimumCalls: 20, failureRate: 0.5, slowCallDuration: 2_000, slowCallRate: 0.5 },
  resetTimeout: 30_000,
});

search.on('stateChange', ({ from, to }) => console.info(`search circuit: ${from} -> ${to}`));
search.on('fallback', ({ error }) => console.warn('search circuit decided locally, Redis failed:', error));
search.on('rejoin', ({ after }) => console.info(`search circuit shared again after ${Math.round(after)} ms`));
