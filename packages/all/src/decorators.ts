import type { Policy } from '@cemaf/core';
import { describe } from '@cemaf/core/internal';
import { CircuitBreaker, type CircuitBreakerOptions } from '@cemaf/circuit-breaker';
import { FallbackPolicy, type FallbackFunction, type FallbackOptions } from '@cemaf/fallback';
import { RateLimiter, type RateLimiterOptions } from '@cemaf/rate-limiter';
import { RetryPolicy, type RetryOptions } from '@cemaf/retry';
import { TimeoutPolicy, type TimeoutOptions } from '@cemaf/timeout';

/** A method that returns a promise: what the decorators can guard. */
type AsyncMethod<This, Args extends unknown[], Result> = (this: This, ...args: Args) => PromiseLike<Result>;

/**
 * A TC39 standard method decorator (TypeScript 5+, no `experimentalDecorators`) that runs the
 * method through a policy. The method keeps its parameters and its promise's type.
 */
export type PolicyDecorator = <This, Args extends unknown[], Result>(
  method: AsyncMethod<This, Args, Result>,
  context: ClassMethodDecoratorContext<This, AsyncMethod<This, Args, Result>>,
) => (this: This, ...args: Args) => Promise<Result>;

/**
 * A {@link PolicyDecorator} whose method may also resolve to the fallback's `R`: it only fits
 * methods whose result type takes `R`.
 */
export type FallbackDecorator<R> = <This, Args extends unknown[], Result>(
  method: AsyncMethod<This, Args, Result>,
  context: ClassMethodDecoratorContext<This, AsyncMethod<This, Args, Result>>,
) => (this: This, ...args: Args) => Promise<Result | R>;

function isPolicy(value: unknown): value is Policy {
  return typeof (value as Partial<Policy> | null)?.execute === 'function';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The decorator that runs a method through the policy `policyFor()` gives each decorated method. */
function through(name: string, policyFor: () => Policy): PolicyDecorator {
  return (method, context) => {
    if (context.kind !== 'method') {
      throw new TypeError(`${name}: decorates methods only, got a ${String(context.kind)}`);
    }
    const policy = policyFor();
    return function (...args) {
      return policy.execute(() => method.apply(this, args));
    };
  };
}

/**
 * Given a policy (any object with `execute()`), every method decorated with it shares it; given
 * options, each decorated method gets a policy of its own, even when one decorator value is
 * applied to several methods.
 */
function policiesOf(name: string, given: unknown, create: (options: never) => Policy): () => Policy {
  if (isPolicy(given)) return () => given;
  if (given !== undefined && !isPlainObject(given)) {
    throw new TypeError(`${name}: expected options or a policy, got ${describe(given)}`);
  }
  // Built at once so that bad options throw where the decorator is written (the constructor
  // checks them); the first decorated method takes it, each further one builds its own.
  let unclaimed: Policy | undefined = create(given as never);
  return () => {
    const policy = unclaimed ?? create(given as never);
    unclaimed = undefined;
    return policy;
  };
}

/**
 * Retries the method: `@withRetry({ maxAttempts: 3 })` or `@withRetry(policy)`. Given options,
 * one `RetryPolicy` is made per decorated method, shared by every instance.
 */
export function withRetry(options?: RetryOptions | RetryPolicy | Policy): PolicyDecorator {
  return through('withRetry', policiesOf('withRetry', options, (given: RetryOptions) => new RetryPolicy(given)));
}

/**
 * Guards the method with a circuit breaker: `@withCircuitBreaker({ failureThreshold: 5 })` or
 * `@withCircuitBreaker(breaker)`. Given options, one breaker per decorated method, shared by
 * every instance (so one failing dependency opens it for all of them).
 */
export function withCircuitBreaker(options?: CircuitBreakerOptions | CircuitBreaker | Policy): PolicyDecorator {
  return through('withCircuitBreaker', policiesOf('withCircuitBreaker', options, (given: CircuitBreakerOptions) => new CircuitBreaker(given)));
}

/**
 * Rate-limits the method: `@withRateLimit({ maxCalls: 10, timeWindow: 1_000 })` or
 * `@withRateLimit(limiter)`. Given options, one limiter per decorated method, shared by every
 * instance; calls over the limit wait their turn.
 */
export function withRateLimit(options: RateLimiterOptions | RateLimiter | Policy): PolicyDecorator {
  return through(
    'withRateLimit',
    policiesOf('withRateLimit', options, (given: RateLimiterOptions) => new RateLimiter(given)),
  );
}

/**
 * Gives each call of the method a deadline: `@withTimeout(5_000)`, `@withTimeout({ timeout })`
 * or `@withTimeout(policy)`. The method cannot read the deadline's signal; where it can stop
 * its work early, call the policy directly and pass `ctx.signal` on.
 */
export function withTimeout(timeout: number | TimeoutOptions | TimeoutPolicy | Policy): PolicyDecorator {
  const options = typeof timeout === 'number' ? { timeout } : timeout;
  return through('withTimeout', policiesOf('withTimeout', options, (given: TimeoutOptions) => new TimeoutPolicy(given)));
}

/**
 * Replaces the method's failures: `@withFallback([])`, `@withFallback((error) => cached)`,
 * `@withFallback({ fallback, isFailure })` or `@withFallback(policy)`. A plain object is read as
 * options; any other value, or a function, is the fallback itself. The fallback must be of the
 * method's result type.
 */
export function withFallback<R>(
  fallback: R | FallbackFunction<R> | FallbackOptions<R> | FallbackPolicy<R>,
): FallbackDecorator<R> {
  const options = isPolicy(fallback) || isPlainObject(fallback) ? fallback : { fallback };
  const policyFor = policiesOf('withFallback', options, (given: FallbackOptions<R>) => new FallbackPolicy<R>(given));
  // A fallback resolves the method to `Result | R`: the type says so, the runtime is the same.
  const decorator: FallbackDecorator<R> = through('withFallback', policyFor);
  return decorator;
}
