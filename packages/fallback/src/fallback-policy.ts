import type { ExecuteOptions, ExecutionContext, Policy, Task } from '@cemaf/core';
import { CallContext, Emitter, functionOption, invalid, optionsOf, runTask, wrap, type Listener } from '@cemaf/core/internal';

/**
 * Makes the value a failed call resolves to, from the failure and the call's context. It may
 * return a promise; if it throws or rejects, the call rejects with that.
 */
export type FallbackFunction<R> = (error: unknown, ctx: ExecutionContext) => R | PromiseLike<R>;

/** Options of `new FallbackPolicy(options)`. */
export interface FallbackOptions<R> {
  /**
   * What a failed call resolves to: a value (the same one every time, as given), or a
   * function `(error, ctx) => value` called on each failure (use one to hand out a fresh
   * object per failure, or to fall back to a function). Required; `undefined` is a value.
   */
  readonly fallback: R | FallbackFunction<R>;
  /**
   * Which failures the fallback replaces; the others reach the caller unchanged. An abort of
   * the caller's signal is never replaced, whatever this says.
   * @default every failure
   */
  readonly isFailure?: ((error: unknown) => boolean) | undefined;
}

/** Payload of the `fallback` event. */
export interface FallbackEvent {
  /** The failure that the fallback replaces: what `fn` threw or rejected with, unchanged. */
  readonly error: unknown;
}

/** The events of a `FallbackPolicy`, by name, with their payloads. */
export interface FallbackEvents {
  /** A call failed and the fallback is used instead; emitted before a fallback function runs. */
  fallback: FallbackEvent;
}

const OWNER = 'FallbackPolicy';
const OPTIONS = ['fallback', 'isFailure'] as const;

/**
 * A value, or a function of the failure, in place of a failed call: the last line of defence,
 * outermost in a pipeline. Aborts of the caller's signal are never replaced.
 *
 * @typeParam R What the fallback gives; `execute` of a function returning `T` resolves to `T | R`.
 * @example
 * const fallback = new FallbackPolicy({ fallback: (error) => cache.get(key) });
 * const prices = await fallback.execute(() => fetchPrices(key));
 */
export class FallbackPolicy<R> implements Policy {
  readonly #fallback: R | FallbackFunction<R>;
  readonly #isFailure: ((error: unknown) => boolean) | undefined;
  readonly #events = new Emitter<FallbackEvents>();

  constructor(options: FallbackOptions<R>) {
    const given = optionsOf(OWNER, options, OPTIONS);
    if (!('fallback' in given)) {
      throw new TypeError(
        `${OWNER}: fallback must be a value or a function (error, ctx) => value, got no fallback option`,
      );
    }
    this.#fallback = given['fallback'] as R | FallbackFunction<R>;
    this.#isFailure = functionOption(OWNER, 'isFailure', given['isFailure']);
  }

  /**
   * Runs `fn`; if it fails and the failure counts (`isFailure`), resolves to the fallback
   * instead. An abort of the caller's signal rejects unchanged, and an already aborted signal
   * rejects before `fn` runs. Never throws synchronously.
   */
  execute<T>(fn: Task<T>, options?: ExecuteOptions): Promise<T | Awaited<R>>;
  /**
   * The `Policy` signature, which `pipeline()` sees: there the fallback's type is not tracked,
   * so give `execute` the full result type yourself (`pipeline(...).execute<T | R>(fn)`).
   */
  execute<T>(fn: Task<T>, options?: ExecuteOptions): Promise<T>;
  execute<T>(fn: Task<T>, options?: ExecuteOptions): Promise<T | Awaited<R>> {
    try {
      // Checked first: a fallback would otherwise hide this programming error.
      if (typeof fn !== 'function') invalid(`${OWNER}.execute`, 'fn', 'a function', fn, TypeError);
      const signal = options?.signal;
      signal?.throwIfAborted();
      const ctx = new CallContext(signal, options?.attempt ?? 1);
      // Promise reactions rather than an async function: a call that succeeds then costs no
      // more than watching fn's promise.
      return runTask(fn, ctx).then(undefined, (error: unknown) => this.#replace(error, signal, ctx));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** What a failed call settles with: the fallback, or the failure itself when it does not count. */
  #replace(error: unknown, signal: AbortSignal | undefined, ctx: ExecutionContext): Awaited<R> | PromiseLike<Awaited<R>> {
    const isFailure = this.#isFailure;
    if (signal?.aborted || (isFailure !== undefined && !isFailure(error))) throw error;
    this.#events.emit('fallback', { error });
    const fallback = this.#fallback;
    return (typeof fallback === 'function' ? (fallback as FallbackFunction<R>)(error, ctx) : fallback) as Awaited<R>;
  }

  /** Returns a function with `fn`'s parameters that calls `fn` through this policy. */
  wrap<Args extends unknown[], Result>(
    fn: (...args: Args) => Result,
  ): (...args: Args) => Promise<Awaited<Result> | Awaited<R>> {
    return wrap(this, fn);
  }

  /** Listens to an event; returns the function that stops listening. */
  on<E extends keyof FallbackEvents>(event: E, listener: Listener<FallbackEvents[E]>): () => void {
    return this.#events.on(event, listener);
  }
}
