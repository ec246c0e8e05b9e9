/**
 * Virtual time for the accuracy runs: replaces the global timers, `Date.now` and
 * `performance.now` with a clock that only moves when every pending callback has run. Each
 * limiter then shows what its algorithm admits, free of event-loop lateness on a busy machine.
 * Install it before the libraries are imported (some keep references to the globals).
 */
const realSetImmediate = globalThis.setImmediate;
const flush = () => new Promise((resolve) => realSetImmediate(() => realSetImmediate(resolve)));

export function installVirtualTime(origin = 1_000_000) {
  let now = origin;
  let serial = 0;
  const pending = new Set();

  class VirtualTimer {
    constructor(callback, delay, args, repeat) {
      this.callback = callback;
      this.args = args;
      // Node runs a delay below 1 ms (or not a number) after 1 ms.
      this.delay = Number.isFinite(delay) && delay >= 1 ? delay : 1;
      this.repeat = repeat;
      this.schedule();
    }
    schedule() {
      this.due = now + this.delay;
      this.order = serial++;
      pending.add(this);
    }
    ref() {
      return this;
    }
    unref() {
      return this;
    }
    hasRef() {
      return true;
    }
    refresh() {
      pending.delete(this);
      this.schedule();
      return this;
    }
    [Symbol.toPrimitive]() {
      return this.order;
    }
  }
  const clear = (timer) => {
    if (timer instanceof VirtualTimer) pending.delete(timer);
  };
  globalThis.setTimeout = (callback, delay, ...args) => new VirtualTimer(callback, delay, args, false);
  globalThis.setInterval = (callback, delay, ...args) => new VirtualTimer(callback, delay, args, true);
  globalThis.clearTimeout = clear;
  globalThis.clearInterval = clear;
  Date.now = () => now;
  performance.now = () => now;

  return {
    now: () => now,
    /** Runs every timer due up to `now + ms`, in due order, letting promises settle between them. */
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        await flush();
        let next;
        for (const timer of pending) {
          if (!next || timer.due < next.due || (timer.due === next.due && timer.order < next.order)) next = timer;
        }
        if (!next || next.due > end) break;
        pending.delete(next);
        now = Math.max(now, next.due);
        if (next.repeat) next.schedule();
        next.callback(...next.args);
      }
      now = end;
      await flush();
    },
  };
}
