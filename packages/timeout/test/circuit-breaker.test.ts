import { CircuitBreaker } from '@cemaf/circuit-breaker';
import { ManualClock, TimeoutError, pipeline } from '@cemaf/core';
import { describe, expect, it } from 'vitest';
import { TimeoutPolicy } from '../src/index.js';

type Outcome = { status: 'pending' } | { status: 'fulfilled'; value: unknown } | { status: 'rejected'; reason: unknown };

function observe(promise: Promise<unknown>): { readonly outcome: Outcome } {
  const seen: { outcome: Outcome } = { outcome: { status: 'pending' } };
  promise.then(
    (value) => (seen.outcome = { status: 'fulfilled', value }),
    (reason: unknown) => (seen.outcome = { status: 'rejected', reason }),
  );
  return seen;
}

/** A call that never returns and ignores its signal: a connection that hangs. */
const hang = (): Promise<never> => new Promise<never>(() => {});
const down = (): Promise<never> => Promise.reject(new Error('service down'));

async function fail(breaker: CircuitBreaker): Promise<void> {
  await expect(breaker.execute(down)).rejects.toThrow('service down');
}

async function openBreaker(breaker: CircuitBreaker): Promise<void> {
  await fail(breaker);
  expect(breaker.state).toBe('open');
}

describe('a timeout inside a circuit breaker', () => {
  it('without it, a half-open trial that never returns holds the trial slot for good', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeout: 5_000, clock });
    await openBreaker(breaker);
    await clock.advance(5_000);
    const trial = observe(breaker.execute(hang));
    await clock.advance(60 * 60_000);
    expect(trial.outcome.status).toBe('pending');
    expect(breaker.state).toBe('half-open');
    await expect(breaker.execute(() => 'recovered')).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
  });

  it('frees a half-open breaker from a trial that never returns: the trial times out and counts as a failure', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeout: 5_000, clock });
    const states: string[] = [];
    breaker.on('stateChange', ({ from, to }) => states.push(`${from} -> ${to}`));
    const guarded = pipeline(breaker, new TimeoutPolicy({ timeout: 1_000, clock }));
    await openBreaker(breaker);

    await clock.advance(5_000);
    let trialSignal: AbortSignal | undefined;
    const trial = observe(
      guarded.execute(({ signal }) => {
        trialSignal = signal;
        return hang();
      }),
    );
    // While the trial runs, its slot is taken.
    await expect(guarded.execute(() => 'recovered')).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });

    await clock.advance(999);
    expect(trial.outcome.status).toBe('pending');
    await clock.advance(1);
    expect(trial.outcome.status).toBe('rejected');
    expect((trial.outcome as { reason: unknown }).reason).toBeInstanceOf(TimeoutError);
    expect(trialSignal?.aborted).toBe(true);
    // A failed trial opens the circuit again for resetTimeout; then the next trial gets its chance.
    expect(breaker.state).toBe('open');
    expect(breaker.stats().failures).toBe(2);

    await clock.advance(5_000);
    await expect(guarded.execute(() => 'recovered')).resolves.toBe('recovered');
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['closed -> open', 'open -> half-open', 'half-open -> open', 'open -> half-open', 'half-open -> closed']);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('counts timeouts as failures in the closed state, so hanging calls open the circuit', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ failureThreshold: 3, resetTimeout: 5_000, clock });
    const guarded = pipeline(breaker, new TimeoutPolicy({ timeout: 1_000, clock }));
    const calls = [observe(guarded.execute(hang)), observe(guarded.execute(hang)), observe(guarded.execute(hang))];
    await clock.advance(1_000);
    expect(calls.map((call) => call.outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(breaker.state).toBe('open');
    await expect(guarded.execute(() => 'not called')).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
  });

  it('outside the breaker, a deadline is an abort to it: timeouts are not counted and the circuit never opens', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ failureThreshold: 3, resetTimeout: 5_000, clock });
    const outside = pipeline(new TimeoutPolicy({ timeout: 1_000, clock }), breaker);
    const calls = [observe(outside.execute(hang)), observe(outside.execute(hang)), observe(outside.execute(hang))];
    await clock.advance(1_000);
    expect(calls.map((call) => call.outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().failures).toBe(0);

    // Half-open, a hung trial gives its slot back at the deadline, but the circuit does not open again.
    await fail(breaker);
    await fail(breaker);
    await openBreaker(breaker);
    await clock.advance(5_000);
    const trial = observe(outside.execute(hang));
    await clock.advance(1_000);
    expect(trial.outcome.status).toBe('rejected');
    expect(breaker.state).toBe('half-open');
    await expect(outside.execute(() => 'admitted')).resolves.toBe('admitted');
  });
});
