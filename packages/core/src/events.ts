/** A listener of one event; what it returns is ignored (a rejected promise is reported). */
export type Listener<Payload> = (payload: Payload) => unknown;

type ListenerSets<Events> = Partial<Record<keyof Events, Set<Listener<Events[keyof Events]>>>>;

function report(error: unknown): void {
  console.error('cemaf: an event listener threw; the call it reported on is unaffected.', error);
}

/**
 * The typed emitter behind every policy's `on(event, listener)`. A listener that throws (or
 * returns a promise that rejects) is reported with `console.error` and never changes the outcome
 * of the call it hears about. As with `EventTarget`, adding a listener twice adds it once, and
 * one removed during an emit is not called if it has not been yet.
 */
export class Emitter<Events extends object> {
  // Made on the first `on()`: a policy nobody listens to carries no sets.
  #sets: ListenerSets<Events> | undefined;

  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError(`on: listener must be a function, got ${typeof listener}`);
    }
    const sets: ListenerSets<Events> = (this.#sets ??= {});
    const set = (sets[event] ??= new Set());
    set.add(listener as Listener<Events[keyof Events]>);
    return () => set.delete(listener as Listener<Events[keyof Events]>);
  }

  /** Whether anything listens to `event`; lets callers skip building a payload. */
  has(event: keyof Events): boolean {
    return (this.#sets?.[event]?.size ?? 0) > 0;
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const set = this.#sets?.[event];
    if (set === undefined) return;
    for (const listener of set) {
      try {
        const result = listener(payload);
        if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
          (result as PromiseLike<unknown>).then(undefined, report);
        }
      } catch (error) {
        report(error);
      }
    }
  }
}
