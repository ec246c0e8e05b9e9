/**
 * The base of every error cemaf makes. Check `error.code` rather than `instanceof`: it also works
 * when two copies of `@cemaf/core` are installed.
 */
export class CemafError extends Error {
  /** A stable identifier: `'CIRCUIT_OPEN'`, `'RATE_LIMITED'` or `'TIMEOUT'`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    // Set by hand: minifiers rename classes, so `new.target.name` would not survive bundling.
    this.name = 'CemafError';
    this.code = code;
  }
}

/** Error options with a `cause` only when one was given (a `cause: undefined` would show). */
function causeOf(init: { cause?: unknown }): { cause?: unknown } | undefined {
  return 'cause' in init ? { cause: init.cause } : undefined;
}

/** Thrown instead of calling `fn` while a circuit breaker is open. */
export class CircuitOpenError extends CemafError {
  /** Ms until a trial call is allowed; `Infinity` while the breaker is isolated. */
  readonly retryAfter: number;
  /** True when the circuit is held open by `isolate()`. */
  readonly isolated: boolean;

  constructor(init: { retryAfter: number; isolated?: boolean; cause?: unknown }, message?: string) {
    const isolated = init.isolated ?? false;
    super(
      'CIRCUIT_OPEN',
      message ??
        (isolated
          ? 'Circuit is isolated, so the call was not made; it stays open until every isolate() release is called'
          : `Circuit is open, so the call was not made; a trial call is allowed in ${init.retryAfter} ms (retryAfter)`),
      causeOf(init),
    );
    this.name = 'CircuitOpenError';
    this.retryAfter = init.retryAfter;
    this.isolated = isolated;
  }
}

/** Thrown when a rate limiter cannot grant permits within what the caller allows. */
export class RateLimitExceededError extends CemafError {
  /** Ms until enough permits are free; `Infinity` when they never will be for this call. */
  readonly retryAfter: number;

  constructor(init: { retryAfter: number; cause?: unknown }, message?: string) {
    super(
      'RATE_LIMITED',
      message ?? `Rate limit exceeded; enough permits are free in ${init.retryAfter} ms (retryAfter)`,
      causeOf(init),
    );
    this.name = 'RateLimitExceededError';
    this.retryAfter = init.retryAfter;
  }
}

/** Thrown when a call passes its deadline. */
export class TimeoutError extends CemafError {
  /** The deadline that passed, in ms. */
  readonly timeout: number;

  constructor(init: { timeout: number; cause?: unknown }, message?: string) {
    super(
      'TIMEOUT',
      message ?? `Call timed out after ${init.timeout} ms; its signal was aborted, raise the timeout if it needs longer`,
      causeOf(init),
    );
    this.name = 'TimeoutError';
    this.timeout = init.timeout;
  }
}
