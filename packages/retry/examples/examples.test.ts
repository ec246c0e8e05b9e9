import { ManualClock } from '@cemaf/retry';
import { describeReadmeExamples, muteConsole } from '@cemaf/test-utils';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** Fakes the timers and performance.now() that systemClock uses, so module-level policies run instantly. */
function fakeSystemTime() {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
}

function refused(): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('examples/quick-start.ts', () => {
  beforeEach(fakeSystemTime);

  it('retries a refused connection and returns the user', async () => {
    const fetch = vi
      .fn<typeof globalThis.fetch>()
      .mockRejectedValueOnce(refused())
      .mockRejectedValueOnce(refused())
      .mockResolvedValue(Response.json({ id: '42', name: 'Ada' }));
    vi.stubGlobal('fetch', fetch);
    const { getUser } = await import('./quick-start.js');
    const user = getUser('42');
    await vi.advanceTimersByTimeAsync(1_500); // 500 ms, then 1 s
    await expect(user).resolves.toEqual({ id: '42', name: 'Ada' });
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(fetch.mock.calls[0]![0]).toBe('https://api.example.com/users/42');
  });

  it('does not retry an HTTP error, which isTransientError does not cover', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>().mockResolvedValue(new Response('no', { status: 404 }));
    vi.stubGlobal('fetch', fetch);
    const { getUser } = await import('./quick-start.js');
    await expect(getUser('7')).rejects.toThrow('GET /users/7 answered 404');
    expect(fetch).toHaveBeenCalledOnce();
  });
});

describe('examples/fetch-retry-after.ts, against a local HTTP server', () => {
  let server: Server | undefined;

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** Serves the given answers in turn, recording when each request came by `clock`. */
  async function serve(clock: ManualClock, answers: { status: number; headers?: Record<string, string> }[]) {
    const times: number[] = [];
    server = createServer((_request, response) => {
      times.push(clock.now());
      const answer = answers.shift() ?? { status: 200 };
      response.writeHead(answer.status, answer.headers).end(answer.status === 200 ? 'hello' : 'busy');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, times };
  }

  /** Real network I/O takes real time: waits (without moving the clock) until the policy is in its backoff. */
  async function untilSleeping(clock: ManualClock): Promise<void> {
    for (let tries = 0; clock.pendingSleeps === 0; tries++) {
      if (tries > 2_000) throw new Error('the policy never started a backoff');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  it("retries 503 and 429, waiting the server's Retry-After, else 1 s, 2 s...", async () => {
    const clock = new ManualClock();
    const { url, times } = await serve(clock, [
      { status: 503, headers: { 'Retry-After': '3' } },
      { status: 429 },
    ]);
    const { createPoliteFetch } = await import('./fetch-retry-after.js');
    const response = createPoliteFetch(clock)(url);
    await untilSleeping(clock);
    await clock.advance(3_000);
    await untilSleeping(clock);
    await clock.advance(2_000); // no Retry-After on the 2nd failure: 1 s x 2^1
    const ok = await response;
    expect(ok.status).toBe(200);
    await expect(ok.text()).resolves.toBe('hello');
    expect(times).toEqual([0, 3_000, 5_000]);
  });

  it('reads a Retry-After date against the wall clock', async () => {
    const clock = new ManualClock();
    const { url, times } = await serve(clock, [{ status: 503, headers: { 'Retry-After': new Date(Date.now() + 5_000).toUTCString() } }]);
    const { createPoliteFetch } = await import('./fetch-retry-after.js');
    const response = createPoliteFetch(clock)(url);
    await untilSleeping(clock);
    await clock.advance(5_000);
    expect((await response).status).toBe(200);
    expect(times[1]).toBeGreaterThan(3_000); // the date has whole seconds: 4 to 5 s away
    expect(times[1]).toBeLessThanOrEqual(5_000);
  });

  it('returns the last refused response when attempts run out, and stops at once on abort', async () => {
    const clock = new ManualClock();
    const { url } = await serve(clock, [
      ...Array.from({ length: 5 }, () => ({ status: 503, headers: { 'Retry-After': '0' } })),
      { status: 503, headers: { 'Retry-After': '10' } },
    ]);
    const { createPoliteFetch } = await import('./fetch-retry-after.js');
    const last = await createPoliteFetch(clock)(url);
    expect(last.status).toBe(503);

    const controller = new AbortController();
    const aborted = createPoliteFetch(clock)(url, { signal: controller.signal }).catch((error: unknown) => error);
    await untilSleeping(clock);
    controller.abort(new Error('page closed'));
    expect(await aborted).toEqual(new Error('page closed'));
    expect(clock.pendingSleeps).toBe(0);
  });
});

describe('examples/retry-budget.ts', () => {
  beforeEach(fakeSystemTime);

  it('lets the two policies together retry only within the shared budget', async () => {
    const { chargePolicy, refundPolicy } = await import('./retry-budget.js');
    const reasons: string[] = [];
    chargePolicy.on('giveUp', ({ reason }) => reasons.push(reason));
    refundPolicy.on('giveUp', ({ reason }) => reasons.push(reason));
    const down = vi.fn(() => Promise.reject(new Error('payments down')));
    const calls = [
      ...Array.from({ length: 30 }, () => chargePolicy.execute(down).catch(() => 'failed')),
      ...Array.from({ length: 30 }, () => refundPolicy.execute(down).catch(() => 'failed')),
    ];
    await vi.advanceTimersByTimeAsync(5_000);
    expect(new Set(await Promise.all(calls))).toEqual(new Set(['failed']));
    // 60 calls allow 0.1 x 60 + 10/s x 10 s = 106 retries; without the budget there would be 180.
    expect(down).toHaveBeenCalledTimes(60 + 106);
    expect(reasons.filter((reason) => reason === 'budget').length).toBeGreaterThan(0);
  });
});

describe('examples/custom-backoff.ts', () => {
  beforeEach(fakeSystemTime);

  it('retries server errors with decorrelated jitter and logs each retry', async () => {
    const warn = muteConsole('warn');
    const { policy, HttpError } = await import('./custom-backoff.js');
    const delays: number[] = [];
    policy.on('retry', ({ delay }) => delays.push(delay));
    let calls = 0;
    const result = policy.execute(() => {
      if (++calls < 4) throw new HttpError(503);
      return 'ok';
    });
    await vi.advanceTimersByTimeAsync(30_000);
    await expect(result).resolves.toBe('ok');
    expect(delays).toHaveLength(3);
    expect(delays.every((delay) => delay >= 200 && delay <= 10_000)).toBe(true);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^attempt 1 failed \(HttpError: HTTP 503\), retrying in \d+ ms$/));
  });

  it('gives up at once on a client error', async () => {
    const warn = muteConsole('warn');
    const { policy, HttpError } = await import('./custom-backoff.js');
    const notFound = new HttpError(404);
    await expect(policy.execute(() => Promise.reject(notFound))).rejects.toBe(notFound);
    expect(warn).toHaveBeenCalledWith('gave up after 1 attempt(s): retryIf');
  });
});

describe('examples/cancellation.ts', () => {
  beforeEach(fakeSystemTime);

  it('ends the call at once when the caller aborts during a backoff, passing the signal to fetch', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>().mockRejectedValue(refused());
    vi.stubGlobal('fetch', fetch);
    const { downloadReport } = await import('./cancellation.js');
    const controller = new AbortController();
    const result = downloadReport('https://reports.example.com/q3', controller.signal).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1_500); // attempt 2 failed at 1 s; now waiting 2 s
    controller.abort(new Error('user left'));
    expect(await result).toEqual(new Error('user left'));
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(fetch.mock.calls[0]![1]).toEqual({ signal: controller.signal });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('examples/wrap.ts', () => {
  beforeEach(fakeSystemTime);

  it("retries through a function with loadConfig's parameters", async () => {
    const fetch = vi
      .fn<typeof globalThis.fetch>()
      .mockResolvedValueOnce(new Response('', { status: 502 }))
      .mockResolvedValue(Response.json({ name: 'app', values: { mode: 'dark' } }));
    vi.stubGlobal('fetch', fetch);
    const { loadConfigWithRetry } = await import('./wrap.js');
    const config = loadConfigWithRetry('app');
    await vi.advanceTimersByTimeAsync(100);
    await expect(config).resolves.toEqual({ name: 'app', values: { mode: 'dark' } });
    expect(fetch).toHaveBeenCalledWith('https://config.example.com/app.json');
  });
});

describeReadmeExamples(import.meta.url);
