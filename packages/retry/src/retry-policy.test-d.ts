import { pipeline, type ExecutionContext, type Policy } from '@cemaf/core';
import { describe, expectTypeOf, it } from 'vitest';
import { fullJitter, type Backoff, type BackoffContext } from './backoff.js';
import { parseRetryAfter } from './parse-retry-after.js';
import { RetryBudget } from './retry-budget.js';
import { RetryPolicy, type GiveUpReason, type RetryOptions } from './retry-policy.js';

declare const response: Response;

describe('RetryPolicy types', () => {
  const policy = new RetryPolicy();

  it('infers the result of execute from fn, sync or async', () => {
    expectTypeOf(policy.execute(() => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(policy.execute(async () => 'x')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(policy.execute(({ signal, attempt }) => ({ signal, attempt }))).toEqualTypeOf<
      Promise<{ signal: AbortSignal; attempt: number }>
    >();
    expectTypeOf(policy.execute).parameter(0).parameter(0).toEqualTypeOf<ExecutionContext>();
  });

  it('takes a retryOnResult written for the value type the caller expects', () => {
    const options: RetryOptions = { retryOnResult: (value: Response) => value.status === 503 };
    expectTypeOf(options).toExtend<RetryOptions>();
    expectTypeOf<RetryOptions['retryIf']>().toEqualTypeOf<((error: unknown, attempt: number) => boolean) | undefined>();
  });

  it('takes a backoff kind or function, and refuses other names', () => {
    expectTypeOf({ backoff: 'fibonacci' as const }).toExtend<RetryOptions>();
    expectTypeOf({ backoff: fullJitter() }).toExtend<RetryOptions>();
    expectTypeOf({ backoff: ({ attempt }: BackoffContext) => attempt * 100 }).toExtend<RetryOptions>();
    expectTypeOf({ backoff: 'random' as const }).not.toExtend<RetryOptions>();
    expectTypeOf<Backoff>().returns.toEqualTypeOf<number>();
    expectTypeOf({ budget: new RetryBudget() }).toExtend<RetryOptions>();
  });

  it('types each event payload, and on() returns the unsubscribe function', () => {
    const off = policy.on('retry', (event) => {
      expectTypeOf(event.attempt).toEqualTypeOf<number>();
      expectTypeOf(event.delay).toEqualTypeOf<number>();
      expectTypeOf(event.error).toEqualTypeOf<unknown>();
      expectTypeOf(event.value).toEqualTypeOf<unknown>();
    });
    expectTypeOf(off).toEqualTypeOf<() => void>();
    policy.on('giveUp', (event) => expectTypeOf(event.reason).toEqualTypeOf<GiveUpReason>());
    policy.on('success', (event) => expectTypeOf(event).toEqualTypeOf<{ readonly attempt: number }>());
    // @ts-expect-error: no such event
    policy.on('failure', () => undefined);
  });

  it("wrap keeps fn's parameters and awaits its result", () => {
    const wrapped = policy.wrap((id: string, retries?: number) => Promise.resolve({ id, retries }));
    expectTypeOf(wrapped).toEqualTypeOf<(id: string, retries?: number) => Promise<{ id: string; retries: number | undefined }>>();
  });

  it('is a Policy that pipeline() accepts', () => {
    expectTypeOf(policy).toExtend<Policy>();
    expectTypeOf(pipeline(policy, new RetryPolicy()).execute(() => true)).toEqualTypeOf<Promise<boolean>>();
  });

  it('parseRetryAfter takes what Headers.get returns', () => {
    expectTypeOf(parseRetryAfter(response.headers.get('retry-after'))).toEqualTypeOf<number | undefined>();
  });
});
