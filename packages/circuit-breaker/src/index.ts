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
export { CircuitOpenError } from '@cemaf/core';
