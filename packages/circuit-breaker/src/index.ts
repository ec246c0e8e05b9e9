export {
  CircuitBreaker,
  type CircuitBreakerEvents,
  type CircuitBreakerStats,
  type IsolationRelease,
} from './circuit-breaker.js';
export type {
  CircuitBreakerOptions,
  CircuitBreakerSnapshot,
  CircuitState,
  WindowOptions,
} from './options.js';
export { CircuitOpenError, ManualClock, pipeline, systemClock } from '@cemaf/core';
export type { Clock, ExecuteOptions, ExecutionContext, Listener, Pipeline, Policy, Task } from '@cemaf/core';
