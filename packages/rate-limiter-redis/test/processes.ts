import { bundledScript, forkChild, wallNow } from '@cemaf/test-utils/child-processes';
import type { RateLimitDecision } from '../src/index.js';
import type { RedisRateLimiterOptions } from '../src/index.js';

/** What a child does. */
export interface Job {
  readonly url: string;
  readonly client: 'ioredis' | 'node-redis';
  readonly prefix: string;
  readonly key: string;
  readonly options: Omit<RedisRateLimiterOptions, 'redis' | 'prefix' | 'clock'>;
  /** Limiters (each its own owner) calling concurrently in the child. */
  readonly workers: number;
  /** What each call is: drawn at random. `'abort'` is an acquire that aborts after `abortAfter` ms. */
  readonly kinds: readonly ('try' | 'acquire' | 'abort')[];
  readonly costs: readonly number[];
  readonly abortAfter?: number;
  /** Calls per worker at most. */
  readonly calls?: number;
  /** Ms added to this process's own time source (performance.now and Date.now). */
  readonly skew: number;
  /** Decide on the child's own (skewed) clock instead of the server's time. */
  readonly callerClock: boolean;
  readonly seed: number;
}

/** A granted call; the permit counted at a server time within [lo, hi] (true wall ms). */
export interface Grant {
  readonly worker: number;
  readonly kind: string;
  readonly cost: number;
  readonly lo: number;
  readonly hi: number;
  readonly decision?: RateLimitDecision;
}

/** A refused (or aborted) call. */
export interface Refusal extends Grant {
  readonly aborted?: boolean;
}

export interface Outcome {
  readonly grants: Grant[];
  readonly refusals: Refusal[];
  readonly errors: string[];
}

export type ToChild = { type: 'job'; job: Job } | { type: 'go'; until: number };
type FromChild = { type: 'ready' } | { type: 'done'; outcome: Outcome };

export { killChildren, wallNow } from '@cemaf/test-utils/child-processes';

const childScript = bundledScript(new URL('./children/hammer.ts', import.meta.url));

/**
 * Runs one child per job, all started together once every one is connected and ready, for
 * `duration` ms (or until each worker made its calls). Resolves with their outcomes.
 */
export async function runChildren(jobs: readonly Job[], duration: number): Promise<Outcome[]> {
  const script = await childScript();
  const children = jobs.map((job) => {
    const child = forkChild(script);
    const ready = new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.on('message', (message: FromChild) => {
        if (message.type === 'ready') resolve();
      });
    });
    const done = new Promise<Outcome>((resolve, reject) => {
      child.on('message', (message: FromChild) => {
        if (message.type === 'done') resolve(message.outcome);
      });
      child.once('exit', (code) => reject(new Error(`child exited with code ${String(code)} before reporting`)));
    });
    done.catch(() => undefined);
    child.send({ type: 'job', job } satisfies ToChild);
    return { child, ready, done };
  });
  await Promise.all(children.map(({ ready }) => ready));
  const until = wallNow() + duration;
  for (const { child } of children) child.send({ type: 'go', until } satisfies ToChild);
  return Promise.all(children.map(({ done }) => done));
}

/**
 * Sliding window, checked soundly on uncertain times: for each grant, the grants that surely
 * fall in [its time, its time + window) must not hold more than `maxCalls` permits. Returns the
 * largest such sum.
 */
export function fullestSlidingWindow(grants: readonly Grant[], window: number): number {
  const sorted = [...grants].sort((a, b) => a.lo - b.lo);
  let fullest = 0;
  for (const first of sorted) {
    let sum = first.cost;
    for (const other of sorted) {
      if (other !== first && other.lo >= first.hi && other.hi < first.lo + window) sum += other.cost;
    }
    fullest = Math.max(fullest, sum);
  }
  return fullest;
}

/**
 * Token bucket, checked soundly on uncertain times: the permits surely taken within any span
 * stay within `burst` plus the refill over the span. Returns the largest excess (<= 0 is right).
 */
export function tokenBucketExcess(grants: readonly Grant[], rate: number, burst: number): number {
  const byHi = [...grants].sort((a, b) => a.hi - b.hi);
  let excess = -Infinity;
  for (const first of grants) {
    let sum = 0;
    for (const grant of byHi) {
      if (grant.lo < first.lo) continue;
      sum += grant.cost;
      excess = Math.max(excess, sum - burst - rate * (grant.hi - first.lo));
    }
  }
  return excess;
}

/**
 * Fixed window, from `tryAcquire` grants: each one's window ends `resetAfter` after it, so grants
 * whose ends lie within `window / 2` of each other share a window. Returns the fullest window.
 */
export function fullestFixedWindow(grants: readonly Grant[], window: number): number {
  const ends = grants
    .filter((grant) => grant.decision !== undefined)
    .map((grant) => ({ end: (grant.lo + grant.hi) / 2 + grant.decision!.resetAfter, cost: grant.cost }))
    .sort((a, b) => a.end - b.end);
  let fullest = 0;
  let start = -Infinity;
  let sum = 0;
  for (const { end, cost } of ends) {
    if (end - start > window / 2) {
      start = end;
      sum = 0;
    }
    sum += cost;
    fullest = Math.max(fullest, sum);
  }
  return fullest;
}
