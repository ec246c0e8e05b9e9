import { TimeoutError, type Clock, type ExecuteOptions, type Policy, type Task } from '@cemaf/core';
import {
  Emitter,
  clockOption,
  describe,
  invalid,
  numberOption,
  onAbort,
  optionsOf,
  runTask,
  schedule,
  wrap,
  type Listener,
} from '@cemaf/core/internal';
import { DeadlineContext } from './deadline-context.js';

/** Options of `new TimeoutPolicy(options)`. */
export interface TimeoutOptions {
  /**
   * How long a call may take, in ms, counted from the moment `execute` is called. At the
   * deadline `fn`'s `ctx.signal` aborts and the call rejects with a `TimeoutError`. Required: a
   * finite number > 0.
   */
  readonly timeout: number;
  /** Where time comes from; pass a `ManualClock` in tests. @default systemClock */
  readonly clock?: Clock | undefined;
}

/** Payload of the `timeout` event. */
export interface TimeoutEvent {
  /** The deadline that passed, in ms. */
  readonly timeout: number;
  /** The attempt that timed out: 1, or a `RetryPolicy`'s count when the timeout sits inside one. */
  readonly attempt: number;
}

/**
 * Payload of the `settledAfterTimeout` event: how a call's function finally ended, after the
 * call had already rejected with a `TimeoutError`. Its outcome reached nobody. `status` and
 * `value` / `reason` read as in `Promise.allSettled`.
 */
export type SettledAfterTimeoutEvent = {
  /** The deadline that passed, in ms. */
  readonly timeout: number;
  /** The attempt that timed out. */
  readonly attempt: number;
  /** Ms from the start of the call until `fn` settled, by the policy's clock. */
  readonly elapsed: number;
} & (
  | { readonly status: 'fulfilled'; readonly value: unknown }
  | { readonly status: 'rejected'; readonly reason: unknown }
);

/** The events of a `TimeoutPolicy`, by name, with their payloads. */
export interface TimeoutEvents {
  /** A call passed its deadline: its signal was aborted and it rejected with a `TimeoutError`. */
  timeout: TimeoutEvent;
  /**
   * A timed-out call's function settled at last. A large `elapsed` points at a function that
   * ignores its `ctx.signal` and keeps working (and holding resources) after its deadline.
   */
  settledAfterTimeout: SettledAfterTimeoutEvent;
}

const OPTIONS = ['timeout', 'clock'] as const;
const TIMEOUT_RULE = 'a finite number > 0';

/**
 * A deadline per call. `fn` gets a `ctx.signal` that aborts at the deadline (with the
 * `TimeoutError` as its reason) and when the caller's signal aborts. The call rejects with a
 * `TimeoutError` at the deadline even if `fn` ignores its signal, and with the caller's
 * `signal.reason` the moment the caller aborts: unlike other policies, it never waits for `fn`
 * to give up. The deadline's timer is cleared as soon as the call settles.
 *
 * @example
 * const timeout = new TimeoutPolicy({ timeout: 2_000 });
 * const response = await timeout.execute(({ signal }) => fetch(url, { signal }));
 */
export class TimeoutPolicy implements Policy {
  /** The deadline per call, in ms. */
  readonly timeout: number;
  readonly #clock: Clock;
  readonly #events = new Emitter<TimeoutEvents>();

  constructor(options: TimeoutOptions) {
    const owner = 'TimeoutPolicy';
    const given = optionsOf(owner, options, OPTIONS);
    this.timeout =
      numberOption(owner, 'timeout', given['timeout'], { above: 0 }, undefined) ??
      invalid(owner, 'timeout', TIMEOUT_RULE, undefined, TypeError);
    this.#clock = clockOption(owner, given['clock']);
  }

  /**
   * Runs `fn` with a deadline. Rejects with a `TimeoutError` at the deadline, with the caller's
   * `signal.reason` when the caller aborts (before `fn` runs if the signal is already aborted),
   * and otherwise settles as `fn` does. Never throws synchronously.
   */
  execute<T>(fn: Task<T>, options?: ExecuteOptions): Promise<T> {
    if (typeof fn !== 'function') {
      return Promise.reject(new TypeError(`TimeoutPolicy.execute: fn must be a function, got ${describe(fn)}`));
    }
    const caller = options?.signal;
    if (caller?.aborted) return Promise.reject(caller.reason);
    const ctx = new DeadlineContext(options?.attempt ?? 1);
    const { timeout } = this;
    const clock = this.#clock;
    const events = this.#events;
    const start = clock.now();
    return new Promise<T>((resolve, reject) => {
      // The first of fn settling, the deadline and the caller's abort settles the call.
      let state: 'running' | 'settled' | 'timed-out' = 'running';
      const end = (next: 'settled' | 'timed-out'): boolean => {
        if (state !== 'running') return false;
        state = next;
        cancelDeadline();
        stopWaiting?.();
        return true;
      };
      const onCallerAbort = () => {
        if (!end('settled')) return;
        ctx.abort(caller!.reason);
        reject(caller!.reason);
      };
      // A plain timer, not a sleep: an AbortController to cancel it would cost more than fn.
      const cancelDeadline = schedule(clock, timeout, () => {
        if (!end('timed-out')) return;
        const error = new TimeoutError({ timeout });
        ctx.abort(error);
        events.emit('timeout', { timeout, attempt: ctx.attempt });
        reject(error);
      });
      const stopWaiting = caller && onAbort(caller, onCallerAbort);
      const settledLate = (outcome: { status: 'fulfilled'; value: unknown } | { status: 'rejected'; reason: unknown }) => {
        if (state === 'timed-out') {
          events.emit('settledAfterTimeout', { timeout, attempt: ctx.attempt, elapsed: clock.now() - start, ...outcome });
        }
      };
      // Handled on every path, so an outcome that arrives after the call settled is never an
      // unhandled rejection.
      runTask(fn, ctx).then(
        (value) => (end('settled') ? resolve(value) : settledLate({ status: 'fulfilled', value })),
        (reason: unknown) => (end('settled') ? reject(reason) : settledLate({ status: 'rejected', reason })),
      );
    });
  }

  /**
   * Returns a function with `fn`'s parameters that calls `fn` through this policy. `fn` cannot
   * see the deadline's signal this way; use `execute` for functions that can be cancelled.
   */
  wrap<Args extends unknown[], Result>(fn: (...args: Args) => Result): (...args: Args) => Promise<Awaited<Result>> {
    return wrap(this, fn);
  }

  /** Listens to an event; returns the function that stops listening. */
  on<E extends keyof TimeoutEvents>(event: E, listener: Listener<TimeoutEvents[E]>): () => void {
    return this.#events.on(event, listener);
  }
}
