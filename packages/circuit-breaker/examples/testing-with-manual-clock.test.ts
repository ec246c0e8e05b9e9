import { CircuitBreaker, ManualClock, type Clock } from '@cemaf/circuit-breaker';
import { expect, it, vi } from 'vitest';

// The code under test takes a clock, the real one by default.
function createCatalog(fetchItems: () => Promise<string[]>, clock?: Clock) {
  const breaker = new CircuitBreaker({ failureThreshold: 2, resetTimeout: 10_000, clock });
  return () => breaker.execute(fetchItems);
}

it('fails fast while the catalog is down, and tries again 10 s later', async () => {
  const clock = new ManualClock();
  const fetchItems = vi.fn().mockRejectedValue(new Error('catalog down'));
  const listItems = createCatalog(fetchItems, clock);
  await expect(listItems()).rejects.toThrow('catalog down');
  await expect(listItems()).rejects.toThrow('catalog down');
  await expect(listItems()).rejects.toMatchObject({ code: 'CIRCUIT_OPEN', retryAfter: 10_000 });
  expect(fetchItems).toHaveBeenCalledTimes(2);

  await clock.advance(9_999);
  await expect(listItems()).rejects.toMatchObject({ code: 'CIRCUIT_OPEN', retryAfter: 1 });

  await clock.advance(1); // no waiting: the breaker reads the clock, it sets no timer
  fetchItems.mockResolvedValue(['tea', 'coffee']);
  await expect(listItems()).resolves.toEqual(['tea', 'coffee']);
});
