import type { Algorithm } from './algorithm.js';

/**
 * A key's permits, oldest first, coalesced per clock millisecond: `entries` holds pairs
 * (time rounded up, count) from index `head` on; `total` is the sum of those counts.
 */
export interface Log {
  entries: number[];
  head: number;
  total: number;
}

/**
 * An exact sliding window: never more than `maxCalls` permits in any interval of `timeWindow`.
 * A permit taken at t is recorded at ceil(t) and counts until ceil(t) + timeWindow, so merging
 * permits per millisecond keeps at most min(maxCalls, timeWindow + 1) entries per key and never
 * admits more than the limit.
 */
export function slidingWindow(maxCalls: number, timeWindow: number): Algorithm<Log> {
  /** Forgets the permits that no longer count at `now`. */
  const prune = (log: Log, now: number): void => {
    const entries = log.entries;
    let head = log.head;
    while (head < entries.length && entries[head]! + timeWindow <= now) {
      log.total -= entries[head + 1]!;
      head += 2;
    }
    // Drop the forgotten part once it is the larger half: amortised O(1) per permit.
    if (head > 32 && head * 2 > entries.length) {
      entries.splice(0, head);
      head = 0;
    }
    log.head = head;
  };
  return {
    earliest(log, cost) {
      if (log === undefined) return -Infinity;
      // Newest first: the permit at which the sum overflows must expire before `cost` fits.
      const entries = log.entries;
      let sum = cost;
      for (let index = entries.length - 2; index >= log.head; index -= 2) {
        sum += entries[index + 1]!;
        if (sum > maxCalls) return entries[index]! + timeWindow;
      }
      return -Infinity;
    },
    take(log, cost, time) {
      const recorded = Math.ceil(time);
      // An array of exactly two: a key's first permit takes no room for more.
      if (log === undefined) return { entries: [recorded, cost], head: 0, total: cost };
      prune(log, time);
      const entries = log.entries;
      const last = entries.length - 2;
      if (last >= log.head && entries[last]! >= recorded) entries[last + 1]! += cost;
      else entries.push(recorded, cost);
      log.total += cost;
      return log;
    },
    remaining(log, now) {
      if (log === undefined) return maxCalls;
      prune(log, now);
      return maxCalls - log.total;
    },
    copy: (log) => ({ entries: log.entries.slice(log.head), head: 0, total: log.total }),
  };
}
