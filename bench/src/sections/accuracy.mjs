/**
 * 1 000 calls offered to a limiter of 100 calls per second, starting 300 ms after it was built:
 * queued (all offered at once, each waits its turn) and unqueued (one offered every 2 ms, i.e.
 * 500 per second, refused when no permit is free). A call is admitted when `fn` starts; the
 * figure is the most admissions in any 1 s interval [t, t + 1000 ms). One child per row.
 *
 * Two clocks: virtual time (the globals replaced, see virtual-time.mjs) shows what each
 * algorithm admits, exactly and in a second or two; real time shows what a downstream service
 * sees on this machine, event-loop lateness included (with how long offering the calls took).
 */
import { setTimeout as realSleep } from 'node:timers/promises';
import { loadCemaf } from '../cemaf.mjs';
import { maxInAnyInterval } from '../lib/stats.mjs';
import { installVirtualTime } from '../lib/virtual-time.mjs';

const LIMIT = 100;
const WINDOW = 1_000;
const OFFERED = 1_000;
const START_AFTER = 300;
const UNQUEUED_SPACING = 2;

const refused = () => Promise.reject(new Error('refused'));

/** Imported only after virtual time is installed, so every library sees the virtual globals. */
async function loadPeers() {
  const [bottleneck, limiter, pThrottle, flexible] = await Promise.all([
    import('bottleneck'),
    import('limiter'),
    import('p-throttle'),
    import('rate-limiter-flexible'),
  ]);
  return {
    Bottleneck: bottleneck.default,
    TokenLimiter: limiter.RateLimiter,
    pThrottle: pThrottle.default,
    RateLimiterMemory: flexible.RateLimiterMemory ?? flexible.default.RateLimiterMemory,
    RateLimiterQueue: flexible.RateLimiterQueue ?? flexible.default.RateLimiterQueue,
  };
}

/**
 * `make({ cemaf, peers }, mode)` builds the limiter and returns `offer(fn)`, a promise for one
 * call through it; a mode the library does not have returns null.
 */
export const ACCURACY_ROWS = [
  ...['sliding-window', 'token-bucket', 'fixed-window'].map((algorithm) => ({
    id: `accuracy.cemaf-${algorithm}`,
    lib: 'cemaf',
    label: `cemaf \`RateLimiter\` (${algorithm})`,
    needs: ['limiter'],
    make: ({ cemaf }, mode) => {
      const limiter = new cemaf.limiter.RateLimiter({
        maxCalls: LIMIT,
        timeWindow: WINDOW,
        algorithm,
        ...(mode === 'unqueued' ? { maxWait: 0 } : {}),
      });
      return (fn) => limiter.execute(fn);
    },
  })),
  {
    id: 'accuracy.limiter',
    lib: 'limiter',
    label: 'limiter `RateLimiter` (token bucket + interval count)',
    make: ({ peers }, mode) => {
      const limiter = new peers.TokenLimiter({ tokensPerInterval: LIMIT, interval: WINDOW });
      if (mode === 'queued') return (fn) => limiter.removeTokens(1).then(fn);
      return (fn) => (limiter.tryRemoveTokens(1) ? Promise.resolve().then(fn) : refused());
    },
  },
  {
    id: 'accuracy.rate-limiter-flexible',
    lib: 'rate-limiter-flexible',
    label: 'rate-limiter-flexible `RateLimiterMemory` (fixed window; queued: `RateLimiterQueue`)',
    make: ({ peers }, mode) => {
      const limiter = new peers.RateLimiterMemory({ points: LIMIT, duration: WINDOW / 1_000 });
      if (mode === 'unqueued') return (fn) => limiter.consume('key').then(fn);
      const queue = new peers.RateLimiterQueue(limiter, { maxQueueSize: OFFERED });
      return (fn) => queue.removeTokens(1).then(fn);
    },
  },
  {
    id: 'accuracy.bottleneck-reservoir',
    lib: 'bottleneck',
    label: 'bottleneck (reservoir 100, refreshed every 1 000 ms)',
    make: ({ peers: { Bottleneck } }, mode) => {
      const limiter = new Bottleneck({
        reservoir: LIMIT,
        reservoirRefreshAmount: LIMIT,
        reservoirRefreshInterval: WINDOW,
        ...(mode === 'unqueued' ? { highWater: 0, strategy: Bottleneck.strategy.OVERFLOW } : {}),
      });
      return (fn) => limiter.schedule(fn);
    },
  },
  {
    id: 'accuracy.bottleneck-mintime',
    lib: 'bottleneck',
    label: 'bottleneck (`minTime: 10`)',
    make: ({ peers: { Bottleneck } }, mode) => {
      const limiter = new Bottleneck({
        minTime: WINDOW / LIMIT,
        ...(mode === 'unqueued' ? { highWater: 0, strategy: Bottleneck.strategy.OVERFLOW } : {}),
      });
      return (fn) => limiter.schedule(fn);
    },
  },
  ...[false, true].map((strict) => ({
    id: `accuracy.p-throttle${strict ? '-strict' : ''}`,
    lib: 'p-throttle',
    label: `p-throttle${strict ? ' (`strict: true`)' : ' (default)'}`,
    make: ({ peers }, mode) => {
      if (mode === 'unqueued') return null;
      const throttle = peers.pThrottle({ limit: LIMIT, interval: WINDOW, strict });
      return (fn) => throttle(fn)();
    },
  })),
];

/** Offers the calls and returns, for each, whether it was admitted; `now()` reads the run's clock. */
function offerAll(offer, mode, now, fn, schedule) {
  const calls = [];
  const settle = (call) =>
    call.then(
      () => true,
      () => false,
    );
  for (let i = 0; i < OFFERED; i++) {
    if (mode === 'queued' || i === 0) calls.push(settle(offer(fn)));
    else calls.push(schedule(i * UNQUEUED_SPACING).then(() => settle(offer(fn))));
  }
  return Promise.all(calls);
}

async function runVirtual(row, mode) {
  const clock = installVirtualTime();
  const cemaf = await loadCemaf();
  const peers = await loadPeers();
  const built = clock.now();
  const offer = row.make({ cemaf, peers }, mode);
  if (!offer) return undefined;
  await clock.advance(START_AFTER);
  const start = clock.now();
  const admitted = [];
  const fn = () => {
    admitted.push(clock.now() - start);
    return 1;
  };
  const schedule = (at) => new Promise((resolve) => setTimeout(resolve, start + at - clock.now()));
  let outcomes;
  const done = offerAll(offer, mode, clock.now, fn, schedule).then((result) => (outcomes = result));
  // Virtual time only moves here: in steps, until every call has settled (or 60 s have passed).
  while (!outcomes && clock.now() - start < 60_000) await clock.advance(50);
  await done;
  return { startedAfterMs: start - built, admitted, outcomes };
}

async function runReal(row, mode) {
  const cemaf = await loadCemaf();
  const peers = await loadPeers();
  const built = performance.now();
  const offer = row.make({ cemaf, peers }, mode);
  if (!offer) return undefined;
  await realSleep(Math.max(0, built + START_AFTER - performance.now()));
  const start = performance.now();
  const admitted = [];
  const fn = () => {
    admitted.push(performance.now() - start);
    return 1;
  };
  const schedule = (at) => realSleep(Math.max(0, start + at - performance.now()));
  const offering = offerAll(offer, mode, () => performance.now(), fn, schedule);
  const offeredInMs = performance.now() - start;
  const outcomes = await offering;
  return { startedAfterMs: start - built, admitted, outcomes, offeredInMs };
}

export async function measure({ id, mode, time }) {
  const row = ACCURACY_ROWS.find((candidate) => candidate.id === id);
  const run = await (time === 'virtual' ? runVirtual(row, mode) : runReal(row, mode));
  if (!run) return { id, mode, time, supported: false };
  const { admitted, outcomes, ...rest } = run;
  if (process.env.BENCH_DEBUG) rest.admittedAt = admitted.map((at) => Math.round(at));
  return {
    id,
    mode,
    time,
    supported: true,
    ...rest,
    admitted: admitted.length,
    refused: outcomes.filter((ok) => !ok).length,
    maxInAnyWindow: maxInAnyInterval(admitted, WINDOW),
    lastAdmissionMs: Math.max(...admitted),
  };
}
