import type { ExecutionContext } from '@cemaf/core';

/**
 * The context a `TimeoutPolicy` hands to `fn`. Its signal aborts at the deadline or when the
 * caller aborts; the `AbortController` behind it is made only when `fn` reads `signal`, so a call
 * whose function never looks at it allocates none.
 */
export class DeadlineContext implements ExecutionContext {
  readonly attempt: number;
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;

  constructor(attempt: number) {
    this.attempt = attempt;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Aborts the signal with `reason`, now or, if nobody has read it yet, when it is first read. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}
