import type { CircuitOpenError, ExecuteOptions, Listener, Policy, Task } from '@cemaf/core';
import { CallContext, describe, Emitter, runTask, wrap } from '@cemaf/core/internal';
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
  type BreakerSettings,
  type CircuitBreakerOptions,
  type CircuitBreakerSnapshot,
  type CircuitState,
} from './options.js';
import { rejectSoon, rejection } from './rejection.js';
import { slide } from './window.js';

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
  readonly #events = new Emitter<CircuitBreakerEvents>();
  #circuit: Circuit;
  #successes = 0;
  #failures = 0;
  #ignored = 0;
  #rejections = 0;
  #timesOpened = 0;

  /** @throws TypeError or RangeError for a bad option, naming it. */
  constructor(options?: CircuitBreakerOptions) {
    const settings = (this.#settings = resolveOptions('CircuitBreaker', options));
    const snapshot = settings.initialState;
    this.#circuit = snapshot ? fromSnapshot(snapshot, settings, settings.clock.now()) : closed();
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
      if (typeof fn !== 'function') {
        throw new TypeError(`CircuitBreaker: fn must be a function, got ${describe(fn)}`);
      }
      let circuit = this.#circuit;
      if (circuit.state !== 'closed') {
        circuit = this.#current();
        if (!admit(circuit, this.#settings)) return this.#reject(circuit);
      }
      const admitted = circuit as Closed | HalfOpen;
      // Read the clock only for what needs a duration: slow calls, or someone listening.
      const start =
        (this.#settings.window?.slowCallDuration ?? Infinity) < Infinity ||
        this.#events.has('success') ||
        this.#events.has('failure')
          ? this.#settings.clock.now()
          : Number.NaN;
      let onAbort: (() => void) | undefined;
      if (signal !== undefined && admitted.state === 'half-open') {
        // A trial whose caller gives up gives its slot back at once, even if fn never settles.
        onAbort = () => release(admitted);
        signal.addEventListener('abort', onAbort, { once: true });
      }
      return runTask(fn, new CallContext(signal, options?.attempt ?? 1)).then(
        (value) => {
          this.#settle(admitted, start, signal, onAbort, false, undefined);
          return value;
        },
        (error: unknown) => {
          this.#settle(admitted, start, signal, onAbort, true, error);
          throw error;
        },
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A function with `fn`'s parameters that calls `fn` through the breaker. */
  wrap<Args extends unknown[], Result>(
    fn: (...args: Args) => Result,
  ): (...args: Args) => Promise<Awaited<Result>> {
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
      if (--isolation.holds === 0 && this.#circuit === isolation) this.#become(closed());
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
    let window: CircuitBreakerStats['window'];
    if (settings.window !== undefined) {
      const rates = circuit.state === 'closed' ? circuit.window : undefined;
      if (rates !== undefined) slide(rates, settings.window, now);
      window = { calls: rates?.calls ?? 0, failures: rates?.failures ?? 0, slowCalls: rates?.slow ?? 0 };
    }
    return {
      state: stateOf(circuit),
      isolated: circuit.state === 'isolated',
      retryAfter: retryAfter(circuit, now),
      successes: this.#successes,
      failures: this.#failures,
      ignored: this.#ignored,
      rejections: this.#rejections,
      timesOpened: this.#timesOpened,
      recentFailures: recentFailures(circuit, settings, now),
      ...(window && { window }),
    };
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
    return this.#events.on(event, listener);
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
    if (next.state === 'open') this.#timesOpened++;
    const from = stateOf(previous);
    const to = stateOf(next);
    if (from !== to) this.#events.emit('stateChange', { from, to });
  }

  #reject(circuit: Circuit): Promise<never> {
    this.#rejections++;
    const isolated = circuit.state === 'isolated';
    const error = rejection(
      retryAfter(circuit, this.#settings.clock.now()),
      isolated,
      circuit.state === 'half-open'
        ? 'Circuit is half-open and every trial slot is taken, so the call was not made; retry once a trial call ends'
        : undefined,
    );
    if (this.#events.has('reject')) {
      this.#events.emit('reject', { state: circuit.state === 'half-open' ? 'half-open' : 'open', error });
    }
    return rejectSoon(error);
  }

  /** Counts the outcome of a call that `circuit` admitted. */
  #settle(
    circuit: Closed | HalfOpen,
    start: number,
    signal: AbortSignal | undefined,
    onAbort: (() => void) | undefined,
    rejected: boolean,
    error: unknown,
  ): void {
    if (signal !== undefined) {
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
      // An abort counts as nothing; a trial's slot went back when it happened.
      if (signal.aborted) {
        this.#ignored++;
        return;
      }
    }
    const settings = this.#settings;
    let verdictThrew = false;
    let verdictError: unknown;
    if (rejected && settings.isFailure !== undefined) {
      let counts = true;
      try {
        counts = Boolean(settings.isFailure(error));
      } catch (thrown) {
        verdictThrew = true;
        verdictError = thrown;
      }
      if (!counts) {
        this.#ignored++;
        if (circuit === this.#circuit) release(circuit);
        return;
      }
    }
    const duration = start === start ? settings.clock.now() - start : Number.NaN;
    if (rejected) this.#failures++;
    else this.#successes++;
    // A call admitted before the last transition counts nowhere: only its event is told.
    const current = circuit === this.#circuit;
    const next = current
      ? settle(circuit, settings, rejected, duration > (settings.window?.slowCallDuration ?? Infinity))
      : circuit;
    const events = this.#events;
    if (rejected) {
      if (events.has('failure')) events.emit('failure', { error, duration });
    } else if (events.has('success')) {
      events.emit('success', { duration });
    }
    if (current) this.#become(next);
    if (verdictThrew) throw verdictError;
  }
}
