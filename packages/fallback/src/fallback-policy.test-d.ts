import { pipeline, type ExecutionContext, type Policy } from '@cemaf/core';
import { describe, expectTypeOf, it } from 'vitest';
import { FallbackPolicy, type FallbackEvent } from './fallback-policy.js';

interface User {
  readonly id: string;
}
declare function getUser(id: string): Promise<User>;

describe('FallbackPolicy types', () => {
  it('resolves execute of a fn returning T to T | R, for a value fallback', () => {
    const policy = new FallbackPolicy({ fallback: null });
    expectTypeOf(policy).toEqualTypeOf<FallbackPolicy<null>>();
    expectTypeOf(policy.execute(() => getUser('1'))).toEqualTypeOf<Promise<User | null>>();
    expectTypeOf(policy.execute(() => 42)).toEqualTypeOf<Promise<number | null>>();
  });

  it('infers R from what a fallback function returns, promises unwrapped', () => {
    const sync = new FallbackPolicy({ fallback: (error: unknown) => String(error) });
    expectTypeOf(sync.execute(() => 1)).toEqualTypeOf<Promise<number | string>>();
    const async = new FallbackPolicy({ fallback: async (_error: unknown, ctx: ExecutionContext) => ({ cached: ctx.attempt }) });
    expectTypeOf(async.execute(() => true)).toEqualTypeOf<Promise<boolean | { cached: number }>>();
  });

  it('gives the fallback function the failure as unknown and the call context', () => {
    void new FallbackPolicy({
      fallback: (error, ctx) => {
        expectTypeOf(error).toBeUnknown();
        expectTypeOf(ctx).toEqualTypeOf<ExecutionContext>();
        return [];
      },
    });
  });

  it('adds nothing when the fallback has the type of the result', () => {
    const policy = new FallbackPolicy<User[]>({ fallback: [] });
    expectTypeOf(policy.execute(async () => [{ id: '1' }] as User[])).toEqualTypeOf<Promise<User[]>>();
  });

  it('is a Policy that pipeline() takes; there the full result type is given to execute', () => {
    const policy = new FallbackPolicy({ fallback: null });
    expectTypeOf(policy).toExtend<Policy>();
    const guarded = pipeline(policy);
    expectTypeOf(guarded.execute<User | null>(() => getUser('1'))).toEqualTypeOf<Promise<User | null>>();
  });

  it('wrap keeps the parameters and adds R to the result', () => {
    const find = new FallbackPolicy({ fallback: undefined }).wrap(getUser);
    expectTypeOf(find).parameters.toEqualTypeOf<[id: string]>();
    expectTypeOf(find).returns.toEqualTypeOf<Promise<User | undefined>>();
  });

  it('types the fallback event and the options', () => {
    const policy = new FallbackPolicy({ fallback: 0, isFailure: (error) => error instanceof TypeError });
    policy.on('fallback', (event) => expectTypeOf(event).toEqualTypeOf<FallbackEvent>());
    // @ts-expect-error not an event of FallbackPolicy
    policy.on('timeout', () => {});
    // @ts-expect-error fallback is required
    void new FallbackPolicy({});
    // @ts-expect-error isFailure takes the error and returns a boolean
    void new FallbackPolicy({ fallback: 0, isFailure: 'TypeError' });
  });
});
