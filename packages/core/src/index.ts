export { systemClock, type Clock } from './clock.js';
export { ManualClock } from './manual-clock.js';
export { CemafError, CircuitOpenError, RateLimitExceededError, TimeoutError } from './errors.js';
export type { Listener } from './events.js';
export {
  pipeline,
  type ExecuteOptions,
  type ExecutionContext,
  type Pipeline,
  type Policy,
  type Task,
} from './pipeline.js';
