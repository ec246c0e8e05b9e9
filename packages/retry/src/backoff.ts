import { functionOption, numberOption, optionsOf, requiredOption } from '@cemaf/core/internal';

/** What a backoff function is told after an attempt fails. */
export interface BackoffContext {
  /** The attempt that just failed: 1 for the first. */
  readonly attempt: number;
  /** What that attempt threw; `undefined` when `retryOnResult` refused its value instead. */
  readonly error?: unknown;
  /** The value `retryOnResult` refused; `undefined` when the attempt threw. */
  readonly value?: unknown;
  /** The previous delay this backoff gave, after the policy's `maxDelay` cap, in ms; 0 before the first retry. */
  readonly previousDelay: number;
}

/** Returns the delay before the next attempt, in ms. */
export type Backoff = (context: BackoffContext) => number;

/** Options of the `linear` and `fibonacci` backoffs. */
export interface BackoffOptions {
  /** Delay after the first failed attempt, in ms. @default 1000 */
  readonly initialDelay?: number;
  /** Cap on every delay, in ms. @default 30000 */
  readonly maxDelay?: number;
}

/** Options of the `exponential` backoff. */
export interface ExponentialOptions extends BackoffOptions {
  /** Growth factor from one delay to the next. @default 2 (3 for `decorrelatedJitter`) */
  readonly multiplier?: number;
}

/** Options of the jitter backoffs. */
export interface JitterOptions extends ExponentialOptions {
  /** Source of uniform numbers in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** `initialDelay * multiplier^(attempt - 1)`, capped; 0 where the product is NaN (0 x Infinity). */
export function exponentialDelay(initialDelay: number, multiplier: number, attempt: number, maxDelay: number): number {
  return Math.min(maxDelay, initialDelay * multiplier ** (attempt - 1)) || 0;
}

/** `initialDelay * F(attempt)` with F = 1, 1, 2, 3, 5..., capped; stops counting at the cap. */
export function fibonacciDelay(initialDelay: number, attempt: number, maxDelay: number): number {
  let previous = 0;
  let current = initialDelay;
  for (let n = 1; n < attempt && current > 0 && current < maxDelay; n++) {
    const next = previous + current;
    previous = current;
    current = next;
  }
  return Math.min(current, maxDelay);
}

interface Settings {
  readonly initialDelay: number;
  readonly maxDelay: number;
  readonly multiplier: number;
  readonly random: () => number;
}

const nonNegative = { min: 0 } as const;

function settings(owner: string, options: unknown, names: readonly string[], multiplier = 2): Settings {
  const given = optionsOf(owner, options, names);
  return {
    initialDelay: numberOption(owner, 'initialDelay', given['initialDelay'], nonNegative, 1_000),
    maxDelay: numberOption(owner, 'maxDelay', given['maxDelay'], nonNegative, 30_000),
    multiplier: numberOption(owner, 'multiplier', given['multiplier'], { min: 1 }, multiplier),
    random: functionOption<() => number>(owner, 'random', given['random']) ?? Math.random,
  };
}

const growing = ['initialDelay', 'maxDelay'] as const;
const exponentialNames = ['initialDelay', 'maxDelay', 'multiplier'] as const;
const jitterNames = ['initialDelay', 'maxDelay', 'multiplier', 'random'] as const;

/** The same delay every time. @param delay In ms. */
export function constant(delay: number): Backoff {
  requiredOption('constant', 'delay', delay, 'a finite number >= 0');
  numberOption('constant', 'delay', delay, nonNegative, 0);
  return () => delay;
}

/** `initialDelay * attempt`, capped by `maxDelay`. */
export function linear(options?: BackoffOptions): Backoff {
  const { initialDelay, maxDelay } = settings('linear', options, growing);
  return ({ attempt }) => Math.min(maxDelay, initialDelay * attempt);
}

/** `initialDelay * multiplier^(attempt - 1)`, capped by `maxDelay`. */
export function exponential(options?: ExponentialOptions): Backoff {
  const { initialDelay, maxDelay, multiplier } = settings('exponential', options, exponentialNames);
  return ({ attempt }) => exponentialDelay(initialDelay, multiplier, attempt, maxDelay);
}

/** `initialDelay * F(attempt)` where F is 1, 1, 2, 3, 5, 8..., capped by `maxDelay`. */
export function fibonacci(options?: BackoffOptions): Backoff {
  const { initialDelay, maxDelay } = settings('fibonacci', options, growing);
  return ({ attempt }) => fibonacciDelay(initialDelay, attempt, maxDelay);
}

/**
 * AWS "full jitter": a uniform draw in [0, min(maxDelay, exponential delay)). Spreads the retries
 * of many clients the most; the usual choice.
 */
export function fullJitter(options?: JitterOptions): Backoff {
  const { initialDelay, maxDelay, multiplier, random } = settings('fullJitter', options, jitterNames);
  return ({ attempt }) => random() * exponentialDelay(initialDelay, multiplier, attempt, maxDelay);
}

/**
 * AWS "equal jitter": half the capped exponential delay, plus a uniform draw in the other half.
 * Never waits less than half the exponential delay.
 */
export function equalJitter(options?: JitterOptions): Backoff {
  const { initialDelay, maxDelay, multiplier, random } = settings('equalJitter', options, jitterNames);
  return ({ attempt }) => {
    const half = exponentialDelay(initialDelay, multiplier, attempt, maxDelay) / 2;
    return half + random() * half;
  };
}

/**
 * AWS "decorrelated jitter": a uniform draw in [initialDelay, previousDelay * multiplier),
 * capped by `maxDelay`, where `previousDelay` starts at `initialDelay`. `multiplier` defaults
 * to 3, as in the AWS formula.
 */
export function decorrelatedJitter(options?: JitterOptions): Backoff {
  const { initialDelay, maxDelay, multiplier, random } = settings('decorrelatedJitter', options, jitterNames, 3);
  return ({ previousDelay }) =>
    Math.min(maxDelay, initialDelay + random() * (Math.max(previousDelay, initialDelay) * multiplier - initialDelay));
}
