/**
 * How one algorithm keeps a key's permits. A state holds the permits taken so far (and, for a
 * key's waiters, the ones they reserved); `undefined` is a fresh key. Times are clock ms.
 */
export interface Algorithm<State> {
  /** The capacity: `maxCalls`, or `burst` for the token bucket. */
  readonly limit: number;
  /** Earliest time >= `base` at which `cost` permits fit, after every permit `state` holds. */
  earliest(state: State | undefined, cost: number, base: number): number;
  /** Takes `cost` permits at `time` (no earlier than what `state` holds); may change `state`. */
  take(state: State | undefined, cost: number, time: number): State;
  /** Permits free at `now`, when `state` holds nothing later than `now`. */
  remaining(state: State | undefined, now: number): number;
  /** When `state` is back to that of a fresh key. */
  fullAt(state: State): number;
  /** A copy that `take` can change without touching `state`. */
  copy(state: State): State;
}
