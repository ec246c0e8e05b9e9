/**
 * The targets of the issue, checked against a report. `met` is true, false, or null when the
 * cemaf package is not built yet. Speed is reported, never asserted in the tests.
 */
import { median } from './lib/stats.mjs';

const findRow = (groups, id) => groups?.flatMap((group) => group.rows).find((row) => row.id === id && !row.skipped);

/** Per-round `of / by` ns, median: how many times faster `by` is than `of`. */
export function speedup(groups, of, by) {
  const slow = findRow(groups, of);
  const fast = findRow(groups, by);
  if (!slow || !fast) return undefined;
  const ratios = slow.ns.map((value, index) => value / fast.ns[index]);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

// The bare loop's own heap growth over 2.5 s is tens of KiB (code, feedback, IC state).
export const RETAINED_TOLERANCE = 256 * 1024;

export function evaluateTargets(report) {
  const targets = [];
  const check = (area, target, measured, met, shown) =>
    targets.push({ area, target, measured: measured ?? null, shown: measured === undefined ? 'not built' : shown, met: measured === undefined ? null : met });

  const overhead = report.overhead?.groups;
  if (overhead) {
    for (const [id, what, limit] of [
      ['retry.cemaf', 'retry, first attempt succeeds', 1.5],
      ['breaker.cemaf', 'breaker, closed', 1.5],
      ['limiter.cemaf-sliding', 'limiter (sliding window), nothing waits', 1.5],
      ['limiter.cemaf-token', 'limiter (token bucket), nothing waits', 1.5],
      ['pipeline.cemaf', '`pipeline(retry, breaker, limiter)`', 2.5],
    ]) {
      const ratio = findRow(overhead, id)?.ratio.median;
      check('happy path', `${what}: ≤ ${limit}× bare \`await fn()\``, ratio, ratio <= limit, `${ratio?.toFixed(2)}×`);
    }
    for (const peer of ['cockatiel', 'opossum']) {
      const faster = speedup(overhead, `open.${peer}`, 'open.cemaf')?.median;
      check('fail fast', `open-breaker rejection ≥ 3× faster than ${peer}`, faster, faster >= 3, `${faster?.toFixed(2)}× faster`);
    }
  }

  const sustained = report.sustained?.rows;
  if (sustained) {
    for (const id of ['retry.cemaf', 'breaker.cemaf', 'limiter.cemaf-sliding', 'limiter.cemaf-token', 'pipeline.cemaf']) {
      const row = sustained.find((candidate) => candidate.id === id && !candidate.skipped);
      const stall = row?.maxStallMs;
      check('sustained', `${id}: no event-loop stall over 5 ms`, stall, stall <= 5, `${stall?.toFixed(1)} ms`);
      const kept = row && Math.max(row.heapGrowthBytes, 0);
      check(
        'sustained',
        `${id}: nothing retained (heap growth < ${RETAINED_TOLERANCE / 1024} KiB, no timer left)`,
        kept,
        kept < RETAINED_TOLERANCE && row?.timersLeft === 0,
        row && `${(row.heapGrowthBytes / 1024).toFixed(0)} KiB, ${row.timersLeft} timers`,
      );
    }
  }

  const memory = report.memory;
  if (memory) {
    const perKey = memory.keyed.find((row) => row.id === 'keys.cemaf-token-bucket' && !row.skipped)?.bytes;
    check('memory', 'keyed token bucket ≤ 120 bytes per key, key included', perKey, perKey <= 120, `${perKey?.toFixed(0)} B`);
    const perBreaker = memory.breakers.find((row) => row.id === 'breakers.cemaf' && !row.skipped)?.bytes;
    check('memory', 'circuit breaker ≤ 400 bytes per instance', perBreaker, perBreaker <= 400, `${perBreaker?.toFixed(0)} B`);
  }

  const accuracy = report.accuracy?.rows.find((row) => row.id === 'accuracy.cemaf-sliding-window' && !row.skipped);
  if (report.accuracy) {
    for (const mode of ['queued', 'unqueued']) {
      const most = accuracy?.virtual[mode]?.maxInAnyWindow;
      check('accuracy', `sliding window, ${mode}, virtual time: never more than 100 in any 1 s`, most, most <= 100, `${most}`);
    }
  }

  const size = report.size?.groups;
  if (size) {
    for (const [id, what, limit] of [
      ['size.cemaf-retry', '`RetryPolicy`', 1_000],
      ['size.cemaf-breaker', '`CircuitBreaker`', 1_200],
      ['size.cemaf-limiter', '`RateLimiter`', 1_200],
    ]) {
      const gzip = findRow(size, id)?.gzip;
      check('size', `${what} ≤ ${limit.toLocaleString('en-US')} B gzip`, gzip, gzip <= limit, `${gzip} B`);
    }
  }
  return targets;
}
