import type { CircuitOpenError, ExecuteOptions, Listener, Policy, Task } from '@cemaf/core';
import { CallContext, Emitter, invalid, onAbort, runTask, wrap } from '@cemaf/core/internal';
import {
  admit,
  closed,
  due,
  fromSnapshot,
  recentFailures,
  release,
  retryAfter,
  settle,
  stateOf,
  toSnapshot,
  type Circuit,
  type Closed,
  type HalfOpen,
} from './circuit.js';
import {
  resolveOptions,
  snapshotOf,
  type BreakerSettings,
  type CircuitBreakerOptions,
  type CircuitBreakerSnapshot,
  type CircuitState,
} from './options.js';
import { rejectSoon, rejection } from './rejection.js';

const OWNER = 'CircuitBreaker';
const EMPTY_WINDOW = { calls: 0, failures: 0, slowCalls: 0 };

/** The events of a `CircuitBreaker`, with their payloads. */
export interface CircuitBreakerEvents {
  /** The state changed. An open circuit turning half-open is reported when first observed. */
  stateChange: { readonly from: CircuitState; readonly to: CircuitState };
  /**
   * A call's `fn` fulfilled. `duration` is in ms; calls are timed only while something listens
   * to `success` or `failure` (or slow calls are tracked), so it is `NaN` for a call that
   * started before that.
   */
  success: { readonly duration: number };
  /** A call's `fn` failed with an error that counts (see `isFailure`). `duration` as for `success`. */
  failure: { readonly error: unknown; readonly duration: number };
  /** A call was turned away without running `fn`; `error` is what it rejected with. */
  reject: { readonly state: 'open' | 'half-open'; readonly error: CircuitOpenError };
}

/** What `stats()` returns. Counts run from creation or the last `reset()`. */
export interface CircuitBreakerStats {
  /** As `state` reads. */
  readonly state: CircuitState;
  /** Whether `isolate()` holds the circuit open. */
  readonly isolated: boolean;
  /**
   * Ms until a call may run: 0 when closed, or half-open (a trial slot may free at any moment);
   * `Infinity` while isolated.
   */
  readonly retryAfter: number;
  /** Calls whose `fn` fulfilled. */
  readonly successes: number;
  /** Calls whose `fn` failed with an error that counts. */
  readonly failures: number;
  /** Calls whose `fn` ran but that counted as neither: aborted by their caller, or an error `isFailure` excludes. */
  readonly ignored: number;
  /** Calls turned away with `CircuitOpenError` without running `fn`. */
  readonly rejections: number;
  /** Times the circuit opened (isolations not included). */
  readonly timesOpened: number;
  /**
   * Counted failures weighing toward opening now: consecutive ones, those within
   * `failureWindow`, or those in `window`. 0 unless closed.
   */
  readonly recentFailures: number;
  /** With `window`: the calls, failures and slow calls in it (all 0 unless closed). */
  readonly window?: { readonly calls: number; readonly failures: number; readonly slowCalls: number };
}

/** Ends an isolation; calling it again does nothing. Also a `Disposable`, for `using`. */
export type IsolationRelease = (() => void) & Disposable;

/**
 * A circuit breaker: after repeated failures it turns calls away at once with
 * `CircuitOpenError`, instead of letting them pile up on a dependency that is down; after
 * `resetTimeout` it lets trial calls through, and closes again when they succeed.
 *
 * States are computed lazily from the clock: no timers.
 *
 * @example
 * const breaker = new CircuitBreaker({ failureThreshold: 5, resetTimeout: 30_000 });
 * const user = await breaker.execute(({ signal }) => fetchUser(id, { signal }));
 */
export class CircuitBreaker implements Policy {
  readonly #settings: BreakerSettings;
  /** Made on the first `on()`. */
  #events: Emitter<CircuitBreakerEvents> | undefined;
  #circuit: Circuit;
  /**
   * The outcome handlers that plain calls (closed, no signal, not timed) share instead of
   * closures of their own, made on the first; they tell a call's period by `#plainCalls`.
   */
  #onSuccess: ((value: unknown) => unknown) | undefined;
  #onFailure: ((error: unknown) => never) | undefined;
  /**
   * Plain calls running: those the current circuit admitted, or, negated, those an earlier
   * circuit admitted (a transition negates the count). While the count is negative, new calls
   * are watched instead, so every plain call that ends then is one of the earlier ones. (One
   * that never ends keeps later calls watched: a little slower, never miscounted.)
   */
  #plainCalls = 0;
  #successes = 0;
  #failures = 0;
  #ignored = 0;
  #rejections = 0;
  #timesOpened = 0;

  /** @throws TypeError or RangeError for a bad option, naming it. */
  constructor(options?: CircuitBreakerOptions) {
    const settings = (this.#settings = resolveOptions(OWNER, options));
    const snapshot = options?.initialState;
    this.#circuit =
      snapshot === undefined ? closed() : fromSnapshot(snapshotOf(OWNER, snapshot), settings, settings.clock.now());
  }

  /**
   * `'closed'`, `'open'` or `'half-open'`, computed from the clock when read. An isolated
   * circuit reads `'open'`.
   */
  get state(): CircuitState {
    return stateOf(this.#current());
  }

  /**
   * Runs `fn` unless the circuit is open, or half-open with every trial slot taken: then
   * rejects with `CircuitOpenError` (see its `retryAfter`) without calling it. Settles with
   * `fn`'s outcome. Never throws synchronously.
   */
  execute<T>(fn: Task<T>, options?: ExecuteOptions): Promise<T> {
    try {
      const signal = options?.signal;
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (typeof fn !== 'function') invalid(OWNER, 'fn', 'a function', fn, TypeError);
      const ctx = new CallContext(signal, options?.attempt ?? 1);
      if (signal === undefined && this.#circuit.state === 'closed' && this.#plainCalls >= 0 && !this.#timed()) {
        // A plain call: it shares its outcome handlers with the others (see #plainCalls).
        this.#plainCalls++;
        return runTask(fn, ctx).then(
          (this.#onSuccess ??= this.#succeeded.bind(this)),
          (this.#onFailure ??= this.#failed.bind(this)),
        ) as Promise<T>;
      }
      const circuit = this.#current();
      return admit(circuit, this.#settings)
        ? this.#watch(fn, ctx, circuit as Closed | HalfOpen, signal)
        : this.#reject(circuit);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A function with `fn`'s parameters that calls `fn` through the breaker. */
  wrap<Args extends unknown[], Result>(fn: (...args: Args) => Result): (...args: Args) => Promise<Awaited<Result>> {
    return wrap(this, fn);
  }

  /**
   * Holds the circuit open until the returned release is called: every call is rejected with
   * `CircuitOpenError` (`isolated: true`, `retryAfter: Infinity`). Isolations nest: the circuit
   * stays open until each one's release is called, and then closes with fresh counts. The
   * release is also a `Disposable`: `using hold = breaker.isolate()`.
   */
  isolate(): IsolationRelease {
    let circuit = this.#circuit;
    if (circuit.state === 'isolated') circuit.holds++;
    else this.#become((circuit = { state: 'isolated', holds: 1 }));
    const isolation = circuit;
    let held = true;
    const releaseIsolation = (() => {
      if (!held) return;
      held = false;
      // Nothing but its last release replaces an isolation.
      if (--isolation.holds === 0) this.#become(closed());
    }) as IsolationRelease;
    // Read when called, so a Symbol.dispose polyfill loaded later is still found.
    releaseIsolation[Symbol.dispose ?? Symbol.for('Symbol.dispose')] = releaseIsolation;
    return releaseIsolation;
  }

  /**
   * Closes the circuit with fresh counts and zeroes the stats. Calls still running count
   * nowhere. An isolation stays: only its release ends it.
   */
  reset(): void {
    this.#successes = this.#failures = this.#ignored = this.#rejections = this.#timesOpened = 0;
    if (this.#circuit.state !== 'isolated') this.#become(closed());
  }

  /** Counts and state, for dashboards and health checks. */
  stats(): CircuitBreakerStats {
    const circuit = this.#current();
    const settings = this.#settings;
    const now = settings.clock.now();
    const stats = {
      state: stateOf(circuit),
      isolated: circuit.state === 'isolated',
      retryAfter: retryAfter(circuit, now),
      successes: this.#successes,
      failures: this.#failures,
      ignored: this.#ignored,
      rejections: this.#rejections,
      timesOpened: this.#timesOpened,
      recentFailures: recentFailures(circuit, settings, now),
    };
    if (settings.window === undefined) return stats;
    // recentFailures has slid the window to now.
    const { calls, failures, slowCalls } = (circuit.state === 'closed' && circuit.window) || EMPTY_WINDOW;
    return { ...stats, window: { calls, failures, slowCalls } };
  }

  /**
   * The circuit as plain JSON, free of clock readings (an open circuit stores the ms it has
   * left), for `initialState` here or in another process. Isolations and rate windows are
   * not stored.
   */
  toJSON(): CircuitBreakerSnapshot {
    return toSnapshot(this.#current(), this.#settings, this.#settings.clock.now());
  }

  /** Listens to an event; returns the function that stops listening. */
  on<E extends keyof CircuitBreakerEvents>(event: E, listener: Listener<CircuitBreakerEvents[E]>): () => void {
    return (this.#events ??= new Emitter()).on(event, listener);
  }

  /** The circuit now, after the lazy open -> half-open step. */
  #current(): Circuit {
    const circuit = this.#circuit;
    if (circuit.state === 'open') this.#become(due(circuit, this.#settings.clock.now()));
    return this.#circuit;
  }

  #become(next: Circuit): void {
    const previous = this.#circuit;
    if (next === previous) return;
    this.#circuit = next;
    // The plain calls running now belong to an earlier circuit.
    if (this.#plainCalls > 0) this.#plainCalls = -this.#plainCalls;
    if (next.state === 'open') this.#timesOpened++;
    const from = stateOf(previous);
    const to = stateOf(next);
    if (from !== to) this.#events?.emit('stateChange', { from, to });
  }

  #reject(circuit: Circuit): Promise<never> {
    this.#rejections++;
    const error = rejection(circuit, this.#settings.clock.now());
    this.#events?.emit('reject', { state: stateOf(circuit) as 'open' | 'half-open', error });
    return rejectSoon(error);
  }

  /** Whether calls are timed: the clock is read only for slow calls, or for someone listening. */
  #timed(): boolean {
    const events = this.#events;
    return (
      (this.#settings.window?.slowCallDuration ?? Infinity) < Infinity ||
      (events !== undefined && (events.has('success') || events.has('failure')))
    );
  }

  /** Runs a call that needs handlers of its own: timed, with a signal, or a trial. */
  #watch<T>(fn: Task<T>, ctx: CallContext, circuit: Closed | HalfOpen, signal: AbortSignal | undefined): Promise<T> {
    const { clock } = this.#settings;
    // A trial whose caller gives up gives its slot back at once, even if fn never settles.
    const stopWaiting =
      signal !== undefined && circuit.state === 'half-open' ? onAbort(signal, () => release(circuit)) : undefined;
    const start = this.#timed() ? clock.now() : Number.NaN;
    const ended = (failed: boolean, error: unknown): void => {
      stopWaiting?.();
      // An abort counts as nothing; a trial's slot went back when it happened.
      if (signal?.aborted) this.#ignored++;
      else this.#count(circuit, failed, error, Number.isNaN(start) ? start : clock.now() - start);
    };
    return runTask(fn, ctx).then(
      (value) => {
        ended(false, undefined);
        return value;
      },
      (error: unknown) => {
        ended(true, error);
        throw error;
      },
    );
  }

  /** What plain calls do when they fulfil. */
  #succeeded(value: unknown): unknown {
    this.#record(this.#plainCallEnded(), false, undefined, Number.NaN);
    return value;
  }

  /** What plain calls do when they reject. */
  #failed(error: unknown): never {
    this.#count(this.#plainCallEnded(), true, error, Number.NaN);
    throw error;
  }

  /** Counts a plain call out; returns the circuit that admitted it, if it is still the current one. */
  #plainCallEnded(): Closed | undefined {
    if (this.#plainCalls > 0) {
      this.#plainCalls--;
      return this.#circuit as Closed;
    }
    this.#plainCalls++;
    return undefined;
  }

  /**
   * Counts the outcome of a call that `circuit` admitted, `duration` ms long (`NaN`: untimed),
   * if `isFailure` lets a failure count. Throws what `isFailure` threw, after counting the
   * failure: a throwing `isFailure` is a bug to report.
   */
  #count(circuit: Closed | HalfOpen | undefined, failed: boolean, error: unknown, duration: number): void {
    const { isFailure } = this.#settings;
    if (failed && isFailure !== undefined) {
      let counts: unknown;
      try {
        counts = isFailure(error);
      } catch (thrown) {
        this.#record(circuit, true, error, duration);
        throw thrown;
      }
      if (!counts) {
        this.#ignored++;
        if (circuit === this.#circuit) release(circuit);
        return;
      }
    }
    this.#record(circuit, failed, error, duration);
  }

  /**
   * Records a counted outcome. A call admitted before the last transition counts nowhere: only
   * the stats and its event are told. Throws what a `resetTimeout` function did when opening.
   */
  #record(circuit: Closed | HalfOpen | undefined, failed: boolean, error: unknown, duration: number): void {
    const settings = this.#settings;
    if (failed) this.#failures++;
    else this.#successes++;
    const next =
      circuit === this.#circuit
        ? settle(circuit, settings, failed, duration > (settings.window?.slowCallDuration ?? Infinity))
        : undefined;
    const events = this.#events;
    if (failed) {
      if (events?.has('failure')) events.emit('failure', { error, duration });
    } else if (events?.has('success')) {
      events.emit('success', { duration });
    }
    if (next !== undefined) this.#become(next);
  }
}
