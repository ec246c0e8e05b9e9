export {
  RedisCircuitBreaker,
  type RedisCircuitBreakerEvents,
  type RedisCircuitBreakerStats,
  type RedisIsolationRelease,
} from './redis-circuit-breaker.js';
export type { RedisCircuitBreakerOptions } from './options.js';
export type {
  CircuitBreakerEvents,
  CircuitBreakerSnapshot,
  CircuitBreakerStats,
  CircuitState,
  WindowOptions,
} from '@cemaf/circuit-breaker';
export {
  toRedisAdapter,
  type IoredisLike,
  type NodeRedisLike,
  type RedisArgument,
  type RedisClient,
  type RedisClientAdapter,
  type RedisSubscription,
  type SubscriptionHandlers,
} from '@cemaf/redis-client';
export { CircuitOpenError, ManualClock, pipeline, systemClock } from '@cemaf/core';
export type { Clock, ExecuteOptions, ExecutionContext, Listener, Pipeline, Policy, Task } from '@cemaf/core';
