import { invalid } from '@cemaf/core/internal';
import type { BreakerSettings, CircuitBreakerSnapshot, CircuitState } from './options.js';
import { createWindow, record, slide, tripped, type RateWindow } from './window.js';

/** Closed: calls go through, and their outcomes are counted. */
export interface Closed {
  readonly state: 'closed';
  /**
   * Consecutive counted failures; with `failureWindow`, every failure of this closed period
   * (the position in `times`).
   */
  failures: number;
  /** With `failureWindow`: when the last `failureThreshold` failures ended, a ring. */
  times?: Float64Array;
  /** With `window`: the rate window. */
  window?: RateWindow;
}

/** Open: calls are rejected until `until`. */
export interface Open {
  readonly state: 'open';
  /** The clock reading at which it is half-open. */
  readonly until: number;
  /** Times opened in a row, this opening included. */
  readonly streak: number;
}

/** Half-open: up to `halfOpenMaxCalls` trial calls at once. */
export interface HalfOpen {
  readonly state: 'half-open';
  /** Times opened in a row before this trial period. */
  readonly streak: number;
  /** Trial calls running. */
  trials: number;
  /** Trial calls that succeeded. */
  successes: number;
}

/** Held open by `isolate()` until every release is called. */
export interface Isolated {
  readonly state: 'isolated';
  /** Releases still to be called. */
  holds: number;
}

/**
 * A circuit's state. Every transition makes a new object, so a call can tell whether the
 * circuit it was admitted by is still the current one: outcomes of calls from an earlier
 * period are never counted in a later one.
 */
export type Circuit = Closed | Open | HalfOpen | Isolated;

/** A closed circuit with fresh counts. */
export const closed = (): Closed => ({ state: 'closed', failures: 0 });

/** A half-open circuit with no trial running, after `streak` openings in a row. */
export const halfOpen = (streak: number, successes = 0): HalfOpen => ({
  state: 'half-open',
  streak,
  trials: 0,
  successes,
});

/**
 * Opens for `resetTimeout` (or its value for `streak`). A `resetTimeout` function that
 * returns anything but a finite number >= 0 is a bug, reported with a `RangeError`.
 */
export function open(settings: BreakerSettings, streak: number): Open {
  const { resetTimeout } = settings;
  const ms = typeof resetTimeout === 'function' ? resetTimeout(streak) : resetTimeout;
  if (typeof ms !== 'number' || !(ms >= 0 && ms < Infinity)) {
    invalid(settings.owner, `resetTimeout(${streak})`, 'a finite number >= 0', ms, typeof ms === 'number' ? RangeError : TypeError);
  }
  return { state: 'open', until: settings.clock.now() + ms, streak };
}

/** The name a circuit reads as. */
export const stateOf = (circuit: Circuit): CircuitState =>
  circuit.state === 'isolated' ? 'open' : circuit.state;

/** The circuit as it is at `now`: open turns half-open at exactly `until`. */
export const due = (circuit: Circuit, now: number): Circuit =>
  circuit.state === 'open' && now >= circuit.until ? halfOpen(circuit.streak) : circuit;

/** Whether a call may run now; a trial call takes a slot. */
export function admit(circuit: Circuit, settings: BreakerSettings): boolean {
  if (circuit.state === 'closed') return true;
  if (circuit.state !== 'half-open' || circuit.trials >= settings.halfOpenMaxCalls) return false;
  circuit.trials++;
  return true;
}

/** Ms until a call may run: 0 when one may (or a trial slot may free at any moment). */
export const retryAfter = (circuit: Circuit, now: number): number =>
  circuit.state === 'open'
    ? Math.max(0, Math.ceil(circuit.until - now))
    : circuit.state === 'isolated'
      ? Infinity
      : 0;

/** Gives back the trial slot of a call that counts as nothing (aborted, or not a failure). */
export function release(circuit: Circuit): void {
  if (circuit.state === 'half-open') circuit.trials--;
}

/**
 * Counts the outcome of a call admitted by `circuit` (the current one): `failed` for a counted
 * failure, `slow` for a call slower than `slowCallDuration`. Returns the circuit that follows:
 * the same object, or a new one on a transition.
 */
export function settle(circuit: Closed | HalfOpen, settings: BreakerSettings, failed: boolean, slow: boolean): Circuit {
  if (circuit.state === 'half-open') {
    circuit.trials--;
    if (failed || slow) return open(settings, circuit.streak + 1);
    return ++circuit.successes >= settings.successThreshold ? closed() : circuit;
  }
  const { window, failureThreshold, failureWindow, clock } = settings;
  if (window !== undefined) {
    const rates = (circuit.window ??= createWindow(window));
    record(rates, window, clock.now(), failed, slow);
    return tripped(rates, window) ? open(settings, 1) : circuit;
  }
  if (failureWindow === undefined) {
    if (!failed) circuit.failures = 0;
    else if (++circuit.failures >= failureThreshold) return open(settings, 1);
    return circuit;
  }
  if (!failed) return circuit;
  // The circuit opens when the oldest of the last failureThreshold failures is recent enough.
  const times = (circuit.times ??= new Float64Array(failureThreshold));
  const now = clock.now();
  times[circuit.failures++ % failureThreshold] = now;
  return circuit.failures >= failureThreshold && now - times[circuit.failures % failureThreshold]! < failureWindow
    ? open(settings, 1)
    : circuit;
}

/** Counted failures weighing toward opening at `now` (0 unless closed). */
export function recentFailures(circuit: Circuit, settings: BreakerSettings, now: number): number {
  if (circuit.state !== 'closed') return 0;
  const { window, failureWindow } = settings;
  if (window !== undefined) {
    if (circuit.window === undefined) return 0;
    slide(circuit.window, window, now);
    return circuit.window.failures;
  }
  if (failureWindow === undefined) return circuit.failures;
  let count = 0;
  for (const time of circuit.times?.subarray(0, circuit.failures) ?? []) {
    if (now - time < failureWindow) count++;
  }
  return count;
}

/** The snapshot `toJSON()` gives: no clock readings, so it means the same in another process. */
export function toSnapshot(circuit: Circuit, settings: BreakerSettings, now: number): CircuitBreakerSnapshot {
  switch (circuit.state) {
    case 'open':
      return { state: 'open', remaining: circuit.until - now };
    case 'half-open':
      return { state: 'half-open', successes: circuit.successes };
    case 'closed':
      return { state: 'closed', failures: consecutive(settings) ? circuit.failures : 0 };
    default:
      // An isolation belongs to whoever holds its release: it becomes a fresh closed circuit.
      return { state: 'closed', failures: 0 };
  }
}

/** The circuit a snapshot describes, at `now`. Times opened in a row restart at 1. */
export function fromSnapshot(snapshot: CircuitBreakerSnapshot, settings: BreakerSettings, now: number): Circuit {
  switch (snapshot.state) {
    case 'open':
      return { state: 'open', until: now + snapshot.remaining, streak: 1 };
    case 'half-open':
      return halfOpen(1, snapshot.successes);
    default:
      return { state: 'closed', failures: consecutive(settings) ? (snapshot.failures ?? 0) : 0 };
  }
}

const consecutive = (settings: BreakerSettings): boolean =>
  settings.window === undefined && settings.failureWindow === undefined;
