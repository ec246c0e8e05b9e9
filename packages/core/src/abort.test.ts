import { afterEach, describe, expect, it, vi } from 'vitest';
import { onAbort } from './abort.js';

describe('onAbort', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('calls every callback once, in the order added, when the signal aborts', () => {
    const controller = new AbortController();
    const calls: string[] = [];
    onAbort(controller.signal, () => calls.push('first'));
    onAbort(controller.signal, () => calls.push('second'));
    controller.abort();
    controller.abort();
    expect(calls).toEqual(['first', 'second']);
  });

  it('does not call a callback that stopped waiting', () => {
    const controller = new AbortController();
    const kept = vi.fn();
    const dropped = vi.fn();
    onAbort(controller.signal, kept);
    const stop = onAbort(controller.signal, dropped);
    stop();
    controller.abort();
    expect(kept).toHaveBeenCalledOnce();
    expect(dropped).not.toHaveBeenCalled();
  });

  it('adds one listener to a signal however many callbacks wait on it', () => {
    const controller = new AbortController();
    const added = vi.spyOn(controller.signal, 'addEventListener');
    const callbacks = Array.from({ length: 50 }, () => vi.fn());
    for (const callback of callbacks) onAbort(controller.signal, callback);
    expect(added).toHaveBeenCalledOnce();
    controller.abort();
    for (const callback of callbacks) expect(callback).toHaveBeenCalledOnce();
  });

  it('still runs the other callbacks when one throws, and reports the error', () => {
    const controller = new AbortController();
    const reports: (() => void)[] = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((report) => void reports.push(report));
    const after = vi.fn();
    onAbort(controller.signal, () => {
      throw new Error('listener failed');
    });
    onAbort(controller.signal, after);
    controller.abort();
    expect(after).toHaveBeenCalledOnce();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toThrow('listener failed');
  });
});
