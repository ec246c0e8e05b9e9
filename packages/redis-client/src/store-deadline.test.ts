import { ManualClock } from '@cemaf/core';
import { deferred } from '@cemaf/test-utils';
import { describe, expect, it } from 'vitest';
import { StoreDeadline } from './store-deadline.js';

class Late extends Error {}

function setup(timeout = 100) {
  const clock = new ManualClock();
  const deadline = new StoreDeadline(timeout, () => new Late('late'), clock);
  return { clock, deadline };
}

const outcome = (promise: Promise<unknown>) => {
  const seen: { status: string; value?: unknown } = { status: 'pending' };
  promise.then(
    (value) => Object.assign(seen, { status: 'fulfilled', value }),
    (value: unknown) => Object.assign(seen, { status: 'rejected', value }),
  );
  return seen;
};

describe('StoreDeadline', () => {
  it('settles as the call does when it answers in time, and leaves no timer', async () => {
    const { clock, deadline } = setup();
    const call = deferred<string>();
    const watched = deadline.watch(call.promise);
    expect(deadline.inFlight).toBe(1);
    expect(clock.pendingSleeps).toBe(1);
    await clock.advance(99);
    call.resolve('reply');
    await expect(watched).resolves.toBe('reply');
    expect(deadline.inFlight).toBe(0);
    expect(clock.pendingSleeps).toBe(0);

    const failing = deferred<string>();
    const failed = deadline.watch(failing.promise);
    const error = new Error('connection reset');
    failing.reject(error);
    await expect(failed).rejects.toBe(error);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('rejects with the timeout error at the deadline exactly, and ignores a late answer', async () => {
    const { clock, deadline } = setup();
    const call = deferred<string>();
    const seen = outcome(deadline.watch(call.promise));
    await clock.advance(99);
    expect(seen.status).toBe('pending');
    await clock.advance(1);
    expect(seen).toEqual({ status: 'rejected', value: new Late('late') });
    expect(deadline.inFlight).toBe(0);
    expect(clock.pendingSleeps).toBe(0);
    call.resolve('too late');
    await clock.advance(0);
    expect(seen.status).toBe('rejected');
  });

  it('gives every call its own deadline with one timer, skipping the calls that answered', async () => {
    const { clock, deadline } = setup();
    const first = deferred<number>();
    const second = deferred<number>();
    const third = deferred<number>();
    const one = outcome(deadline.watch(first.promise));
    await clock.advance(30);
    const two = outcome(deadline.watch(second.promise));
    await clock.advance(30);
    const three = outcome(deadline.watch(third.promise));
    expect(clock.pendingSleeps).toBe(1);
    second.resolve(2);
    await clock.advance(40); // t = 100: the first is due
    expect([one.status, two.status, three.status]).toEqual(['rejected', 'fulfilled', 'pending']);
    await clock.advance(59); // t = 159
    expect(three.status).toBe('pending');
    await clock.advance(1); // t = 160
    expect(three.status).toBe('rejected');
    expect(deadline.inFlight).toBe(0);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('arms a fresh timer for calls made after everything settled', async () => {
    const { clock, deadline } = setup(10);
    await expect(deadline.watch(Promise.resolve(1))).resolves.toBe(1);
    await clock.advance(50);
    const seen = outcome(deadline.watch(new Promise<never>(() => undefined)));
    await clock.advance(9);
    expect(seen.status).toBe('pending');
    await clock.advance(1);
    expect(seen.status).toBe('rejected');
  });
});
