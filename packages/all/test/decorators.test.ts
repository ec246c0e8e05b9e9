import { describe, expect, it, vi } from 'vitest';
import {
  CircuitBreaker,
  CircuitOpenError,
  FallbackPolicy,
  ManualClock,
  RateLimiter,
  RetryPolicy,
  TimeoutError,
  TimeoutPolicy,
  withCircuitBreaker,
  withFallback,
  withRateLimit,
  withRetry,
  withTimeout,
  type PolicyDecorator,
} from '../src/index.js';

describe('method decorators', () => {
  it('@withRetry retries the method with its own this and arguments', async () => {
    const clock = new ManualClock();
    class Client {
      calls = 0;
      @withRetry({ maxAttempts: 3, backoff: 'constant', initialDelay: 100, clock })
      async get(path: string): Promise<string> {
        this.calls += 1;
        if (this.calls < 3) throw new Error(`attempt ${this.calls} failed`);
        return `${path} on attempt ${this.calls}`;
      }
    }
    const client = new Client();
    const result = client.get('/users');
    await clock.advance(200);
    await expect(result).resolves.toBe('/users on attempt 3');
    expect(clock.now()).toBe(200);
  });

  it('@withRetry uses a given policy instance', async () => {
    const policy = new RetryPolicy({ maxAttempts: 2, initialDelay: 0 });
    const retries = vi.fn();
    policy.on('retry', retries);
    class Client {
      attempt = 0;
      @withRetry(policy)
      async get(): Promise<number> {
        if (++this.attempt === 1) throw new Error('first fails');
        return this.attempt;
      }
    }
    await expect(new Client().get()).resolves.toBe(2);
    expect(retries).toHaveBeenCalledOnce();
  });

  it('@withCircuitBreaker given options shares one breaker among all instances of the class', async () => {
    class Repository {
      constructor(readonly healthy: boolean) {}
      @withCircuitBreaker({ failureThreshold: 2, resetTimeout: 60_000 })
      async load(): Promise<string> {
        if (!this.healthy) throw new Error('database down');
        return 'rows';
      }
    }
    const broken = new Repository(false);
    const healthy = new Repository(true);
    await expect(broken.load()).rejects.toThrow('database down');
    await expect(broken.load()).rejects.toThrow('database down');
    // The circuit opened for the method, whichever instance calls it.
    await expect(healthy.load()).rejects.toBeInstanceOf(CircuitOpenError);
  });

  /** An object with two methods that one decorator value guards: one fails, one works. */
  function twoMethodsGuardedBy(guard: PolicyDecorator) {
    class Service {
      @guard
      async failing(): Promise<string> {
        throw new Error('down');
      }
      @guard
      async working(): Promise<string> {
        return 'up';
      }
    }
    return new Service();
  }

  it('one decorator value given options, applied to two methods, guards each with a breaker of its own', async () => {
    const service = twoMethodsGuardedBy(withCircuitBreaker({ failureThreshold: 1, resetTimeout: 60_000 }));
    await expect(service.failing()).rejects.toThrow('down');
    await expect(service.failing()).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(service.working()).resolves.toBe('up');
  });

  it('one decorator value given a breaker, applied to two methods, shares it', async () => {
    const service = twoMethodsGuardedBy(withCircuitBreaker(new CircuitBreaker({ failureThreshold: 1 })));
    await expect(service.failing()).rejects.toThrow('down');
    await expect(service.working()).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('@withCircuitBreaker uses a given breaker', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    class Service {
      @withCircuitBreaker(breaker)
      async call(): Promise<void> {
        throw new Error('down');
      }
    }
    await expect(new Service().call()).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
  });

  it('@withRateLimit makes calls over the limit wait their turn', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ maxCalls: 1, timeWindow: 1_000, clock });
    const started: number[] = [];
    class Api {
      @withRateLimit(limiter)
      async send(n: number): Promise<number> {
        started.push(clock.now());
        return n;
      }
    }
    const api = new Api();
    const both = Promise.all([api.send(1), api.send(2)]);
    await clock.advance(1_000);
    await expect(both).resolves.toEqual([1, 2]);
    expect(started).toEqual([0, 1_000]);
  });

  it('@withRateLimit given options builds one limiter per method', async () => {
    const clock = new ManualClock();
    class Api {
      @withRateLimit({ maxCalls: 1, timeWindow: 1_000, maxWait: 0, clock })
      async send(): Promise<string> {
        return 'sent';
      }
    }
    await expect(new Api().send()).resolves.toBe('sent');
    await expect(new Api().send()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('@withTimeout takes milliseconds, options or a policy', async () => {
    const clock = new ManualClock();
    const never = () => new Promise<string>(() => undefined);
    class Slow {
      @withTimeout({ timeout: 50, clock })
      async a(): Promise<string> {
        return never();
      }
      @withTimeout(new TimeoutPolicy({ timeout: 70, clock }))
      async b(): Promise<string> {
        return never();
      }
      @withTimeout(10)
      async fast(): Promise<string> {
        return 'in time';
      }
    }
    const slow = new Slow();
    const a = slow.a();
    const b = slow.b();
    const aRejected = expect(a).rejects.toBeInstanceOf(TimeoutError);
    const bRejected = expect(b).rejects.toMatchObject({ timeout: 70 });
    await clock.advance(70);
    await aRejected;
    await bRejected;
    await expect(slow.fast()).resolves.toBe('in time');
  });

  it('@withFallback reads a plain object as options and anything else as the fallback', async () => {
    class Prices {
      @withFallback([] as number[])
      async list(): Promise<number[]> {
        throw new Error('down');
      }
      @withFallback((error: unknown) => `fallback for ${(error as Error).message}`)
      async label(): Promise<string> {
        throw new Error('label service down');
      }
      @withFallback({ fallback: 0, isFailure: (error: unknown) => error instanceof RangeError })
      async count(kind: 'range' | 'type'): Promise<number> {
        throw kind === 'range' ? new RangeError('out of range') : new TypeError('bad type');
      }
      @withFallback(new FallbackPolicy({ fallback: 'cached' }))
      async cached(): Promise<string> {
        throw new Error('down');
      }
    }
    const prices = new Prices();
    await expect(prices.list()).resolves.toEqual([]);
    await expect(prices.label()).resolves.toBe('fallback for label service down');
    await expect(prices.count('range')).resolves.toBe(0);
    await expect(prices.count('type')).rejects.toBeInstanceOf(TypeError);
    await expect(prices.cached()).resolves.toBe('cached');
  });

  it('stacks in the order written: the top decorator is the outermost', async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    class Service {
      attempts = 0;
      @withFallback('fallback value')
      @withRetry({ maxAttempts: 2, initialDelay: 10, clock })
      @withCircuitBreaker({ failureThreshold: 5, clock })
      async call(): Promise<string> {
        this.attempts += 1;
        log.push(`attempt ${this.attempts}`);
        throw new Error('always fails');
      }
    }
    const service = new Service();
    const result = service.call();
    await clock.advance(10);
    // Retry (inside the fallback) made both attempts through the breaker before the fallback.
    await expect(result).resolves.toBe('fallback value');
    expect(log).toEqual(['attempt 1', 'attempt 2']);
  });

  it('refuses what is neither options nor a policy, and bad options', () => {
    expect(() => withRetry(5 as never)).toThrow(new TypeError('withRetry: expected options or a policy, got 5'));
    expect(() => withTimeout('soon' as never)).toThrow(new TypeError('withTimeout: expected options or a policy, got "soon"'));
    expect(() => withRetry({ maxAttempts: 0 })).toThrow(
      new RangeError('RetryPolicy: maxAttempts must be an integer >= 1, got 0'),
    );
    expect(() => withCircuitBreaker({ failureTreshold: 3 } as never)).toThrow(TypeError);
  });

  it('refuses to decorate anything but a method', () => {
    const decorate = withRetry();
    expect(() =>
      decorate(async () => 1, { kind: 'getter', name: 'x' } as unknown as ClassMethodDecoratorContext<unknown, () => Promise<number>>),
    ).toThrow(new TypeError('withRetry: decorates methods only, got a getter'));
  });
});
