import { constant, exponential, fibonacci, fullJitter, linear, type Backoff } from '@cemaf/retry';

/** The waits a backoff gives after attempts 1 to 6 fail. */
function waits(backoff: Backoff): number[] {
  let previousDelay = 0;
  return [1, 2, 3, 4, 5, 6].map((attempt) => (previousDelay = backoff({ attempt, error: new Error('503'), value: undefined, previousDelay })));
}

const options = { initialDelay: 100, maxDelay: 2_000 };

export const table = {
  constant: waits(constant(100)), // [100, 100, 100, 100, 100, 100]
  linear: waits(linear(options)), // [100, 200, 300, 400, 500, 600]
  exponential: waits(exponential(options)), // [100, 200, 400, 800, 1600, 2000]: capped by maxDelay
  fibonacci: waits(fibonacci(options)), // [100, 100, 200, 300, 500, 800]
  // A uniform draw below the exponential delay; with every draw at 0.5, half of it:
  jitter: waits(fullJitter({ ...options, random: () => 0.5 })), // [50, 100, 200, 400, 800, 1000]
};
