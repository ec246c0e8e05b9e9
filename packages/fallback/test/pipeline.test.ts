import { CircuitBreaker } from '@cemaf/circuit-breaker';
import { ManualClock, TimeoutError, pipeline } from '@cemaf/core';
import { RetryPolicy } from '@cemaf/retry';
import { TimeoutPolicy } from '@cemaf/timeout';
import { describe, expect, it } from 'vitest';
import { FallbackPolicy } from '../src/index.js';

/** A call that never returns and ignores its signal: a connection that hangs. */
const hang = (): Promise<never> => new Promise<never>(() => {});

const codeOf = (error: unknown) => (error as { code?: string }).code ?? String(error);

describe('pipeline(fallback, retry, breaker, timeout)', () => {
  it('treats a timeout as an ordinary failure: retried, counted by the breaker, replaced by the fallback at the end', async () => {
    const clock = new ManualClock();
    const fallback = new FallbackPolicy({ fallback: 'cached' });
    const retry = new RetryPolicy({ maxAttempts: 3, backoff: 'constant', initialDelay: 100, clock });
    const breaker = new CircuitBreaker({ failureThreshold: 3, resetTimeout: 30_000, clock });
    const timeout = new TimeoutPolicy({ timeout: 1_000, clock });

    const log: string[] = [];
    const at = (line: string) => log.push(`${clock.now()} ${line}`);
    timeout.on('timeout', ({ attempt }) => at(`timeout: attempt ${attempt}`));
    breaker.on('stateChange', ({ from, to }) => at(`breaker: ${from} -> ${to}`));
    retry.on('retry', ({ attempt, error, delay }) => at(`retry: attempt ${attempt} failed with ${codeOf(error)}, waiting ${delay}`));
    retry.on('giveUp', ({ attempt, error }) => at(`retry: gave up after attempt ${attempt} with ${codeOf(error)}`));
    fallback.on('fallback', ({ error }) => at(`fallback: replaces ${codeOf(error)}`));

    const signals: AbortSignal[] = [];
    const attempts: number[] = [];
    let settled: { at: number; value: unknown } | undefined;
    void pipeline(fallback, retry, breaker, timeout)
      .execute<string>(({ signal, attempt }) => {
        attempts.push(attempt);
        signals.push(signal);
        at(`fn: attempt ${attempt}`);
        return hang();
      })
      .then((value) => (settled = { at: clock.now(), value }));

    await clock.advance(10_000);
    expect(settled).toEqual({ at: 3_200, value: 'cached' });
    expect(attempts).toEqual([1, 2, 3]);
    expect(signals.map((signal): unknown => signal.reason)).toEqual([
      expect.any(TimeoutError),
      expect.any(TimeoutError),
      expect.any(TimeoutError),
    ]);
    expect(log).toEqual([
      '0 fn: attempt 1',
      '1000 timeout: attempt 1',
      '1000 retry: attempt 1 failed with TIMEOUT, waiting 100',
      '1100 fn: attempt 2',
      '2100 timeout: attempt 2',
      '2100 retry: attempt 2 failed with TIMEOUT, waiting 100',
      '2200 fn: attempt 3',
      '3200 timeout: attempt 3',
      '3200 breaker: closed -> open',
      '3200 retry: gave up after attempt 3 with TIMEOUT',
      '3200 fallback: replaces TIMEOUT',
    ]);
    expect(breaker.state).toBe('open');
    expect(breaker.stats().failures).toBe(3);
    // No timer left behind: every deadline and backoff has ended.
    expect(clock.pendingSleeps).toBe(0);
  });
});
