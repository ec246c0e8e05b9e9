import { describeReadmeExamples, stubSilentFetch } from '@cemaf/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadProfile } from './fetch-with-deadline.js';
import { stockLevel } from './retry-breaker-timeout.js';

describeReadmeExamples(import.meta.url, { markers: false });

describe('fetch-with-deadline', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('returns the profile when the API answers in time', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('fetch', async (url: string) => Response.json({ id: url.split('/').pop(), name: 'Ada' }));
    await expect(loadProfile('7')).resolves.toEqual({ id: '7', name: 'Ada' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('returns undefined after 2 s of silence, and cancels the request', async () => {
    vi.useFakeTimers();
    const requests = stubSilentFetch();
    const profile = loadProfile('7');
    await vi.advanceTimersByTimeAsync(2_000);
    await expect(profile).resolves.toBeUndefined();
    expect(requests).toHaveLength(1);
    expect(requests[0]!.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes other failures on', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('fetch failed')));
    await expect(loadProfile('7')).rejects.toThrow('fetch failed');
  });
});

describe('retry-breaker-timeout', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('gives each attempt 2 s, retries after 200 and 400 ms, then rejects with the last TimeoutError', async () => {
    vi.useFakeTimers();
    const requests = stubSilentFetch();
    let settledAt: number | undefined;
    const level = stockLevel('sku-1');
    const rejected = expect(level).rejects.toMatchObject({ code: 'TIMEOUT', timeout: 2_000 });
    level.catch(() => (settledAt = performance.now()));
    const start = performance.now();
    await vi.advanceTimersByTimeAsync(10_000);
    await rejected;
    expect(settledAt! - start).toBe(2_000 + 200 + 2_000 + 400 + 2_000);
    expect(requests).toHaveLength(3);
    expect(requests.every((signal) => signal.aborted)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('returns the level when the service answers', async () => {
    vi.stubGlobal('fetch', async () => Response.json({ level: 12 }));
    await expect(stockLevel('sku-1')).resolves.toBe(12);
  });
});
