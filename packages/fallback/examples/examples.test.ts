import { describeReadmeExamples, muteConsole, stubSilentFetch } from '@cemaf/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findUser } from './find-user.js';
import { loadFlags } from './flags-with-defaults.js';
import { BadRequestError, recommendationsFor } from './recommendations.js';

describeReadmeExamples(import.meta.url, { markers: false });

describe('recommendations', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('returns what the service recommends', async () => {
    const products = [{ id: 'p1', name: 'Kettle' }];
    vi.stubGlobal('fetch', async () => Response.json(products));
    const warn = muteConsole('warn');
    await expect(recommendationsFor('u1')).resolves.toEqual(products);
    expect(warn).not.toHaveBeenCalled();
  });

  it('returns a fresh empty list when the service fails or cannot be reached, and logs why', async () => {
    const warn = muteConsole('warn');
    vi.stubGlobal('fetch', async () => new Response('oops', { status: 503 }));
    const first = await recommendationsFor('u1');
    expect(first).toEqual([]);
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('fetch failed')));
    const second = await recommendationsFor('u1');
    expect(second).toEqual([]);
    expect(second).not.toBe(first);
    expect(warn.mock.calls).toEqual([
      ['recommendations unavailable:', new Error('recommendations: HTTP 503')],
      ['recommendations unavailable:', new TypeError('fetch failed')],
    ]);
  });

  it('lets a bad request through', async () => {
    vi.stubGlobal('fetch', async () => new Response('userId must be numeric', { status: 400 }));
    await expect(recommendationsFor('u1')).rejects.toEqual(new BadRequestError('userId must be numeric'));
  });
});

describe('find-user', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('returns the user, or null when the lookup fails', async () => {
    vi.stubGlobal('fetch', async () => Response.json({ id: 'u1', name: 'Ada' }));
    await expect(findUser('u1')).resolves.toEqual({ id: 'u1', name: 'Ada' });
    vi.stubGlobal('fetch', async () => new Response('', { status: 500 }));
    await expect(findUser('u1')).resolves.toBeNull();
  });
});

describe('flags-with-defaults', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("returns the user's flags when the service answers", async () => {
    vi.stubGlobal('fetch', async () => Response.json({ newCheckout: true, darkMode: false }));
    await expect(loadFlags('u1')).resolves.toEqual({ newCheckout: true, darkMode: false });
  });

  it('falls back to the defaults after three attempts that each time out', async () => {
    vi.useFakeTimers();
    const requests = stubSilentFetch();
    const start = performance.now();
    let settledAt: number | undefined;
    const result = loadFlags('u1');
    void result.then(() => (settledAt = performance.now()));
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(result).resolves.toEqual({ newCheckout: false, darkMode: false });
    expect(settledAt! - start).toBe(500 + 100 + 500 + 200 + 500);
    expect(requests).toHaveLength(3);
    expect(vi.getTimerCount()).toBe(0);
  });
});
