/**
 * The shared circuit as the script describes it, in its answers and in what it publishes on a
 * transition: 'generation state remaining streak successes taken next view'.
 */
export interface SharedState {
  /** Grows with every transition; what belongs to an earlier generation counts nowhere. */
  readonly generation: number;
  /** Closed, open, half-open, or isolated (held open by `isolate()`). */
  readonly state: 'c' | 'o' | 'h' | 'i';
  /** Open: ms until it turns half-open. */
  readonly remaining: number;
  /** Times opened in a row. */
  readonly streak: number;
  /** Half-open: trial successes so far. */
  readonly successes: number;
  /** Half-open: trial slots held, over all processes. */
  readonly taken: number;
  /**
   * Half-open: ms until the first trial lease runs out; isolated: until the first isolation hold
   * runs out (if its process stops renewing it). -1 when there is none.
   */
  readonly next: number;
  /** Closed: the counts, in the mode's own form (see tally.ts); '-' otherwise. */
  readonly view: string;
}

const STATES: readonly string[] = ['c', 'o', 'h', 'i'];

/** Reads a state the script wrote; throws a `TypeError` for anything else. */
export function parseState(text: unknown): SharedState {
  const parts = typeof text === 'string' ? text.split(' ') : [];
  const [generation, state, remaining, streak, successes, taken, next, view] = parts;
  const numbers = [generation, remaining, streak, successes, taken, next].map(Number);
  if (parts.length !== 8 || !STATES.includes(state!) || numbers.some((value) => !Number.isFinite(value))) {
    throw new TypeError(`RedisCircuitBreaker: unexpected state from Redis: ${String(text)}`);
  }
  return {
    generation: numbers[0]!,
    state: state as SharedState['state'],
    remaining: numbers[1]!,
    streak: numbers[2]!,
    successes: numbers[3]!,
    taken: numbers[4]!,
    next: numbers[5]!,
    view: view!,
  };
}
