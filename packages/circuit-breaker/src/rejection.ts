import { CircuitOpenError } from '@cemaf/core';
import { retryAfter, type Circuit } from './circuit.js';

/**
 * Makes an error without capturing a stack trace, on engines with V8's
 * `Error.stackTraceLimit` (elsewhere, or where `Error` is frozen, the stack is paid for).
 * Capturing the stack is most of what an error costs.
 */
export function withoutStack<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  if (typeof limit !== 'number') return make();
  // Reflect.set, unlike an assignment, does not throw where Error is frozen.
  Reflect.set(Error, 'stackTraceLimit', 0);
  try {
    return make();
  } finally {
    Reflect.set(Error, 'stackTraceLimit', limit);
  }
}

/**
 * The error a call turned away by `circuit` at `now` rejects with, made without a stack trace:
 * rejecting is what an open breaker does thousands of times a second, and its name, code,
 * message, `retryAfter` and `isolated` say what there is to say.
 */
export function rejection(circuit: Circuit, now: number): CircuitOpenError {
  return withoutStack(
    () =>
      new CircuitOpenError(
        { retryAfter: retryAfter(circuit, now), isolated: circuit.state === 'isolated' },
        circuit.state === 'half-open'
          ? 'Circuit is half-open with every trial slot taken, so the call was not made; retry once a trial ends'
          : undefined,
      ),
  );
}

/**
 * A promise that rejects a microtask later, once its caller has attached its handlers. A promise
 * that rejects while nothing handles it is tracked by the runtime as a possible unhandled
 * rejection, which costs more than the whole rest of turning a call away. Left unhandled, it is
 * still reported as usual.
 */
export function rejectSoon(error: unknown): Promise<never> {
  return new Promise((_resolve, reject) => queueMicrotask(() => reject(error)));
}
