/** A listener of one event; what it returns is ignored (a rejected promise is reported). */
export type Listener<Payload> = (payload: Payload) => unknown;

type ListenerLists<Events> = Partial<Record<keyof Events, Listener<Events[keyof Events]>[]>>;

function report(error: unknown): void {
  console.error('cemaf: an event listener threw; the call it reported on is unaffected.', error);
}

/**
 * The typed emitter behind every policy's `on(event, listener)`. A listener that throws (or
 * returns a promise that rejects) is reported with `console.error` and never changes the outcome
 * of the call it hears about.
 */
export class Emitter<Events extends object> {
  // Made on the first `on()`: a policy nobody listens to carries no lists.
  #lists: ListenerLists<Events> | undefined;

  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError(`on: listener must be a function, got ${typeof listener}`);
    }
    const lists: ListenerLists<Events> = (this.#lists ??= {});
    // Copy on write: a listener removed while an event is being emitted does not skip another.
    lists[event] = [...(lists[event] ?? []), listener as Listener<Events[keyof Events]>];
    let subscribed = true;
    return () => {
      const list = lists[event];
      if (!subscribed || list === undefined) return;
      subscribed = false;
      const index = list.indexOf(listener as Listener<Events[keyof Events]>);
      lists[event] = [...list.slice(0, index), ...list.slice(index + 1)];
    };
  }

  /** Whether anything listens to `event`; lets callers skip building a payload. */
  has(event: keyof Events): boolean {
    return (this.#lists?.[event]?.length ?? 0) > 0;
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const list = this.#lists?.[event];
    if (list === undefined) return;
    for (const listener of list) {
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
