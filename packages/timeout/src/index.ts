export {
  TimeoutPolicy,
  type SettledAfterTimeoutEvent,
  type TimeoutEvent,
  type TimeoutEvents,
  type TimeoutOptions,
} from './timeout-policy.js';
export { ManualClock, TimeoutError, pipeline, systemClock } from '@cemaf/core';
export type { Clock, ExecuteOptions, ExecutionContext, Listener, Pipeline, Policy, Task } from '@cemaf/core';
