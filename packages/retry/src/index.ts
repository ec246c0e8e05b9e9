export {
  RetryPolicy,
  type BackoffKind,
  type GiveUpEvent,
  type GiveUpReason,
  type RetryEvent,
  type RetryEvents,
  type RetryOptions,
  type SuccessEvent,
} from './retry-policy.js';
export {
  constant,
  decorrelatedJitter,
  equalJitter,
  exponential,
  fibonacci,
  fullJitter,
  linear,
  type Backoff,
  type BackoffContext,
  type BackoffOptions,
  type ExponentialOptions,
  type JitterOptions,
} from './backoff.js';
export { RetryBudget, type RetryBudgetOptions } from './retry-budget.js';
export { isTransientError } from './is-transient-error.js';
export { parseRetryAfter } from './parse-retry-after.js';
export { ManualClock, type Clock, type ExecuteOptions, type ExecutionContext, type Task } from '@cemaf/core';
