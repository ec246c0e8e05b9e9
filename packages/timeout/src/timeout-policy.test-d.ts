import { pipeline, type Policy } from '@cemaf/core';
import { describe, expectTypeOf, it } from 'vitest';
import { TimeoutPolicy, type SettledAfterTimeoutEvent, type TimeoutEvent } from './timeout-policy.js';

const policy = new TimeoutPolicy({ timeout: 1_000 });

describe('TimeoutPolicy types', () => {
  it('resolves to what fn returns, unwrapping promises', () => {
    expectTypeOf(policy.execute(() => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(policy.execute(async ({ signal }) => signal.aborted)).toEqualTypeOf<Promise<boolean>>();
  });

  it('is a Policy that pipeline() takes', () => {
    expectTypeOf(policy).toExtend<Policy>();
    expectTypeOf(pipeline(policy, policy).execute(() => 'x')).toEqualTypeOf<Promise<string>>();
  });

  it('wrap keeps the parameters and unwraps the result', () => {
    const get = policy.wrap(async (url: string, tries?: number) => ({ url, tries }));
    expectTypeOf(get).parameters.toEqualTypeOf<[url: string, tries?: number]>();
    expectTypeOf(get).returns.toEqualTypeOf<Promise<{ url: string; tries: number | undefined }>>();
  });

  it('types each event payload by name', () => {
    policy.on('timeout', (event) => expectTypeOf(event).toEqualTypeOf<TimeoutEvent>());
    policy.on('settledAfterTimeout', (event) => {
      expectTypeOf(event).toEqualTypeOf<SettledAfterTimeoutEvent>();
      if (event.status === 'rejected') expectTypeOf(event.reason).toBeUnknown();
    });
    // @ts-expect-error not an event of TimeoutPolicy
    policy.on('retry', () => {});
  });

  it('requires a timeout and refuses unknown options', () => {
    // @ts-expect-error timeout is required
    void new TimeoutPolicy({});
    // @ts-expect-error not an option
    void new TimeoutPolicy({ timeout: 1, retries: 2 });
  });
});
