// Every code example on the site is a file in this folder, shown by the pages through VitePress
// snippet imports. This test type-checks the folder as a user's project would, then runs each
// example and checks what it computed. (Examples that are test files run as tests themselves.)
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { CircuitBreaker } from '@cemaf/circuit-breaker';
import { ManualClock, type Policy } from '@cemaf/core';
import { RateLimiter } from '@cemaf/rate-limiter';
import type { RedisRateLimiter } from '@cemaf/rate-limiter-redis';
import type { RetryPolicy } from '@cemaf/retry';
import { redisServerProgram } from '@cemaf/test-utils';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PriceService as PriceServiceType } from './decorators.ts';
import type { pollUntilReady as PollUntilReady } from './poll-until-ready.ts';
import type { createQuotesClient as CreateQuotesClient, FetchQuote } from './resilient-client.ts';

const here = import.meta.dirname;
type Module = Record<string, unknown>;

/**
 * Fakes the timers and `performance.now()` that `systemClock` reads, so that the examples'
 * module-level policies wait in virtual time: `vi.advanceTimersByTimeAsync(ms)` moves it.
 */
function fakeSystemTime(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
}

/** A fetch that answers the given responses in turn (the last one again and again). */
function fetchAnswering(...answers: (() => Response | Promise<Response>)[]) {
  let call = 0;
  const fetch = vi.fn(async (_input: string | URL | Request, _init?: RequestInit) => answers[Math.min(call++, answers.length - 1)]!());
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

/** What undici throws when a connection is refused. */
const refused = () => {
  throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
};

/** A fetch that never answers, and rejects with the signal's reason when it aborts. */
function hangingFetch() {
  const signals: AbortSignal[] = [];
  const fetch = vi.fn(
    (_input: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        const signal = init?.signal;
        if (signal) {
          signals.push(signal);
          signal.addEventListener('abort', () => reject(signal.reason as Error));
        }
      }),
  );
  vi.stubGlobal('fetch', fetch);
  return { fetch, signals };
}

const hasRedis = process.env.REDIS_URL !== undefined;
if (!hasRedis) redisServerProgram(); // says loudly why the Redis examples are skipped (throws under CI=true)

/** What to check of each example's exports; every example must have an entry. */
const checks: Record<string, (module: Module) => Promise<void> | void> = {
  // Core and the guides.
  'manual-clock.ts': (module) => {
    expect(module.woken).toEqual([50, 100]);
    expect(console.log).toHaveBeenCalledWith([50, 100]);
  },
  'errors.ts': (module) => {
    expect(module.messages).toEqual([
      'The service is down; try again in 30000 ms.',
      'Too many requests; try again in 250 ms.',
      'No answer within 2000 ms.',
      'Something went wrong.',
    ]);
  },
  'pipeline.ts': (module) => {
    expect(module.answer).toBe(42);
    expect(module.user).toEqual({ id: 7, name: 'Ada' });
    expect((module.trace as string[]).slice(0, 5)).toEqual([
      'outer: start r-1 (attempt 1)',
      'inner: start r-1 (attempt 1)',
      'fn: attempt 1',
      'inner: end',
      'outer: end',
    ]);
  },
  'poll-until-ready.ts': async (module) => {
    const pollUntilReady = module.pollUntilReady as typeof PollUntilReady;
    const clock = new ManualClock();
    let checks = 0;
    const ready = pollUntilReady(() => ++checks === 4, { clock, interval: 500 });
    await clock.advance(1_500);
    await expect(ready).resolves.toBe(1_500);
  },
  'composing-order.ts': (module) => {
    expect(module.results).toEqual({
      recommended: { serviceCalls: 5, permits: 5, breakerFailures: 5, turnedAway: 3, breakerOpened: true },
      retryInnermost: { serviceCalls: 12, permits: 4, breakerFailures: 4, turnedAway: 0, breakerOpened: false },
      limiterOutside: { serviceCalls: 5, permits: 8, breakerFailures: 5, turnedAway: 3, breakerOpened: true },
    });
  },
  'resilient-client.ts': async (module) => {
    const createQuotesClient = module.createQuotesClient as typeof CreateQuotesClient;
    const clock = new ManualClock();
    const answers: ((signal: AbortSignal) => Promise<{ symbol: string; price: number }>)[] = [
      // The first attempt hangs until its deadline aborts it...
      (signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
      // ...the second fails at once, the third answers.
      () => Promise.reject(new Error('502 Bad Gateway')),
      () => Promise.resolve({ symbol: 'ACME', price: 12.5 }),
    ];
    const fetchQuote = vi.fn<FetchQuote>((_symbol, signal) => answers.shift()!(signal));
    const quote = createQuotesClient(fetchQuote, clock);

    const first = quote('ACME');
    await clock.advance(1_999);
    expect(fetchQuote).toHaveBeenCalledTimes(1);
    await clock.advance(1 + 200 + 400); // the deadline, then backoffs of 200 and 400 ms
    await expect(first).resolves.toEqual({ symbol: 'ACME', price: 12.5 });
    expect(fetchQuote).toHaveBeenCalledTimes(3);

    // A service that is down: after 3 attempts the fallback answers null.
    fetchQuote.mockRejectedValue(new Error('503 Service Unavailable'));
    const second = quote('ACME');
    await clock.advance(600);
    await expect(second).resolves.toBeNull();
    expect(fetchQuote).toHaveBeenCalledTimes(6);
    // Two more failures make 5 in a row (the success above reset the count): the circuit opens,
    // and the third attempt is turned away without a request.
    const third = quote('ACME');
    await clock.advance(600);
    await expect(third).resolves.toBeNull();
    expect(fetchQuote).toHaveBeenCalledTimes(8);
  },
  'decorators.ts': async (module) => {
    fakeSystemTime();
    const PriceService = module.PriceService as typeof PriceServiceType;
    const prices = [{ sku: 'tea', cents: 350 }];
    const fetch = fetchAnswering(
      () => new Response('busy', { status: 503 }),
      () => new Response('busy', { status: 503 }),
      () => Response.json(prices),
    );
    const service = new PriceService('https://prices.example.com');
    const listed = service.list('drinks');
    await vi.advanceTimersByTimeAsync(200 + 400);
    await expect(listed).resolves.toEqual(prices);
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(fetch.mock.calls[0]![0]).toBe('https://prices.example.com/prices/drinks');

    // Down for good: three more failures, then the fallback's empty list.
    fetch.mockImplementation(async () => new Response('down', { status: 500 }));
    const fallback = new PriceService('https://prices.example.com').list('food');
    await vi.advanceTimersByTimeAsync(200 + 400);
    await expect(fallback).resolves.toEqual([]);
    expect(fetch).toHaveBeenCalledTimes(6);
  },

  // @cemaf/retry
  'retry-quick-start.ts': async (module) => {
    fakeSystemTime();
    const fetch = fetchAnswering(refused, refused, () => Response.json({ id: '42', name: 'Ada' }));
    const user = (module.getUser as (id: string) => Promise<unknown>)('42');
    await vi.advanceTimersByTimeAsync(1_499);
    expect(fetch).toHaveBeenCalledTimes(2); // at 0 and 500 ms; the third is due at 1 500 ms
    await vi.advanceTimersByTimeAsync(1);
    await expect(user).resolves.toEqual({ id: '42', name: 'Ada' });
    expect(fetch.mock.calls[0]![0]).toBe('https://api.example.com/users/42');

    // An HTTP error is not transient: no retry.
    fetchAnswering(() => new Response('no', { status: 404 }));
    await expect((module.getUser as (id: string) => Promise<unknown>)('7')).rejects.toThrow('GET /users/7 answered 404');
  },
  'retry-backoff-kinds.ts': (module) => {
    expect(module.table).toEqual({
      constant: [100, 100, 100, 100, 100, 100],
      linear: [100, 200, 300, 400, 500, 600],
      exponential: [100, 200, 400, 800, 1_600, 2_000],
      fibonacci: [100, 100, 200, 300, 500, 800],
      jitter: [50, 100, 200, 400, 800, 1_000],
    });
  },
  'retry-events.ts': async (module) => {
    fakeSystemTime();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { policy, HttpError } = module as { policy: RetryPolicy; HttpError: new (status: number) => Error };
    let calls = 0;
    const result = policy.execute(() => {
      if (++calls < 3) throw new HttpError(503);
      return 'ok';
    });
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(result).resolves.toBe('ok');
    expect(warn.mock.calls.map(([line]) => String(line).replace(/\d+ ms$/, 'N ms'))).toEqual([
      'attempt 1 failed (HttpError: HTTP 503), retrying in N ms',
      'attempt 2 failed (HttpError: HTTP 503), retrying in N ms',
    ]);
    const notFound = new HttpError(404);
    await expect(policy.execute(() => Promise.reject(notFound))).rejects.toBe(notFound);
    expect(warn).toHaveBeenLastCalledWith('gave up after 1 attempt(s): retryIf');
  },
  'retry-budget.ts': async (module) => {
    fakeSystemTime();
    const { chargePolicy, refundPolicy } = module as Record<string, RetryPolicy>;
    const reasons: string[] = [];
    chargePolicy!.on('giveUp', ({ reason }) => reasons.push(reason));
    refundPolicy!.on('giveUp', ({ reason }) => reasons.push(reason));
    const down = vi.fn(() => Promise.reject(new Error('payments down')));
    const calls = [
      ...Array.from({ length: 30 }, () => chargePolicy!.execute(down).catch(() => 'failed')),
      ...Array.from({ length: 30 }, () => refundPolicy!.execute(down).catch(() => 'failed')),
    ];
    await vi.advanceTimersByTimeAsync(5_000);
    expect(new Set(await Promise.all(calls))).toEqual(new Set(['failed']));
    // 60 calls allow 0.1 x 60 + 10/s x 10 s = 106 retries; without the budget there would be 180.
    expect(down).toHaveBeenCalledTimes(60 + 106);
    expect(reasons).toContain('budget');
  },

  // @cemaf/circuit-breaker
  'circuit-breaker-quick-start.ts': async (module) => {
    const exchangeRate = module.exchangeRate as (currency: string) => Promise<unknown>;
    const fetch = fetchAnswering(() => new Response('down', { status: 503 }));
    for (let call = 0; call < 5; call++) await expect(exchangeRate('EUR')).rejects.toThrow('rates: HTTP 503');
    // Open: turned away without a request.
    await expect(exchangeRate('EUR')).resolves.toBeUndefined();
    expect(fetch).toHaveBeenCalledTimes(5);
  },
  'circuit-breaker-failure-rate.ts': async (module) => {
    const search = module.search as CircuitBreaker;
    for (let call = 0; call < 9; call++) {
      await search.execute(() => (call % 2 === 0 ? Promise.reject(new Error('500')) : 'hits')).catch(() => undefined);
    }
    expect(search.state).toBe('closed'); // 5 failures in 9 calls: fewer calls than minimumCalls
    await search.execute(() => 'hits');
    expect(search.state).toBe('open'); // 5 failures in 10 calls: 50%, which opens it
    expect(search.stats().retryAfter).toBe(5_000); // the first opening: 5 s
  },
  'circuit-breaker-monitoring.ts': async (module) => {
    const { ordersBreaker, health, HttpError } = module as {
      ordersBreaker: (log: (line: string) => void, clock?: ManualClock) => CircuitBreaker;
      health: (breaker: CircuitBreaker) => { ok: boolean; retryAfter: number };
      HttpError: new (status: number) => Error;
    };
    const lines: string[] = [];
    const clock = new ManualClock();
    const breaker = ordersBreaker((line) => lines.push(line), clock);
    await breaker.execute(() => Promise.reject(new HttpError(404))).catch(() => undefined);
    for (let call = 0; call < 3; call++) await breaker.execute(() => Promise.reject(new HttpError(503))).catch(() => undefined);
    await breaker.execute(() => 'order').catch(() => undefined);
    expect(lines).toEqual([
      'orders: failed: HttpError: HTTP 503',
      'orders: failed: HttpError: HTTP 503',
      'orders: failed: HttpError: HTTP 503',
      'orders: closed -> open',
      'orders: turned away, next trial in 10000 ms',
    ]);
    expect(health(breaker)).toEqual({ ok: false, retryAfter: 10_000 });
    await clock.advance(10_000);
    expect(health(breaker)).toEqual({ ok: true, retryAfter: 0 });
    expect(lines[lines.length - 1]).toBe('orders: open -> half-open');
  },

  // @cemaf/rate-limiter
  'rate-limiter-quick-start.ts': async (module) => {
    fakeSystemTime();
    const fetch = fetchAnswering(() => Response.json({ ok: true }));
    const getInvoice = module.getInvoice as (id: string) => Promise<unknown>;
    const invoices = Array.from({ length: 11 }, (_, index) => getInvoice(String(index)));
    await vi.advanceTimersByTimeAsync(59_999);
    expect(fetch).toHaveBeenCalledTimes(10);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch).toHaveBeenCalledTimes(11);
    await expect(invoices[10]).resolves.toEqual({ ok: true });
    expect(fetch.mock.calls[10]![0]).toBe('https://partner.example.com/invoices/10');
  },
  'rate-limiter-per-tenant.ts': async (module) => {
    const clock = new ManualClock();
    const written: [string, number, number][] = [];
    const createRowWriter = module.createRowWriter as (
      write: (batch: readonly object[]) => Promise<void>,
      clock: ManualClock,
    ) => (tenant: string, batch: readonly object[]) => Promise<void>;
    const insert = createRowWriter(async (batch) => void written.push(['?', batch.length, clock.now()]), clock);
    const rows = (count: number) => Array.from({ length: count }, () => ({}));
    const batches = [insert('acme', rows(1_000)), insert('acme', rows(1_000)), insert('acme', rows(1_000))];
    // Its turn would come 3 s from now, past maxWait: refused at once, with when it would have come.
    await expect(insert('acme', rows(1_000))).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfter: 3_000 });
    const otherTenant = insert('globex', rows(1_000)); // a budget of its own
    await clock.advance(2_000);
    await Promise.all([...batches, otherTenant]);
    expect(written.map(([, count, at]) => [count, at])).toEqual([
      [1_000, 0],
      [1_000, 0],
      [1_000, 1_000],
      [1_000, 2_000], // exactly maxWait: allowed
    ]);
  },
  'rate-limiter-fetch-handler.ts': async (module) => {
    fakeSystemTime();
    const handle = module.handle as (request: Request, next: (request: Request) => Promise<Response>) => Promise<Response>;
    const next = vi.fn(async () => new Response('hello', { headers: { 'content-type': 'text/plain' } }));
    const request = (key: string) => new Request('https://api.example.com/', { headers: { 'x-api-key': key } });
    const answers: Response[] = [];
    for (let index = 0; index < 21; index++) answers.push(await handle(request('k1'), next));
    expect(answers.slice(0, 20).every((response) => response.status === 200)).toBe(true);
    expect(await answers[0]!.text()).toBe('hello');
    expect(answers[0]!.headers.get('ratelimit-policy')).toBe('"per-key";q=20;w=4');
    expect(answers[20]!.status).toBe(429);
    expect(answers[20]!.headers.get('retry-after')).toBe('1');
    expect(next).toHaveBeenCalledTimes(20);
    await vi.advanceTimersByTimeAsync(200); // a token is back
    expect((await handle(request('k1'), next)).status).toBe(200);
    expect((await handle(request('k2'), next)).headers.get('ratelimit')).toBe('"per-key";r=19;t=1');
  },

  // @cemaf/timeout
  'timeout-quick-start.ts': async (module) => {
    fakeSystemTime();
    const loadProfile = module.loadProfile as (id: string) => Promise<unknown>;
    fetchAnswering(() => Response.json({ id: '1', name: 'Ada' }));
    await expect(loadProfile('1')).resolves.toEqual({ id: '1', name: 'Ada' });

    const { signals } = hangingFetch();
    const slow = loadProfile('2');
    await vi.advanceTimersByTimeAsync(2_000);
    await expect(slow).resolves.toBeUndefined();
    expect(signals[0]?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  },
  'timeout-placement.ts': async (module) => {
    const clock = new ManualClock();
    const { perAttempt, overall } = (module.searchClients as (clock: ManualClock) => Record<string, Policy>)(clock);
    const hang = ({ signal }: { signal: AbortSignal }) =>
      new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));

    // Per attempt: three deadlines of 500 ms and two backoffs, 1 800 ms in all.
    const each = perAttempt!.execute(hang).catch((error: { code?: string }) => [error.code, clock.now()]);
    await clock.advance(2_000);
    expect(await each).toEqual(['TIMEOUT', 500 + 100 + 500 + 200 + 500]);

    // Overall: one deadline of 1 s over the attempts and the waits, whatever they are.
    const start = clock.now();
    const all = overall!.execute(hang).catch((error: { code?: string }) => [error.code, clock.now() - start]);
    await clock.advance(2_000);
    expect(await all).toEqual(['TIMEOUT', 1_000]);
  },

  // @cemaf/fallback
  'fallback-quick-start.ts': async (module) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { recommendationsFor, BadRequestError } = module as {
      recommendationsFor: (userId: string) => Promise<unknown>;
      BadRequestError: new () => Error;
    };
    fetchAnswering(() => Response.json([{ id: 'p1', name: 'Tea' }]));
    await expect(recommendationsFor('u1')).resolves.toEqual([{ id: 'p1', name: 'Tea' }]);
    fetchAnswering(() => new Response('down', { status: 503 }));
    const first = await recommendationsFor('u1');
    const second = await recommendationsFor('u1');
    expect(first).toEqual([]);
    expect(first).not.toBe(second); // an array of its own for each caller
    expect(warn).toHaveBeenCalledWith('recommendations unavailable:', new Error('recommendations: HTTP 503'));
    fetchAnswering(() => new Response('no such user', { status: 400 }));
    await expect(recommendationsFor('u1')).rejects.toBeInstanceOf(BadRequestError);
  },
  'fallback-types.ts': async (module) => {
    const findUser = module.findUser as (id: string) => Promise<unknown>;
    fetchAnswering(() => Response.json({ id: '7', name: 'Ada' }));
    await expect(findUser('7')).resolves.toEqual({ id: '7', name: 'Ada' });
    fetchAnswering(() => new Response('', { status: 500 }));
    await expect(findUser('7')).resolves.toBeNull();
  },

  // @cemaf/all
  'all-quick-start.ts': async (module) => {
    fakeSystemTime();
    const getOrder = module.getOrder as (id: string) => Promise<unknown>;
    const fetch = fetchAnswering(refused, () => Response.json({ id: 'o1' }));
    const order = getOrder('o1');
    await vi.advanceTimersByTimeAsync(500);
    await expect(order).resolves.toEqual({ id: 'o1' });
    expect(fetch).toHaveBeenCalledTimes(2);
  },

  // @cemaf/rate-limiter-redis: against a real Redis (REDIS_URL, or the suite's own server).
  'redis-ioredis.ts': async (module) => {
    if (!hasRedis) return;
    const redis = module.redis as Redis;
    try {
      const fetch = fetchAnswering(() => Response.json({ ok: true }));
      const getInvoice = module.getInvoice as (id: string) => Promise<unknown>;
      await redis.del('partner-api:{d}', 'partner-api:{d}:l');
      const start = performance.now();
      const invoices = Array.from({ length: 11 }, (_, index) => getInvoice(String(index)));
      await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(10));
      await expect(invoices[10]).resolves.toEqual({ ok: true });
      // The 11th waited for the first permit to be a second old (in Redis's own time).
      expect(performance.now() - start).toBeGreaterThan(900);
    } finally {
      await redis.quit();
    }
  },
  'redis-node-redis.ts': async (module) => {
    if (!hasRedis) return;
    const redis = module.redis as { quit(): Promise<unknown> };
    try {
      const insertRows = module.insertRows as (tenant: string, batch: readonly object[], write: (batch: readonly object[]) => Promise<void>) => Promise<void>;
      const written: number[] = [];
      const write = async (batch: readonly object[]) => void written.push(batch.length);
      const tenant = `tenant-${Date.now()}`;
      await insertRows(tenant, Array.from({ length: 600 }, () => ({})), write);
      await expect(insertRows(tenant, Array.from({ length: 1_001 }, () => ({})), write)).rejects.toBeInstanceOf(RangeError);
      await insertRows(`${tenant}-b`, Array.from({ length: 1_000 }, () => ({})), write);
      expect(written).toEqual([600, 1_000]);
    } finally {
      await redis.quit();
    }
  },
  'redis-fallback.ts': async (module) => {
    const sharedLimiter = module.sharedLimiter as (redis: unknown, servers?: number) => RedisRateLimiter;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    // A Redis that fails every command: decisions fall back to 300 / 4 in memory.
    const down = { evalsha: () => Promise.reject(new Error('down')), eval: () => Promise.reject(new Error('down')) };
    const limiter = sharedLimiter(down, 4);
    expect(await limiter.tryAcquire({ cost: 0 })).toMatchObject({ limit: 75 });
    expect(warn).toHaveBeenCalledWith('rate limit decided in memory:', new Error('down'));
    expect(new RateLimiter({ maxCalls: 1, timeWindow: 1 })).toBeInstanceOf(RateLimiter);
  },
};

const examples = readdirSync(here).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));

describe('the site’s code examples', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it('type-check as a user’s project would', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', `${here}/tsconfig.json`], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 120_000);

  it('each have a check here', () => {
    expect(examples.sort()).toEqual(Object.keys(checks).sort());
  });

  it('are each shown on a page', () => {
    const pages = ['index.md', 'guide', 'packages'].flatMap((entry) => {
      const path = join(here, '..', 'pages', entry);
      return entry.endsWith('.md') ? [path] : readdirSync(path).map((file) => join(path, file));
    });
    const shown = pages.map((page) => readFileSync(page, 'utf8')).join('\n');
    for (const file of readdirSync(here).filter((name) => name.endsWith('.ts') && name !== 'examples.test.ts')) {
      expect(shown, file).toContain(`<<< @/../examples/${file}`);
    }
    // ...and no page has code of its own that no test runs.
    expect(shown.match(/^```(ts|typescript|js|javascript|vue)\b.*$/gm) ?? []).toEqual([]);
  });

  it.each(examples)('%s runs and computes what the page says', async (file) => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const module = (await import(/* @vite-ignore */ join(here, file))) as Module;
    await checks[file]!(module);
  });
});
