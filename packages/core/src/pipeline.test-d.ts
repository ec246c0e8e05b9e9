import { describe, expectTypeOf, it } from 'vitest';
import { pipeline, type ExecuteOptions, type Policy } from './pipeline.js';

declare const retry: Policy;
declare const limiter: Policy<ExecuteOptions & { key?: string; cost?: number }>;

describe('pipeline types', () => {
  it("accepts every policy's per-call options", () => {
    const policy = pipeline(retry, limiter);
    expectTypeOf(policy.execute).parameter(1).toEqualTypeOf<
      (ExecuteOptions & { key?: string; cost?: number }) | undefined
    >();
    // @ts-expect-error not an option of any policy in the pipeline
    void policy.execute(() => 1, { color: 'red' });
  });

  it('resolves to what fn returns, unwrapping promises', () => {
    const policy = pipeline(retry);
    expectTypeOf(policy.execute(() => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(policy.execute(async () => 'x')).toEqualTypeOf<Promise<string>>();
  });

  it('wrap keeps the parameters and unwraps the result', () => {
    const get = pipeline(retry).wrap(async (url: string, tries?: number) => ({ url, tries }));
    expectTypeOf(get).parameters.toEqualTypeOf<[url: string, tries?: number]>();
    expectTypeOf(get).returns.toEqualTypeOf<Promise<{ url: string; tries: number | undefined }>>();
  });
});
