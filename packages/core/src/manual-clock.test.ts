import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';

describe('ManualClock', () => {
  it('starts at the given time and moves only when advanced', async () => {
    const clock = new ManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    await clock.advance(250);
    expect(clock.now()).toBe(1_250);
    await clock.advance(0);
    expect(clock.now()).toBe(1_250);
  });

  it('wakes sleepers in due-time order, ties in the order they were scheduled, each at its due time', async () => {
    const clock = new ManualClock();
    const woken: string[] = [];
    const sleep = (name: string, ms: number) =>
      clock.sleep(ms).then(() => woken.push(`${name}@${clock.now()}`));
    void sleep('c', 300);
    void sleep('a', 100);
    void sleep('b1', 200);
    void sleep('b2', 200);
    void sleep('late', 1_000);
    await clock.advance(500);
    expect(woken).toEqual(['a@100', 'b1@200', 'b2@200', 'c@300']);
    expect(clock.now()).toBe(500);
    expect(clock.pendingSleeps).toBe(1);
  });

  it('lets woken code sleep again and wakes it within the same advance (a retry loop of three backoffs)', async () => {
    const clock = new ManualClock();
    const attempts: number[] = [];
    const loop = (async () => {
      for (const delay of [100, 200, 400]) {
        attempts.push(clock.now());
        await Promise.resolve(); // some asynchronous work between sleeps
        await clock.sleep(delay);
      }
      attempts.push(clock.now());
    })();
    await clock.advance(700);
    await loop;
    expect(attempts).toEqual([0, 100, 300, 700]);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('does not wake a sleep scheduled by resumed code past the end of the span', async () => {
    const clock = new ManualClock();
    const woken: number[] = [];
    void clock.sleep(100).then(() => clock.sleep(100).then(() => woken.push(clock.now())));
    await clock.advance(150);
    expect(woken).toEqual([]);
    expect(clock.now()).toBe(150);
    await clock.advance(50);
    expect(woken).toEqual([200]);
  });

  it('lets resumed code that awaits another macrotask run before the next wake-up', async () => {
    const clock = new ManualClock();
    const events: string[] = [];
    void clock.sleep(10).then(async () => {
      events.push('first woke');
      await new Promise((resolve) => setImmediate(resolve));
      events.push('first after macrotask');
    });
    void clock.sleep(20).then(() => events.push('second woke'));
    await clock.advance(20);
    expect(events).toEqual(['first woke', 'first after macrotask', 'second woke']);
  });

  it('lets code started just before advance() reach its sleep', async () => {
    const clock = new ManualClock();
    let done = false;
    void (async () => {
      await Promise.resolve();
      await Promise.resolve();
      await clock.sleep(10);
      done = true;
    })();
    await clock.advance(10);
    expect(done).toBe(true);
  });

  it('resolves sleeps of zero or negative length without an advance', async () => {
    const clock = new ManualClock();
    await clock.sleep(0);
    await clock.sleep(-5);
    expect(clock.pendingSleeps).toBe(0);
    expect(clock.now()).toBe(0);
  });

  it('rejects an aborted sleep with the signal reason and forgets it', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(100, controller.signal);
    expect(clock.pendingSleeps).toBe(1);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('rejects at once when the signal is already aborted, with any reason', async () => {
    const clock = new ManualClock();
    await expect(clock.sleep(100, AbortSignal.abort('gone'))).rejects.toBe('gone');
    expect(clock.pendingSleeps).toBe(0);
  });

  it('keeps the other sleepers when one is aborted', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const woken: number[] = [];
    void clock.sleep(10).then(() => woken.push(10));
    clock.sleep(20, controller.signal).catch(() => woken.push(-20));
    void clock.sleep(30).then(() => woken.push(30));
    controller.abort();
    await clock.advance(30);
    expect(woken).toEqual([-20, 10, 30]);
  });

  it('queues an advance() made while another runs', async () => {
    const clock = new ManualClock();
    const woken: number[] = [];
    void clock.sleep(150).then(() => woken.push(clock.now()));
    await Promise.all([clock.advance(100), clock.advance(100)]);
    expect(woken).toEqual([150]);
    expect(clock.now()).toBe(200);
  });

  it('refuses a bad start, advance or sleep length', async () => {
    expect(() => new ManualClock(Number.NaN)).toThrow(
      new RangeError('ManualClock: start must be a finite number, got NaN'),
    );
    const clock = new ManualClock();
    await expect(clock.advance(-1)).rejects.toThrow(
      new RangeError('ManualClock.advance: ms must be a finite number >= 0, got -1'),
    );
    await expect(clock.advance(Infinity)).rejects.toThrow(RangeError);
    await expect(clock.advance(Number.NaN)).rejects.toThrow(RangeError);
    await expect(clock.sleep(Number.NaN)).rejects.toThrow(
      new RangeError('ManualClock.sleep: ms must be a number, got NaN'),
    );
    // A refused advance does not stop the next one.
    await clock.advance(5);
    expect(clock.now()).toBe(5);
  });
});
