/**
 * The breaker's option checks and state machine, for packages that build another breaker on
 * them (a shared, Redis-backed one). Not for users: this entry may change in any release.
 * @packageDocumentation
 */
export {
  resolveOptions,
  snapshotOf,
  type BreakerSettings,
  type WindowSettings,
} from './options.js';
export {
  admit,
  closed,
  due,
  fromSnapshot,
  halfOpen,
  open,
  recentFailures,
  release,
  retryAfter,
  settle,
  stateOf,
  toSnapshot,
  type Circuit,
  type Closed,
  type HalfOpen,
  type Isolated,
  type Open,
} from './circuit.js';
export { createWindow, record, slide, tripped, TIME_BUCKETS, type RateWindow } from './window.js';
export { rejectSoon, rejection, withoutStack } from './rejection.js';
