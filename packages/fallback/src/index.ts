export {
  FallbackPolicy,
  type FallbackEvent,
  type FallbackEvents,
  type FallbackFunction,
  type FallbackOptions,
} from './fallback-policy.js';
export { pipeline } from '@cemaf/core';
export type { ExecuteOptions, ExecutionContext, Listener, Pipeline, Policy, Task } from '@cemaf/core';
