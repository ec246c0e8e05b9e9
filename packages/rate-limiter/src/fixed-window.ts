import type { Algorithm } from './algorithm.js';

/** The current window of a key: it opened at `start` and holds `used` permits. */
export interface Window {
  start: number;
  used: number;
}

/**
 * A window opens at a key's first permit and lasts `timeWindow`; the next one opens at the first
 * permit after it ends.
 */
export function fixedWindow(maxCalls: number, timeWindow: number): Algorithm<Window> {
  const isOpen = (window: Window | undefined, time: number): window is Window =>
    window !== undefined && time < window.start + timeWindow;
  return {
    earliest: (window, cost) =>
      window !== undefined && window.used + cost > maxCalls ? window.start + timeWindow : -Infinity,
    take(window, cost, time) {
      if (!isOpen(window, time)) return { start: time, used: cost };
      window.used += cost;
      return window;
    },
    remaining: (window, now) => (isOpen(window, now) ? maxCalls - window.used : maxCalls),
    copy: (window) => ({ start: window.start, used: window.used }),
  };
}
