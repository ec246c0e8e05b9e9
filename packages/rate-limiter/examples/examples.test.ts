import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock, RateLimiter } from '@cemaf/rate-limiter';
import { describeReadmeExamples } from '@cemaf/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** Fakes the timers and performance.now() that systemClock reads, for the module-level limiters. */
function fakeSystemTime() {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.resetModules();
});

describe('examples/quick-start.ts', () => {
  it('makes the 11th call of a minute wait for its turn', async () => {
    fakeSystemTime();
    const fetch = vi.fn(async (url: string) => Response.json({ url }));
    vi.stubGlobal('fetch', fetch);
    const { getInvoice } = await import('./quick-start.js');
    const invoices = Array.from({ length: 11 }, (_, index) => getInvoice(String(index)));
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(10);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetch).toHaveBeenCalledTimes(11);
    expect(await invoices[10]).toEqual({ url: 'https://partner.example.com/invoices/10' });
  });
});

describe('examples/http-server.ts', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('answers 429 with RateLimit and Retry-After headers to a client over its quota', async () => {
    const { withRateLimit, app, perClient } = await import('./http-server.js');
    expect(perClient.tryAcquire({ cost: 0 }).limit).toBe(100);
    const clock = new ManualClock();
    const limiter = new RateLimiter({ maxCalls: 2, timeWindow: 60_000, clock });
    server = createServer(withRateLimit(limiter, app));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true });
    expect(first.headers.get('ratelimit-policy')).toBe('"default";q=2;w=60');
    expect(first.headers.get('ratelimit')).toBe('"default";r=1;t=60');
    await clock.advance(15_000);
    expect((await fetch(url)).headers.get('ratelimit')).toBe('"default";r=0;t=60');
    const refused = await fetch(url);
    expect(refused.status).toBe(429);
    expect(await refused.text()).toBe('Too many requests, try again later.\n');
    expect(refused.headers.get('retry-after')).toBe('45');
    expect(refused.headers.get('ratelimit')).toBe('"default";r=0;t=45');
    await clock.advance(45_000);
    expect((await fetch(url)).status).toBe(200);
  });
});

describe('examples/fetch-handler.ts', () => {
  it('lets a key burst 20 requests, then 5 a second, and tells it so in headers', async () => {
    fakeSystemTime();
    const { handle } = await import('./fetch-handler.js');
    const next = vi.fn(async () => new Response('hello', { headers: { 'content-type': 'text/plain' } }));
    const request = () => new Request('https://api.example.com/', { headers: { 'x-api-key': 'k1' } });
    const answers = [];
    for (let index = 0; index < 21; index++) answers.push(await handle(request(), next));
    expect(answers.slice(0, 20).every((response) => response.status === 200)).toBe(true);
    expect(await answers[0]!.text()).toBe('hello');
    expect(answers[0]!.headers.get('content-type')).toBe('text/plain');
    expect(answers[0]!.headers.get('ratelimit-policy')).toBe('"per-key";q=20;w=4');
    expect(answers[20]!.status).toBe(429);
    expect(answers[20]!.headers.get('retry-after')).toBe('1');
    expect(next).toHaveBeenCalledTimes(20);
    await vi.advanceTimersByTimeAsync(200);
    expect((await handle(request(), next)).status).toBe(200);
    const other = new Request('https://api.example.com/', { headers: { 'x-api-key': 'k2' } });
    expect((await handle(other, next)).headers.get('ratelimit')).toBe('"per-key";r=19;t=1');
  });
});

describe('examples/per-tenant.ts', () => {
  it('takes one permit per row, per tenant, and refuses a batch that would wait over 2 s', async () => {
    fakeSystemTime();
    const { insertRows } = await import('./per-tenant.js');
    const written: [string, number, number][] = [];
    const write = (tenant: string) => async (batch: readonly object[]) => {
      written.push([tenant, batch.length, performance.now()]);
    };
    const rows = (count: number) => Array.from({ length: count }, () => ({}));
    const start = performance.now();
    await insertRows('acme', rows(1_000), write('acme'));
    await insertRows('globex', rows(600), write('globex'));
    const later = insertRows('acme', rows(700), write('acme')); // when the first 1 000 expire
    const last = insertRows('acme', rows(400), write('acme')); // when the 700 expire: exactly 2 s
    await expect(insertRows('acme', rows(900), write('acme'))).rejects.toMatchObject({
      name: 'RateLimitExceededError',
      retryAfter: 3_000,
    });
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all([later, last]);
    expect(written.map(([tenant, count, at]) => [tenant, count, at - start])).toEqual([
      ['acme', 1_000, 0],
      ['globex', 600, 0],
      ['acme', 700, 1_000],
      ['acme', 400, 2_000],
    ]);
  });
});

describeReadmeExamples(import.meta.url, { markers: false });
