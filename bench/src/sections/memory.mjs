/**
 * Heap bytes per key of a keyed limiter (100 000 keys, one permit taken on each) and per circuit
 * breaker instance (10 000 instances, one successful call each). Each row runs in its own child
 * process with `--expose-gc`; the figure is the settled heap growth divided by the count, the
 * keys themselves included, the limiter's or the array's fixed cost excluded.
 */
import Bottleneck from 'bottleneck';
import { circuitBreaker, ConsecutiveBreaker, handleAll } from 'cockatiel';
import Opossum from 'opossum';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { loadCemaf } from '../cemaf.mjs';

const KEYED = { maxCalls: 10, timeWindow: 60_000 };
const fn = async () => 1;

export const KEYED_ROWS = [
  {
    id: 'keys.map',
    lib: 'baseline',
    label: 'bare `Map` of the same keys (`map.set(key, 1)`)',
    make: () => {
      const map = new Map();
      return { keep: map, take: (key) => map.set(key, 1) };
    },
  },
  ...['token-bucket', 'sliding-window', 'fixed-window'].map((algorithm) => ({
    id: `keys.cemaf-${algorithm}`,
    lib: 'cemaf',
    label: `cemaf \`RateLimiter\` (${algorithm}), \`tryAcquire({ key })\``,
    needs: ['limiter'],
    make: (cemaf) => {
      const limiter = new cemaf.limiter.RateLimiter({ ...KEYED, algorithm });
      return { keep: limiter, take: (key) => limiter.tryAcquire({ key }) };
    },
  })),
  {
    id: 'keys.rate-limiter-flexible',
    lib: 'rate-limiter-flexible',
    label: 'rate-limiter-flexible `RateLimiterMemory`, `consume(key)`',
    make: () => {
      const limiter = new RateLimiterMemory({ points: KEYED.maxCalls, duration: KEYED.timeWindow / 1_000 });
      return { keep: limiter, take: (key) => limiter.consume(key) };
    },
  },
  {
    id: 'keys.bottleneck-group',
    lib: 'bottleneck',
    // Scheduling a job takes bottleneck about 5 ms of timers, so only the per-key limiter that
    // `key()` makes is counted: a lower bound.
    label: 'bottleneck `Group` (reservoir 10), `key(key)` only (lower bound), 10 000 keys',
    count: 10_000,
    make: () => {
      const group = new Bottleneck.Group({ reservoir: KEYED.maxCalls });
      return {
        keep: group,
        take: (key) => group.key(key),
        close: () => group.disconnect(),
      };
    },
  },
];

export const BREAKER_ROWS = [
  {
    id: 'breakers.cemaf',
    lib: 'cemaf',
    label: 'cemaf `CircuitBreaker`',
    needs: ['breaker'],
    make: (cemaf) => new cemaf.breaker.CircuitBreaker({ failureThreshold: 5, resetTimeout: 60_000 }),
    call: (breaker) => breaker.execute(fn),
  },
  {
    id: 'breakers.cockatiel',
    lib: 'cockatiel',
    label: 'cockatiel `circuitBreaker` + `ConsecutiveBreaker`',
    make: () => circuitBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(5) }),
    call: (breaker) => breaker.execute(fn),
  },
  {
    id: 'breakers.opossum',
    lib: 'opossum',
    label: 'opossum `CircuitBreaker`',
    make: () => new Opossum(fn, { resetTimeout: 60_000 }),
    call: (breaker) => breaker.fire(),
    close: (breaker) => breaker.shutdown(),
  },
];

function settledHeap() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
}

async function perKey(row, cemaf, count) {
  const limiter = row.make(cemaf);
  await limiter.take('warm-up');
  const before = settledHeap();
  for (let i = 0; i < count; i++) await limiter.take(`user:${i}`);
  const after = settledHeap();
  await limiter.close?.();
  return { bytes: (after - before) / count, count };
}

async function perInstance(row, cemaf, count) {
  const instances = new Array(count).fill(null);
  const before = settledHeap();
  for (let i = 0; i < count; i++) {
    instances[i] = row.make(cemaf);
    await row.call(instances[i]);
  }
  const after = settledHeap();
  for (const instance of instances) await row.close?.(instance);
  return { bytes: (after - before) / count, count };
}

export async function measure({ id }) {
  const cemaf = await loadCemaf();
  const keyed = KEYED_ROWS.find((row) => row.id === id);
  if (keyed) return { id, ...(await perKey(keyed, cemaf, keyed.count ?? 100_000)) };
  const breaker = BREAKER_ROWS.find((row) => row.id === id);
  if (breaker) return { id, ...(await perInstance(breaker, cemaf, 10_000)) };
  throw new Error(`unknown memory row ${id}`);
}
