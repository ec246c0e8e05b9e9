import { ManualClock, TimeoutPolicy, type Clock } from '@cemaf/timeout';
import { expect, it } from 'vitest';

type Backend = (query: string, signal: AbortSignal) => Promise<string[]>;

// Your code takes an optional clock, so that tests can pass a ManualClock.
function createSearch(backend: Backend, clock?: Clock) {
  const deadline = new TimeoutPolicy({ timeout: 500, clock });
  return (query: string) => deadline.execute(({ signal }) => backend(query, signal));
}

it('gives up on a slow backend after 500 ms and cancels its request', async () => {
  const clock = new ManualClock();
  let request: AbortSignal | undefined;
  const search = createSearch((_query, signal) => {
    request = signal;
    return new Promise(() => {}); // never answers
  }, clock);

  const result = expect(search('cemaf')).rejects.toMatchObject({ code: 'TIMEOUT', timeout: 500 });
  await clock.advance(500); // virtual time: the test takes microseconds
  await result;
  expect(request?.aborted).toBe(true);
  expect(clock.pendingSleeps).toBe(0); // nothing left waiting
});
