import { describe, expectTypeOf, it } from 'vitest';
import { withCircuitBreaker, withFallback, withRetry, withTimeout } from '../src/index.js';

describe('decorator types', () => {
  it('a decorated method keeps its parameters and its result type', () => {
    class Client {
      @withRetry({ maxAttempts: 3 })
      @withCircuitBreaker()
      @withTimeout(1_000)
      async get(path: string, retries?: number): Promise<{ path: string; retries: number | undefined }> {
        return { path, retries };
      }
    }
    expectTypeOf<Client['get']>().parameters.toEqualTypeOf<[path: string, retries?: number]>();
    expectTypeOf<Client['get']>().returns.toEqualTypeOf<Promise<{ path: string; retries: number | undefined }>>();
  });

  it('takes a fallback of the result type, and refuses one of another type', () => {
    class Prices {
      @withFallback([] as number[])
      async list(): Promise<number[]> {
        return [1];
      }

      // @ts-expect-error a string is no number[]
      @withFallback('none')
      async other(): Promise<number[]> {
        return [];
      }
    }
    expectTypeOf<Prices['list']>().returns.toEqualTypeOf<Promise<number[]>>();
  });

  it('refuses a method that does not return a promise', () => {
    class Sync {
      // @ts-expect-error the decorators guard asynchronous methods
      @withRetry()
      now(): number {
        return 1;
      }
    }
    expectTypeOf<Sync['now']>().returns.toEqualTypeOf<number>();
  });
});
