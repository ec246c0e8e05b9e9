import { ManualClock, type Clock } from '@cemaf/core';
import { FallbackPolicy, pipeline } from '@cemaf/fallback';
import { RetryPolicy } from '@cemaf/retry';
import { expect, it, vi } from 'vitest';

// FallbackPolicy reads no time; the retry inside it does. Give both the code's clock.
function createQuoteSource(fetchQuote: () => Promise<number>, clock?: Clock) {
  const quotes = pipeline(
    new FallbackPolicy({ fallback: -1 }),
    new RetryPolicy({ maxAttempts: 3, initialDelay: 1_000, clock }),
  );
  return () => quotes.execute<number>(fetchQuote);
}

it('answers -1 only once the three attempts, 1 s and 2 s apart, have failed', async () => {
  const clock = new ManualClock();
  const fetchQuote = vi.fn().mockRejectedValue(new Error('quotes down'));
  let quote: number | undefined;
  void createQuoteSource(fetchQuote, clock)().then((value) => (quote = value));

  await clock.advance(2_999);
  expect(fetchQuote).toHaveBeenCalledTimes(2);
  expect(quote).toBeUndefined(); // still retrying

  await clock.advance(1);
  expect(fetchQuote).toHaveBeenCalledTimes(3);
  expect(quote).toBe(-1);
});
