import { describe } from './options.js';

/** What a policy tells the function it runs. */
export interface ExecutionContext {
  /**
   * The call's signal: the caller's, a `TimeoutPolicy`'s that aborts at its deadline, or else
   * one that never aborts (made only when read). Hand it to `fetch` and friends.
   */
  readonly signal: AbortSignal;
  /** The attempt number, 1 for the first; a `RetryPolicy`'s count reaches through inner policies. */
  readonly attempt: number;
}

/** Per-call options that every policy takes; some policies take more (a limiter's `key`, `cost`). */
export interface ExecuteOptions {
  /** Cancels the call: waits end at once with `signal.reason`, and `fn` receives the signal. */
  readonly signal?: AbortSignal | undefined;
  /** The attempt number so far, passed on by an outer policy. @default 1 */
  readonly attempt?: number | undefined;
}

/** A function a policy runs. It may return a value or a promise, or throw. */
export type Task<T> = (ctx: ExecutionContext) => T | PromiseLike<T>;

/** The contract every policy meets, and all that `pipeline()` needs. */
export interface Policy<Options extends ExecuteOptions = ExecuteOptions> {
  /** Runs `fn` under the policy. Never throws synchronously: every failure is a rejection. */
  execute<T>(fn: Task<T>, options?: Options): Promise<T>;
}

/** The context a policy hands to `fn`. */
export class CallContext implements ExecutionContext {
  #signal: AbortSignal | undefined;
  readonly attempt: number;

  constructor(signal: AbortSignal | undefined, attempt: number) {
    this.#signal = signal;
    this.attempt = attempt;
  }

  get signal(): AbortSignal {
    // One per context, never shared: listeners that fetch adds to a shared signal pile up.
    return (this.#signal ??= new AbortController().signal);
  }

  /** The signal to pass on to an inner policy, without making one nobody asked for. */
  static signalOf(ctx: ExecutionContext): AbortSignal | undefined {
    return #signal in ctx ? ctx.#signal : ctx.signal;
  }
}

/** Runs `fn` as a policy does: a synchronous throw becomes a rejection. */
export function runTask<T>(fn: Task<T>, ctx: ExecutionContext): Promise<T> {
  // Not an async function: that would cost three more microtask turns per call.
  try {
    return Promise.resolve(fn(ctx));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** A function with `fn`'s parameters that calls `fn` through `policy`. */
export function wrap<Args extends unknown[], Result>(
  policy: Policy,
  fn: (...args: Args) => Result,
): (...args: Args) => Promise<Awaited<Result>> {
  if (typeof fn !== 'function') {
    throw new TypeError(`wrap: fn must be a function, got ${describe(fn)}`);
  }
  return function (this: unknown, ...args: Args) {
    return policy.execute(() => fn.apply(this, args) as Awaited<Result>);
  };
}

type OptionsOf<P> = P extends Policy<infer Options> ? Options : never;
type Intersection<U> = (U extends unknown ? (union: U) => void : never) extends (
  intersection: infer I,
) => void
  ? I
  : never;

/** Several policies run as one; what `pipeline()` returns. */
export interface Pipeline<Options extends ExecuteOptions = ExecuteOptions> extends Policy<Options> {
  /** A function with `fn`'s parameters that calls `fn` through the pipeline. */
  wrap<Args extends unknown[], Result>(
    fn: (...args: Args) => Result,
  ): (...args: Args) => Promise<Awaited<Result>>;
}

/** What a policy passes to the one inside it: the caller's options, with its own signal and attempt. */
function innerOptions(options: ExecuteOptions | undefined, ctx: ExecutionContext): ExecuteOptions | undefined {
  const signal = CallContext.signalOf(ctx);
  const attempt = ctx.attempt;
  // Spreading costs far more than it looks; and nothing at all is the defaults' cheapest form.
  if (options === undefined) return signal === undefined && attempt === 1 ? undefined : { signal, attempt };
  return { ...options, signal, attempt };
}

/**
 * Composes policies; the first is the outermost. `pipeline(retry, breaker, limiter)` retries
 * calls that the breaker and the limiter let through. The caller's options (a limiter's `key`,
 * say) reach every policy, with `signal` and `attempt` updated by the policies outside it.
 */
export function pipeline<const Policies extends readonly Policy<never>[]>(
  ...policies: Policies
): Pipeline<ExecuteOptions & Intersection<OptionsOf<Policies[number]>>> {
  policies.forEach((policy: unknown, index) => {
    if (typeof (policy as Partial<Policy> | null)?.execute !== 'function') {
      throw new TypeError(
        `pipeline: policy ${index + 1} must be a policy (an object with an execute() method), got ${describe(policy)}`,
      );
    }
  });
  const layers = policies as readonly Policy[];
  const last = layers.length - 1;
  const through = <T>(index: number, fn: Task<T>, options: ExecuteOptions | undefined): Promise<T> =>
    layers[index]!.execute(index === last ? fn : (ctx) => through(index + 1, fn, innerOptions(options, ctx)), options);
  const composed: Pipeline = {
    execute(fn, options) {
      if (last < 0) {
        if (options?.signal?.aborted) return Promise.reject(options.signal.reason as Error);
        return runTask(fn, new CallContext(options?.signal, options?.attempt ?? 1));
      }
      try {
        return through(0, fn, options);
      } catch (error) {
        // A foreign policy may throw synchronously; ours never does.
        return Promise.reject(error);
      }
    },
    wrap: (fn) => wrap(composed, fn),
  };
  return composed;
}
