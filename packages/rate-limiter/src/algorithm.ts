/**
 * How one algorithm keeps a key's permits. A state holds the permits taken so far (and, for a
 * key's waiters, the ones they reserved); `undefined` is a fresh key. Times are clock ms.
 */
export interface Algorithm<State> {
  /**
   * When `cost` permits fit, after every permit `state` holds: they fit at any time from then
   * on (-Infinity: at any time). With `cost` = the capacity, when `state` is back to that of a
   * fresh key.
   */
  earliest(state: State | undefined, cost: number): number;
  /** Takes `cost` permits at `time` (no earlier than what `state` holds); may change `state`. */
  take(state: State | undefined, cost: number, time: number): State;
  /** Permits free at `now`, when `state` holds nothing later than `now`. */
  remaining(state: State | undefined, now: number): number;
  /** A copy that `take` can change without touching `state`. */
  copy(state: State): State;
}
