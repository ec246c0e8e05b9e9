import type { Clock } from '@cemaf/core';
import {
  choiceOption,
  clockOption,
  functionOption,
  invalid,
  numberOption,
  optionsOf,
  requiredOption,
  type NumberRule,
} from '@cemaf/core/internal';

/** The states a circuit reads as. An isolated circuit reads `'open'`. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Rate-based opening over a sliding window of recent calls, as resilience4j counts them. */
export interface WindowOptions {
  /**
   * `'count'`: the last `size` calls. `'time'`: the calls that ended in the last `size` ms, kept
   * in ten buckets of `size / 10` ms each (a call counts for between 90% and 100% of `size`).
   * @default 'count'
   */
  readonly type?: 'count' | 'time' | undefined;
  /** Calls in a count window, or ms in a time window. Required. */
  readonly size: number;
  /**
   * Calls that must be in the window before a rate is judged. A count window takes at most its
   * `size` (a larger value is capped, as resilience4j does).
   * @default 100 (capped at `size` for a count window)
   */
  readonly minimumCalls?: number | undefined;
  /** Opens when failed calls / calls in the window is >= this fraction (0.5 = 50%). @default 0.5 */
  readonly failureRate?: number | undefined;
  /**
   * A call that takes longer than this many ms is slow, whether it succeeds or fails. Slow calls
   * are off unless this is set.
   */
  readonly slowCallDuration?: number | undefined;
  /**
   * Opens when slow calls / calls in the window is >= this fraction. Needs `slowCallDuration`.
   * @default 1
   */
  readonly slowCallRate?: number | undefined;
}

/** A circuit as `toJSON()` stores it: plain JSON, free of clock readings. */
export type CircuitBreakerSnapshot =
  | {
      readonly state: 'closed';
      /** Consecutive failures so far (the consecutive rule only; windows start empty). */
      readonly failures?: number | undefined;
    }
  | {
      readonly state: 'open';
      /** Ms left before trial calls are let through. */
      readonly remaining: number;
    }
  | {
      readonly state: 'half-open';
      /** Trial successes so far. */
      readonly successes?: number | undefined;
    };

/** Options of `new CircuitBreaker(options)`. Durations are in ms. */
export interface CircuitBreakerOptions {
  /**
   * Counted failures in a row that open the circuit; with `failureWindow`, counted failures
   * within the last `failureWindow` ms instead. Not with `window`.
   * @default 5
   */
  readonly failureThreshold?: number | undefined;
  /**
   * Count the failures of the last this many ms, whatever succeeded in between, instead of
   * consecutive ones. Not with `window`.
   */
  readonly failureWindow?: number | undefined;
  /**
   * Ms the circuit stays open before trial calls are let through; or a function of the times it
   * has opened in a row (1 for the first opening) for open periods that grow while it stays down.
   * @default 60000
   */
  readonly resetTimeout?: number | ((timesOpenedInARow: number) => number) | undefined;
  /** Trial calls allowed at once while half-open; any other call is rejected. @default 1 */
  readonly halfOpenMaxCalls?: number | undefined;
  /** Trial successes needed to close. @default 1 */
  readonly successThreshold?: number | undefined;
  /**
   * Which errors count as failures. An error that does not count still reaches the caller,
   * and counts as neither failure nor success. Aborts never count.
   * @default every error
   */
  readonly isFailure?: ((error: unknown) => boolean) | undefined;
  /** Open on a failure rate (and slow-call rate) over recent calls instead of a count. */
  readonly window?: WindowOptions | undefined;
  /** Where the circuit starts: a `toJSON()` snapshot, from this process or another. */
  readonly initialState?: CircuitBreakerSnapshot | undefined;
  /** Where time comes from. @default systemClock */
  readonly clock?: Clock | undefined;
}

/** A checked `window`, defaults filled in; each field is the option of the same name. */
export interface WindowSettings {
  readonly type: 'count' | 'time';
  readonly size: number;
  /** Already capped at `size` for a count window. */
  readonly minimumCalls: number;
  readonly failureRate: number;
  /** `Infinity` when slow calls are off. */
  readonly slowCallDuration: number;
  readonly slowCallRate: number;
}

/**
 * Checked options, defaults filled in; each field is the option of the same name. Not
 * `initialState`: that is where a circuit starts (see `snapshotOf`), not how it behaves.
 */
export interface BreakerSettings {
  readonly clock: Clock;
  /** Meaningless with `window`. */
  readonly failureThreshold: number;
  /** `Infinity` for the consecutive rule (no `failureWindow`). Meaningless with `window`. */
  readonly failureWindow: number;
  /** A function's every result is checked (see `resolveOptions`). */
  readonly resetTimeout: number | ((timesOpenedInARow: number) => number);
  readonly halfOpenMaxCalls: number;
  readonly successThreshold: number;
  readonly isFailure: ((error: unknown) => boolean) | undefined;
  readonly window: WindowSettings | undefined;
}

/** The options of `new CircuitBreaker(options)`, in the order an unknown option's message lists them. */
export const OPTION_NAMES: readonly string[] = [
  'failureThreshold',
  'failureWindow',
  'resetTimeout',
  'halfOpenMaxCalls',
  'successThreshold',
  'isFailure',
  'window',
  'initialState',
  'clock',
];
const WINDOW_NAMES = ['type', 'size', 'minimumCalls', 'failureRate', 'slowCallDuration', 'slowCallRate'];
const STATES: readonly unknown[] = ['closed', 'open', 'half-open'];
const COUNT: NumberRule = { integer: true, min: 1 };
const DURATION: NumberRule = { min: 0 };
const RATE: NumberRule = { above: 0, max: 1 };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Refuses an option that means nothing `when` (a `TypeError`). */
function leftOut(owner: string, name: string, value: unknown, when: string): void {
  if (value !== undefined) invalid(owner, name, `left out ${when}`, value, TypeError);
}

/**
 * Checks a circuit breaker's options and fills in the defaults. Throws a `TypeError` or
 * `RangeError` naming `owner`; `extraNames` are further options the owner checks itself, and
 * so is `initialState`, with `snapshotOf`. A `resetTimeout` function comes back wrapped: a
 * result that is not a finite number >= 0 is a bug, and throws a `RangeError` (or `TypeError`)
 * naming `owner` from the call that would have opened the circuit.
 */
export function resolveOptions(owner: string, options: unknown, extraNames: readonly string[] = []): BreakerSettings {
  const o = optionsOf(owner, options, [...OPTION_NAMES, ...extraNames]);
  const number = <Fallback extends number>(name: string, rule: NumberRule, fallback: Fallback) =>
    numberOption(owner, name, o[name], rule, fallback);
  const resetTimeout = o['resetTimeout'];
  if (resetTimeout !== undefined && typeof resetTimeout !== 'number' && typeof resetTimeout !== 'function') {
    invalid(owner, 'resetTimeout', 'a finite number >= 0 or a function', resetTimeout, TypeError);
  }
  return {
    clock: clockOption(owner, o['clock']),
    failureThreshold: number('failureThreshold', COUNT, 5),
    failureWindow: number('failureWindow', { above: 0 }, Infinity),
    resetTimeout:
      typeof resetTimeout === 'function'
        ? checkedResetTimeout(owner, resetTimeout as (timesOpenedInARow: number) => unknown)
        : number('resetTimeout', DURATION, 60_000),
    halfOpenMaxCalls: number('halfOpenMaxCalls', COUNT, 1),
    successThreshold: number('successThreshold', COUNT, 1),
    isFailure: functionOption(owner, 'isFailure', o['isFailure']),
    window: o['window'] === undefined ? undefined : windowOf(owner, o),
  };
}

function checkedResetTimeout(owner: string, resetTimeout: (timesOpenedInARow: number) => unknown) {
  return (timesOpenedInARow: number): number => {
    const name = `resetTimeout(${timesOpenedInARow})`;
    const ms = resetTimeout(timesOpenedInARow);
    requiredOption(owner, name, ms, 'a finite number >= 0');
    return numberOption(owner, name, ms, DURATION, 0);
  };
}

function windowOf(owner: string, options: Record<string, unknown>): WindowSettings {
  for (const name of ['failureThreshold', 'failureWindow']) {
    leftOut(owner, name, options[name], 'when window is set (pick one rule)');
  }
  const w = options['window'];
  if (!isObject(w)) invalid(owner, 'window', 'an object', w, TypeError);
  optionsOf(`${owner}: window`, w, WINDOW_NAMES);
  const number = <Fallback extends number>(name: string, rule: NumberRule, fallback: Fallback) =>
    numberOption(owner, `window.${name}`, w[name], rule, fallback);
  const type = choiceOption(owner, 'window.type', w['type'], ['count', 'time'], 'count');
  requiredOption(owner, 'window.size', w['size'], 'a number');
  const size = number('size', type === 'count' ? COUNT : { above: 0 }, 0);
  const slowCallDuration = number('slowCallDuration', DURATION, Infinity);
  if (slowCallDuration === Infinity) leftOut(owner, 'window.slowCallRate', w['slowCallRate'], 'unless window.slowCallDuration is set');
  return {
    type,
    size,
    // As resilience4j: a count window never waits for more calls than it holds.
    minimumCalls: Math.min(number('minimumCalls', COUNT, 100), type === 'count' ? size : Infinity),
    failureRate: number('failureRate', RATE, 0.5),
    slowCallDuration,
    slowCallRate: number('slowCallRate', RATE, 1),
  };
}

/** Checks a `toJSON()` snapshot given as `initialState`; the numbers its state does not use come back as 0. */
export function snapshotOf(owner: string, value: unknown): CircuitBreakerSnapshot {
  if (!isObject(value)) invalid(owner, 'initialState', 'a snapshot from toJSON() (an object)', value, TypeError);
  const { state } = value;
  if (!STATES.includes(state)) {
    invalid(owner, 'initialState.state', "one of 'closed', 'open', 'half-open'", state, typeof state === 'string' ? RangeError : TypeError);
  }
  if (state === 'open') requiredOption(owner, 'initialState.remaining', value['remaining'], 'a finite number >= 0');
  const number = (name: string, rule: NumberRule) => numberOption(owner, `initialState.${name}`, value[name], rule, 0);
  const count = { integer: true, min: 0 };
  return {
    state,
    failures: number('failures', count),
    successes: number('successes', count),
    remaining: number('remaining', DURATION),
  } as CircuitBreakerSnapshot;
}
