import { afterEach, describe, expect, it } from 'vitest';
import { Child, killChildren, wallNow, type ChildOptions, type Report } from './processes.js';
import { CLIENT_KINDS, redisServer, uniquePrefix, useRedis, type ClientKind } from '@cemaf/test-utils/redis';

/** The bound the tests hold the propagation to: generous, for a loaded 2-core machine. */
const BOUND = 2_000;
/** No process falls back because a busy machine answered late: these tests are about propagation. */
const storeTimeout = 10_000;

const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - wallNow())));
const round = (ms: number) => Math.round(ms * 10) / 10;
const circuitName = (what: string) => uniquePrefix(what).replace(/[{}]/g, '');

describe.skipIf(!redisServer.available)('RedisCircuitBreaker shared by 4 processes', () => {
  const redis = useRedis();
  let children: Child[] = [];
  afterEach(async () => {
    await Promise.all(children.map((child) => child.quit().catch(() => undefined)));
    killChildren();
    children = [];
  });

  const start = async (kind: ClientKind, name: string, options: ChildOptions) => {
    children = await Child.start(4, () => ({ type: 'start', url: redis.url, client: kind, name, options: { storeTimeout, ...options } }));
    return children;
  };
  const reports = () => Promise.all(children.map((child) => child.report()));

  describe.each(CLIENT_KINDS)('%s', (kind) => {
    it('once the threshold is crossed anywhere, all 4 reject within the bound; exactly halfOpenMaxCalls trials run; a trial success closes it for all', async () => {
      await start(kind, circuitName('four'), { failureThreshold: 5, resetTimeout: 1_000, halfOpenMaxCalls: 2, successThreshold: 1 });
      for (const child of children) child.send({ type: 'service', mode: 'down' });
      const begin = wallNow() + 100;
      for (const child of children) child.send({ type: 'run', at: begin, every: 5 });
      // Still open at begin + 600: the service recovers, slowly (300 ms a call), before the trials.
      await sleepUntil(begin + 600);
      for (const child of children) child.send({ type: 'service', mode: 'slow' });
      await sleepUntil(begin + 2_600);
      const seen: Report[] = await reports();

      for (const report of seen) {
        expect(report.errors).toEqual([]);
        expect(report.fallbacks).toBe(0);
      }
      // The threshold is crossed at the 5th failure over all processes (or later, in the order
      // the batches reach Redis): measure every process's delay from there.
      const crossing = seen.flatMap((report) => report.failures).sort((a, b) => a - b)[4]!;
      const heard = seen.map((report) => report.changes.find((change) => change.to === 'open')!.at - crossing);
      const rejected = seen.map((report) => report.rejections.find((rejection) => rejection.at >= crossing)!.at - crossing);
      console.log(
        `[${kind}] from the 5th failure over 4 processes: each process knew the circuit open after ${heard.map(round).join(', ')} ms, ` +
          `and rejected its next call after ${rejected.map(round).join(', ')} ms (calls every 5 ms)`,
      );
      expect(Math.max(...heard)).toBeLessThan(BOUND);
      expect(Math.max(...rejected)).toBeLessThan(BOUND);

      // Half-open: exactly 2 trials over the 4 processes, then the first success closed it.
      const trials = seen.flatMap((report) => report.starts.filter((start) => start.state === 'half-open'));
      expect(trials).toHaveLength(2);
      const halfOpenAt = Math.min(...trials.map((trial) => trial.at));
      const closedAt = seen.map((report) => report.changes.find((change) => change.to === 'closed' && change.at > halfOpenAt)!.at);
      const firstTrialEnd = halfOpenAt + 300;
      console.log(
        `[${kind}] a trial success (one process) closed the circuit for all 4 after ${closedAt.map((at) => round(at - firstTrialEnd)).join(', ')} ms`,
      );
      expect(Math.max(...closedAt) - firstTrialEnd).toBeLessThan(BOUND);
      // Between opening and the trials, no process called the service.
      for (const report of seen) {
        const openedAt = report.changes.find((change) => change.to === 'open')!.at;
        const calls = report.starts.filter((start) => start.at > openedAt + 1 && start.at < halfOpenAt);
        expect(calls).toEqual([]);
        // After it closed, calls go through again.
        expect(report.successes.filter((at) => at > Math.max(...closedAt)).length).toBeGreaterThan(0);
      }
    });

    it('a process killed (SIGKILL) during its trial: its lease runs out, and another process’s trial goes ahead', async () => {
      const leaseTime = 1_500;
      await start(kind, circuitName('killed'), { failureThreshold: 3, resetTimeout: 500, halfOpenMaxCalls: 1, leaseTime });
      for (const child of children) child.send({ type: 'service', mode: 'down' });
      const trialStarted = (candidates: Child[]) =>
        new Promise<{ child: Child; at: number }>((resolve) => {
          const stops = candidates.map((child) =>
            child.on((message) => {
              if (message.type !== 'trial-started') return;
              for (const stop of stops) stop();
              resolve({ child, at: message.at });
            }),
          );
        });
      const firstTrial = trialStarted(children);
      const begin = wallNow() + 50;
      for (const child of children) child.send({ type: 'run', at: begin, every: 10 });
      await sleepUntil(begin + 250);
      // The trial will hang: whoever gets it is killed in the middle of it.
      for (const child of children) child.send({ type: 'service', mode: 'hang' });
      const victim = await firstTrial;
      const survivors = children.filter((child) => child !== victim.child);
      const nextTrial = trialStarted(survivors);
      victim.child.kill();
      const killedAt = wallNow();
      for (const child of survivors) child.send({ type: 'service', mode: 'ok' });
      const next = await nextTrial;
      const waited = next.at - killedAt;
      console.log(`[${kind}] trial of a killed process: another process's trial started ${Math.round(waited)} ms after the kill (leaseTime ${leaseTime} ms)`);
      // The lease was renewed at most leaseTime / 3 before the kill.
      expect(waited).toBeGreaterThan(leaseTime / 2);
      expect(waited).toBeLessThan(leaseTime + BOUND);
      await victim.child.exited;
      children = survivors;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const seen = await reports();
      for (const report of seen) {
        expect(report.errors).toEqual([]);
        expect(report.changes.at(-1)?.to).toBe('closed');
      }
    });
  });
});
