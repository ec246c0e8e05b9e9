// The site's own code examples: those that show more than one package's use (the guides,
// @cemaf/core and @cemaf/all, which have no examples of their own). A page shows a package's own
// example from packages/<name>/examples/ directly, tested there; test/pages.test.ts checks what
// every page imports. This test type-checks this folder as a user's project would, then runs
// each example and checks what it computed. (Examples that are test files run as tests
// themselves.)
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ManualClock, type Policy } from '@cemaf/core';
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
  'retry-backoff-kinds.ts': (module) => {
    expect(module.table).toEqual({
      constant: [100, 100, 100, 100, 100, 100],
      linear: [100, 200, 300, 400, 500, 600],
      exponential: [100, 200, 400, 800, 1_600, 2_000],
      fibonacci: [100, 100, 200, 300, 500, 800],
      jitter: [50, 100, 200, 400, 800, 1_000],
    });
  },

  // @cemaf/timeout
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

  it.each(examples)('%s runs and computes what the page says', async (file) => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const module = (await import(/* @vite-ignore */ join(here, file))) as Module;
    await checks[file]!(module);
  });
});
