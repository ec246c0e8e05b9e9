/**
 * What is measured: one subject per library and job. `make(cemaf)` builds a fresh instance and
 * returns `{ call, target, close? }`, where `call()` runs `fn = async () => 1` once through it; a cemaf
 * subject whose package is not built is skipped. `target` is the instance (the policy, breaker
 * or limiter) whose lifetime the sustained run checks.
 */
import Bottleneck from 'bottleneck';
import {
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  fallback,
  handleAll,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { backOff } from 'exponential-backoff';
import { RateLimiter as TokenLimiter } from 'limiter';
import Opossum from 'opossum';
import pRetry from 'p-retry';
import pThrottle from 'p-throttle';
import { RateLimiterMemory } from 'rate-limiter-flexible';

const HOUR = 3_600_000;
const NO_LIMIT = 1e9;

/**
 * Each subject gets its own `fn = async () => 1`, compiled separately: closures of one literal
 * share code and type feedback, and V8 caches `new Function` by source, hence the serial number.
 */
let serial = 0;
const makeFn = () => new Function(`// fn ${++serial}\nreturn async () => 1`)();
const makeFailingFn = () => async () => {
  throw new Error('down');
};

async function openWith(call) {
  try {
    await call();
  } catch {
    // The failure that opens the circuit.
  }
}

const cemafRetry = (cemaf) => new cemaf.retry.RetryPolicy({ maxAttempts: 3 });
const cemafBreaker = (cemaf) => new cemaf.breaker.CircuitBreaker({ failureThreshold: 5, resetTimeout: 60_000 });
const cemafLimiter = (cemaf, algorithm) =>
  new cemaf.limiter.RateLimiter({ maxCalls: NO_LIMIT, timeWindow: 1_000, ...(algorithm ? { algorithm } : {}) });
const cockatielRetry = () => retry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() });
const cockatielBreaker = () => circuitBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(5) });
const tokenLimiter = () => new TokenLimiter({ tokensPerInterval: NO_LIMIT, interval: 'second' });

/** The baseline every ratio is taken against: `await fn()`. */
export const bare = {
  id: 'bare',
  lib: 'baseline',
  label: 'bare `await fn()`',
  make: () => {
    const fn = makeFn();
    return { call: fn, target: fn };
  },
};

export const happy = {
  retry: [
    {
      id: 'retry.cemaf',
      lib: 'cemaf',
      label: 'cemaf `RetryPolicy`',
      needs: ['retry'],
      make: (cemaf) => {
        const fn = makeFn();
        const policy = cemafRetry(cemaf);
        return { call: () => policy.execute(fn), target: policy };
      },
    },
    {
      id: 'retry.cockatiel',
      lib: 'cockatiel',
      label: 'cockatiel `retry`',
      make: () => {
        const fn = makeFn();
        const policy = cockatielRetry();
        return { call: () => policy.execute(fn), target: policy };
      },
    },
    {
      id: 'retry.p-retry',
      lib: 'p-retry',
      label: 'p-retry',
      make: () => {
        const fn = makeFn();
        return { call: () => pRetry(fn, { retries: 2 }) };
      },
    },
    {
      id: 'retry.exponential-backoff',
      lib: 'exponential-backoff',
      label: 'exponential-backoff `backOff`',
      make: () => {
        const fn = makeFn();
        return { call: () => backOff(fn, { numOfAttempts: 3 }) };
      },
    },
  ],
  breaker: [
    {
      id: 'breaker.cemaf',
      lib: 'cemaf',
      label: 'cemaf `CircuitBreaker` (closed)',
      needs: ['breaker'],
      make: (cemaf) => {
        const fn = makeFn();
        const breaker = cemafBreaker(cemaf);
        return { call: () => breaker.execute(fn), target: breaker };
      },
    },
    {
      id: 'breaker.cockatiel',
      lib: 'cockatiel',
      label: 'cockatiel `circuitBreaker` (closed)',
      make: () => {
        const fn = makeFn();
        const breaker = cockatielBreaker();
        return { call: () => breaker.execute(fn), target: breaker };
      },
    },
    {
      id: 'breaker.opossum',
      lib: 'opossum',
      label: 'opossum (closed, default options)',
      make: () => {
        const breaker = new Opossum(makeFn(), { resetTimeout: 60_000 });
        return { call: () => breaker.fire(), close: () => breaker.shutdown(), target: breaker };
      },
    },
    {
      id: 'breaker.opossum-no-timeout',
      lib: 'opossum',
      label: 'opossum (closed, `timeout: false`)',
      make: () => {
        const breaker = new Opossum(makeFn(), { resetTimeout: 60_000, timeout: false });
        return { call: () => breaker.fire(), close: () => breaker.shutdown(), target: breaker };
      },
    },
  ],
  limiter: [
    {
      id: 'limiter.cemaf-sliding',
      lib: 'cemaf',
      label: 'cemaf `RateLimiter` (sliding window)',
      needs: ['limiter'],
      make: (cemaf) => {
        const fn = makeFn();
        const limiter = cemafLimiter(cemaf);
        return { call: () => limiter.execute(fn), target: limiter };
      },
    },
    {
      id: 'limiter.cemaf-token',
      lib: 'cemaf',
      label: 'cemaf `RateLimiter` (token bucket)',
      needs: ['limiter'],
      make: (cemaf) => {
        const fn = makeFn();
        const limiter = cemafLimiter(cemaf, 'token-bucket');
        return { call: () => limiter.execute(fn), target: limiter };
      },
    },
    {
      id: 'limiter.limiter',
      lib: 'limiter',
      label: 'limiter `removeTokens(1)` then `fn()`',
      make: () => {
        const fn = makeFn();
        const limiter = tokenLimiter();
        return {
          call: async () => {
            await limiter.removeTokens(1);
            return fn();
          },
          target: limiter,
        };
      },
    },
    {
      id: 'limiter.rate-limiter-flexible',
      lib: 'rate-limiter-flexible',
      label: 'rate-limiter-flexible `consume` then `fn()`',
      make: () => {
        const fn = makeFn();
        const limiter = new RateLimiterMemory({ points: NO_LIMIT, duration: 1 });
        return {
          call: async () => {
            await limiter.consume('key');
            return fn();
          },
          target: limiter,
        };
      },
    },
    {
      id: 'limiter.p-throttle',
      lib: 'p-throttle',
      label: 'p-throttle',
      make: () => {
        const throttled = pThrottle({ limit: NO_LIMIT, interval: 1_000 })(makeFn());
        return { call: () => throttled(), target: throttled };
      },
    },
    {
      id: 'limiter.bottleneck',
      lib: 'bottleneck',
      label: 'bottleneck `schedule` (no limits)',
      make: () => {
        const fn = makeFn();
        const limiter = new Bottleneck();
        return { call: () => limiter.schedule(fn), close: () => limiter.disconnect(), target: limiter };
      },
    },
  ],
  pipeline: [
    {
      id: 'pipeline.cemaf',
      lib: 'cemaf',
      label: 'cemaf `pipeline(retry, breaker, limiter)`',
      needs: ['core', 'retry', 'breaker', 'limiter'],
      make: (cemaf) => {
        const fn = makeFn();
        const policy = cemaf.core.pipeline(cemafRetry(cemaf), cemafBreaker(cemaf), cemafLimiter(cemaf));
        return { call: () => policy.execute(fn), target: policy };
      },
    },
    {
      id: 'pipeline.cemaf-nested',
      lib: 'cemaf',
      label: 'cemaf retry → breaker → limiter, nested by hand',
      needs: ['retry', 'breaker', 'limiter'],
      make: (cemaf) => {
        const fn = makeFn();
        const outer = cemafRetry(cemaf);
        const middle = cemafBreaker(cemaf);
        const inner = cemafLimiter(cemaf);
        return { call: () => outer.execute(() => middle.execute(() => inner.execute(fn))), target: middle };
      },
    },
    {
      id: 'pipeline.cockatiel-wrap',
      lib: 'cockatiel',
      label: 'cockatiel `wrap(retry, breaker)` + limiter `removeTokens`',
      make: () => {
        const fn = makeFn();
        const policy = wrap(cockatielRetry(), cockatielBreaker());
        const limiter = tokenLimiter();
        const limited = async () => {
          await limiter.removeTokens(1);
          return fn();
        };
        return { call: () => policy.execute(limited), target: policy };
      },
    },
    {
      id: 'pipeline.cockatiel-wrap-2',
      lib: 'cockatiel',
      label: 'cockatiel `wrap(retry, breaker)` (no limiter)',
      make: () => {
        const fn = makeFn();
        const policy = wrap(cockatielRetry(), cockatielBreaker());
        return { call: () => policy.execute(fn), target: policy };
      },
    },
    {
      id: 'pipeline.cockatiel-nested',
      lib: 'cockatiel',
      label: 'cockatiel retry → breaker, nested by hand',
      make: () => {
        const fn = makeFn();
        const outer = cockatielRetry();
        const inner = cockatielBreaker();
        return { call: () => outer.execute(() => inner.execute(fn)), target: inner };
      },
    },
    {
      id: 'pipeline.peers-nested',
      lib: 'p-retry + opossum + limiter',
      label: 'p-retry → opossum → limiter, nested by hand',
      make: () => {
        const fn = makeFn();
        const limiter = tokenLimiter();
        const breaker = new Opossum(
          async () => {
            await limiter.removeTokens(1);
            return fn();
          },
          { resetTimeout: 60_000 },
        );
        const fire = () => breaker.fire();
        return { call: () => pRetry(fire, { retries: 2 }), close: () => breaker.shutdown(), target: breaker };
      },
    },
  ],
  timeout: [
    {
      id: 'timeout.cemaf',
      lib: 'cemaf',
      label: 'cemaf `TimeoutPolicy` (10 s, never reached)',
      needs: ['timeout'],
      make: (cemaf) => {
        const fn = makeFn();
        const policy = new cemaf.timeout.TimeoutPolicy({ timeout: 10_000 });
        return { call: () => policy.execute(fn), target: policy };
      },
    },
    {
      id: 'timeout.cockatiel',
      lib: 'cockatiel',
      label: 'cockatiel `timeout` (10 s, cooperative)',
      make: () => {
        const fn = makeFn();
        const policy = timeout(10_000, TimeoutStrategy.Cooperative);
        return { call: () => policy.execute(fn), target: policy };
      },
    },
  ],
  fallback: [
    {
      id: 'fallback.cemaf',
      lib: 'cemaf',
      label: 'cemaf `FallbackPolicy` (not used)',
      needs: ['fallback'],
      make: (cemaf) => {
        const fn = makeFn();
        const policy = new cemaf.fallback.FallbackPolicy({ fallback: 0 });
        return { call: () => policy.execute(fn), target: policy };
      },
    },
    {
      id: 'fallback.cockatiel',
      lib: 'cockatiel',
      label: 'cockatiel `fallback` (not used)',
      make: () => {
        const fn = makeFn();
        const policy = fallback(handleAll, 0);
        return { call: () => policy.execute(fn), target: policy };
      },
    },
  ],
};

/** An open breaker rejecting: `fn` is never called. */
export const failFast = [
  {
    id: 'open.cemaf',
    lib: 'cemaf',
    label: 'cemaf `CircuitBreaker` (open)',
    needs: ['breaker'],
    make: async (cemaf) => {
      const breaker = new cemaf.breaker.CircuitBreaker({ failureThreshold: 1, resetTimeout: HOUR });
      await openWith(() => breaker.execute(makeFailingFn()));
      const fn = makeFn();
      return { call: () => breaker.execute(fn), target: breaker };
    },
  },
  {
    id: 'open.cockatiel',
    lib: 'cockatiel',
    label: 'cockatiel `circuitBreaker` (open)',
    make: async () => {
      const breaker = circuitBreaker(handleAll, { halfOpenAfter: HOUR, breaker: new ConsecutiveBreaker(1) });
      await openWith(() => breaker.execute(makeFailingFn()));
      const fn = makeFn();
      return { call: () => breaker.execute(fn), target: breaker };
    },
  },
  {
    id: 'open.opossum',
    lib: 'opossum',
    label: 'opossum (open)',
    make: () => {
      const breaker = new Opossum(makeFn(), { resetTimeout: HOUR });
      breaker.open();
      return { call: () => breaker.fire(), close: () => breaker.shutdown(), target: breaker };
    },
  },
  {
    id: 'open.throw',
    lib: 'baseline',
    label: 'bare `throw new Error()` in an async fn, caught',
    make: () => {
      const fn = async () => {
        throw new Error('Circuit is open');
      };
      return { call: fn };
    },
  },
];

/** Every subject that needs a cemaf package which is not built is dropped, with its reason. */
export function available(subjects, cemaf) {
  const ready = [];
  const skipped = [];
  for (const subject of subjects) {
    const missing = (subject.needs ?? []).filter((name) => !cemaf[name]);
    if (missing.length === 0) ready.push(subject);
    else skipped.push({ id: subject.id, label: subject.label, missing });
  }
  return { ready, skipped };
}
