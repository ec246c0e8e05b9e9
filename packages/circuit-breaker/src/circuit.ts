import type { BreakerSettings, CircuitBreakerSnapshot, CircuitState } from './options.js';
import { createWindow, record, slide, tripped, type RateWindow } from './window.js';

/** Closed: calls go through, and their outcomes are counted. */
export interface Closed {
  readonly state: 'closed';
  /**
   * When the last (at most `failureThreshold`) counted failures ended, oldest first: those in a
   * row for the consecutive rule (a success empties it), or any with `failureWindow`.
   */
  failures: number[] | undefined;
  /** With `window`: the rate window, made on the first call. */
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

/** A closed circuit with fresh counts, or with `failures` consecutive failures ending at `now`. */
export const closed = (failures = 0, now = 0): Closed => ({
  state: 'closed',
  failures: failures > 0 ? new Array<number>(failures).fill(now) : undefined,
});

/** A half-open circuit with no trial running, after `streak` openings in a row. */
export const halfOpen = (streak: number, successes = 0): HalfOpen => ({ state: 'half-open', streak, trials: 0, successes });

/** Opens for `resetTimeout` (or its value for `streak`, which may throw: see `resolveOptions`). */
export function open(settings: BreakerSettings, streak: number): Open {
  const { resetTimeout } = settings;
  const ms = typeof resetTimeout === 'function' ? resetTimeout(streak) : resetTimeout;
  return { state: 'open', until: settings.clock.now() + ms, streak };
}

/** The name a circuit reads as. */
export const stateOf = (circuit: Circuit): CircuitState => (circuit.state === 'isolated' ? 'open' : circuit.state);

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
  circuit.state === 'open' ? Math.max(0, Math.ceil(circuit.until - now)) : circuit.state === 'isolated' ? Infinity : 0;

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
  if (!failed) {
    // The consecutive rule starts over; failures within a failureWindow stay.
    if (failureWindow === Infinity) circuit.failures = undefined;
    return circuit;
  }
  const failures = (circuit.failures ??= []);
  const now = clock.now();
  if (failures.push(now) > failureThreshold) failures.shift();
  // Open once the oldest of the last failureThreshold failures is recent enough (always, for the
  // consecutive rule: its window is endless).
  return failures.length === failureThreshold && now - failures[0]! < failureWindow ? open(settings, 1) : circuit;
}

/** Counted failures weighing toward opening at `now` (0 unless closed). */
export function recentFailures(circuit: Circuit, settings: BreakerSettings, now: number): number {
  if (circuit.state !== 'closed') return 0;
  const { window, failureWindow } = settings;
  if (window !== undefined) {
    if (circuit.window !== undefined) slide(circuit.window, window, now);
    return circuit.window?.failures ?? 0;
  }
  return circuit.failures?.filter((time) => now - time < failureWindow).length ?? 0;
}

/** Whether the closed state's count survives a snapshot: only the consecutive rule's does. */
const consecutive = (settings: BreakerSettings): boolean =>
  settings.window === undefined && settings.failureWindow === Infinity;

/**
 * The snapshot `toJSON()` gives of the circuit at `now` (after `due`): no clock readings, so
 * it means the same in another process. An isolation belongs to whoever holds its release: it
 * is stored as the closed circuit it becomes.
 */
export function toSnapshot(circuit: Circuit, settings: BreakerSettings, now: number): CircuitBreakerSnapshot {
  if (circuit.state === 'open') return { state: 'open', remaining: circuit.until - now };
  if (circuit.state === 'half-open') return { state: 'half-open', successes: circuit.successes };
  return { state: 'closed', failures: (circuit.state === 'closed' && consecutive(settings) && circuit.failures?.length) || 0 };
}

/** The circuit a snapshot describes, at `now`. Times opened in a row restart at 1. */
export function fromSnapshot(snapshot: CircuitBreakerSnapshot, settings: BreakerSettings, now: number): Circuit {
  if (snapshot.state === 'open') return { state: 'open', until: now + snapshot.remaining, streak: 1 };
  if (snapshot.state === 'half-open') return halfOpen(1, snapshot.successes);
  return closed(consecutive(settings) ? snapshot.failures : 0, now);
}
