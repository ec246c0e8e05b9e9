import { decorrelatedJitter, RetryPolicy } from '@cemaf/retry';

export class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
    this.name = 'HttpError';
  }
}

export const policy = new RetryPolicy({
  maxAttempts: 6,
  backoff: decorrelatedJitter({ initialDelay: 200, maxDelay: 10_000 }),
  maxDelay: 10_000,
  maxElapsed: 30_000, // no retry whose wait would end more than 30 s after the first attempt
  retryIf: (error) => !(error instanceof HttpError && error.status < 500), // 4xx will not get better
});

policy.on('retry', ({ attempt, error, delay }) => {
  console.warn(`attempt ${attempt} failed (${String(error)}), retrying in ${Math.round(delay)} ms`);
});
policy.on('giveUp', ({ attempt, reason }) => {
  console.warn(`gave up after ${attempt} attempt(s): ${reason}`);
});
