import { CircuitOpenError } from '@cemaf/core';

/**
 * The error a call gets when the circuit turns it away. It is made without a stack trace:
 * rejecting is what an open breaker does thousands of times a second, capturing the stack is
 * most of what an error costs, and the stack would only point here. Its name, code, message,
 * `retryAfter` and `isolated` say what there is to say.
 */
export function rejection(retryAfter: number, isolated: boolean, message?: string): CircuitOpenError {
  const limit = Error.stackTraceLimit;
  // Engines without the V8 setting (or with a frozen Error) simply pay for the stack.
  if (typeof limit === 'number') trySetLimit(0);
  const error = new CircuitOpenError({ retryAfter, isolated }, message);
  if (typeof limit === 'number') trySetLimit(limit);
  return error;
}

function trySetLimit(limit: number): void {
  try {
    Error.stackTraceLimit = limit;
  } catch {
    // Error is frozen: keep its setting.
  }
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
