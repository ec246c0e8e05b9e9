// A child process for the multi-process tests: one RedisCircuitBreaker in front of a service
// whose behaviour the parent sets, called on a steady beat until the parent says stop; it reports
// what happened, in wall-clock ms. Bundled by test/processes.ts with esbuild and run with
// child_process.fork.
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { RedisCircuitBreaker } from '../../src/index.js';
import type { FromChild, Report, ServiceMode, ToChild } from '../processes.js';

const wallNow = () => performance.timeOrigin + performance.now();
const send = (message: FromChild) => process.send!(message);

let breaker: RedisCircuitBreaker | undefined;
let close: (() => Promise<unknown>) | undefined;
let mode: ServiceMode = 'ok';
let beat: ReturnType<typeof setTimeout> | undefined;
const report: Report = { failures: [], rejections: [], successes: [], starts: [], changes: [], fallbacks: 0, errors: [] };

/** The service: what the parent says it is right now. */
function service(): Promise<string> {
  const at = wallNow();
  const state = breaker!.state;
  report.starts.push({ at, state });
  if (state === 'half-open') send({ type: 'trial-started', at });
  switch (mode) {
    case 'down':
      return Promise.reject(new Error('service down'));
    case 'slow':
      return new Promise((resolve) => setTimeout(() => resolve('slow ok'), 300));
    case 'hang':
      return new Promise(() => undefined);
    default:
      return Promise.resolve('ok');
  }
}

function call(): void {
  breaker!.execute(service).then(
    () => report.successes.push(wallNow()),
    (error: { code?: string; retryAfter?: number; message?: string }) => {
      if (error.code === 'CIRCUIT_OPEN') report.rejections.push({ at: wallNow(), retryAfter: error.retryAfter ?? NaN });
      else if (error.message === 'service down') report.failures.push(wallNow());
      else report.errors.push(error.message ?? 'a failure that is not an Error');
    },
  );
}

process.on('message', (message: ToChild) => {
  void (async () => {
    switch (message.type) {
      case 'start': {
        let client: unknown;
        if (message.client === 'ioredis') {
          const ioredis = new Redis(message.url);
          client = ioredis;
          close = () => ioredis.quit();
        } else {
          const nodeRedis = createClient({ url: message.url });
          nodeRedis.on('error', () => undefined);
          await nodeRedis.connect();
          client = nodeRedis;
          close = () => nodeRedis.quit();
        }
        breaker = new RedisCircuitBreaker({ redis: client as never, name: message.name, ...message.options });
        breaker.on('stateChange', ({ from, to }) => report.changes.push({ at: wallNow(), from, to }));
        breaker.on('fallback', () => report.fallbacks++);
        // Ready once the breaker has its first answer from Redis and its subscription.
        while (breaker.stats().inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 1));
        await new Promise((resolve) => setTimeout(resolve, 50));
        send({ type: 'ready' });
        break;
      }
      case 'service':
        mode = message.mode;
        break;
      case 'run': {
        const tick = () => {
          call();
          beat = setTimeout(tick, message.every);
        };
        const wait = message.at - wallNow();
        beat = setTimeout(tick, Math.max(0, wait));
        break;
      }
      case 'stop':
        clearTimeout(beat);
        beat = undefined;
        send({ type: 'report', report });
        break;
      case 'quit':
        await breaker?.close();
        await close?.();
        process.exit(0);
    }
  })().catch((error: unknown) => {
    report.errors.push(String(error));
  });
});
