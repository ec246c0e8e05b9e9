/** The callbacks waiting on each signal, behind the one listener cemaf adds to it. */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `callback` once when `signal` aborts; returns the function that stops waiting. However
 * many calls wait on one signal (a caller's signal shared by a thousand queued calls), the
 * signal gets one listener: Node warns of a leak from an EventTarget's 11th listener on.
 * Callbacks run in the order they were added. The signal must not be aborted yet.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  const callbacks = waiting.get(signal) ?? listen(signal);
  callbacks.add(callback);
  return () => void callbacks.delete(callback);
}

function listen(signal: AbortSignal): Set<() => void> {
  const callbacks = new Set<() => void>();
  waiting.set(signal, callbacks);
  const abort = () => {
    waiting.delete(signal);
    for (const callback of callbacks) {
      try {
        callback();
      } catch (error) {
        // As an event listener's would be: reported, and the other callbacks still run.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  };
  signal.addEventListener('abort', abort, { once: true });
  return callbacks;
}
