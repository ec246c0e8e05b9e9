import { CircuitBreaker, ManualClock } from '@cemaf/circuit-breaker';
import { describeReadmeExamples } from '@cemaf/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HttpError, getOrder, orders } from './client-errors.js';
import { search } from './failure-rate.js';
import { migrate } from './maintenance.js';
import { health, monitor } from './monitoring.js';
import { paymentsBreaker, type Store } from './persist-state.js';

/** Fakes performance.now(), which systemClock reads, so module-level breakers can be moved in time. */
function fakeSystemTime() {
  vi.useFakeTimers({ toFake: ['performance'] });
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.resetModules();
});

describe('examples/quick-start.ts', () => {
  beforeEach(fakeSystemTime);

  it('fails fast after 5 failures, and tries the service again after 30 s', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>().mockResolvedValue(new Response('down', { status: 503 }));
    vi.stubGlobal('fetch', fetch);
    const { exchangeRate } = await import('./quick-start.js');
    for (let i = 0; i < 5; i++) await expect(exchangeRate('EUR')).rejects.toThrow('rates: HTTP 503');
    await expect(exchangeRate('EUR')).resolves.toBeUndefined();
    expect(fetch).toHaveBeenCalledTimes(5);

    vi.advanceTimersByTime(30_000);
    fetch.mockResolvedValue(Response.json({ currency: 'EUR', rate: 1.08 }));
    await expect(exchangeRate('EUR')).resolves.toEqual({ currency: 'EUR', rate: 1.08 });
    expect(fetch.mock.calls[5]![0]).toBe('https://rates.example.com/latest/EUR');
  });
});

describe('examples/client-errors.ts', () => {
  it('lets client errors through without counting them, and opens on server errors', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>().mockImplementation(async () => new Response('', { status: 404 }));
    vi.stubGlobal('fetch', fetch);
    for (let i = 0; i < 5; i++) await expect(getOrder('x')).rejects.toEqual(new HttpError(404));
    expect(orders.state).toBe('closed');
    fetch.mockImplementation(async () => new Response('', { status: 502 }));
    for (let i = 0; i < 3; i++) await expect(getOrder('x')).rejects.toEqual(new HttpError(502));
    expect(orders.state).toBe('open');
    expect(orders.stats()).toMatchObject({ ignored: 5, failures: 3 });
  });
});

describe('examples/failure-rate.ts', () => {
  beforeEach(fakeSystemTime);

  it('opens when half of 10 calls failed, for 5 s, then 10 s after a failed trial', async () => {
    for (let i = 0; i < 9; i++) {
      await search.execute(() => (i % 2 === 0 ? Promise.reject(new Error('search down')) : 'hit')).catch(() => undefined);
    }
    expect(search.state).toBe('closed');
    await search.execute(() => 'hit');
    expect(search.state).toBe('open');
    expect(search.stats().retryAfter).toBe(5_000);
    vi.advanceTimersByTime(5_000);
    await search.execute(() => Promise.reject(new Error('still down'))).catch(() => undefined);
    expect(search.stats().retryAfter).toBe(10_000);
  });
});

describe('examples/persist-state.ts', () => {
  it('restores an open circuit, with the time it had left, from the store', async () => {
    const saved = new Map<string, string>();
    const store: Store = {
      get: async (key) => saved.get(key),
      set: async (key, value) => void saved.set(key, value),
    };
    const first = await paymentsBreaker(store);
    for (let i = 0; i < 3; i++) await first.execute(() => Promise.reject(new Error('declined'))).catch(() => undefined);
    await Promise.resolve();
    const snapshot = JSON.parse(saved.get('breaker:payments')!) as { state: string; remaining: number };
    expect(snapshot.state).toBe('open');
    expect(snapshot.remaining).toBeGreaterThan(59_000);
    const second = await paymentsBreaker(store);
    expect(second.state).toBe('open');
    await expect(second.execute(() => 'charged')).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
  });
});

describe('examples/maintenance.ts', () => {
  it('holds the circuit open while the migration runs, and closes it however the migration ends', async () => {
    const database = new CircuitBreaker({ clock: new ManualClock() });
    const during = migrate(database, async () => {
      await expect(database.execute(() => 'query')).rejects.toMatchObject({ isolated: true, retryAfter: Infinity });
    });
    expect(database.state).toBe('open');
    await during;
    expect(database.state).toBe('closed');
    await expect(migrate(database, () => Promise.reject(new Error('migration failed')))).rejects.toThrow('migration failed');
    expect(database.state).toBe('closed');
  });
});

describe('examples/monitoring.ts', () => {
  it('logs failures, state changes and rejections, and reports health', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeout: 5_000, clock });
    const lines: string[] = [];
    monitor('inventory', breaker, (line) => lines.push(line));
    const failing = breaker.execute(() => clock.sleep(40).then(() => Promise.reject(new Error('timeout')))).catch(() => undefined);
    await clock.advance(40);
    await failing;
    await breaker.execute(() => 'stock').catch(() => undefined);
    expect(lines).toEqual([
      'inventory: failed after 40 ms: Error: timeout',
      'inventory: closed -> open',
      'inventory: call turned away, next trial in 5000 ms',
    ]);
    expect(health(breaker)).toEqual({ ok: false, retryAfter: 5_000 });
  });
});

describeReadmeExamples(import.meta.url);
