/**
 * The breaker's option checks, state machine, rate window and rejection helpers, for packages
 * that build another breaker on the same rules (a shared, Redis-backed one). Not for users: this
 * entry may change in any release.
 *
 * A breaker built on them: `resolveOptions` once (and `snapshotOf` + `fromSnapshot` for an
 * `initialState`); per call, `due` (open turns half-open), then `admit`: if it refuses, reject
 * with `rejectSoon(rejection(circuit, now))`; else run the call and, if the circuit that admitted
 * it is still the current one, `settle` it (or `release` its trial slot when the outcome counts
 * as nothing). Every transition returns a new state object.
 * @packageDocumentation
 */
export {
  OPTION_NAMES,
  resolveOptions,
  snapshotOf,
  type BreakerSettings,
  type WindowSettings,
} from './options.js';
export * from './circuit.js';
export * from './window.js';
export * from './rejection.js';
