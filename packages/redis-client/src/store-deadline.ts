import { systemClock, type Clock } from '@cemaf/core';
import { schedule } from '@cemaf/core/internal';

interface Watched {
  readonly deadline: number;
  readonly reject: (error: unknown) => void;
  settled: boolean;
  next: Watched | undefined;
}

/**
 * Bounds how long store calls may take, with one timer for all of them. Clients queue commands
 * while disconnected, so without a bound a caller could wait for as long as an outage lasts.
 * Every call gets the same timeout, so deadlines come in arrival order: the timer only ever
 * waits for the oldest one, and it is cleared as soon as no call is in flight.
 */
export class StoreDeadline {
  readonly #timeout: number;
  readonly #timedOut: () => unknown;
  readonly #clock: Clock;
  #head: Watched | undefined;
  #tail: Watched | undefined;
  #inFlight = 0;
  /** Cancels the one timer, armed for the oldest deadline while calls are in flight. */
  #timer: (() => void) | undefined;

  /**
   * @param timeout Ms a call may take.
   * @param timedOut Makes the error a late call rejects with.
   * @param clock Real time by default: network calls take real time even when a test drives
   * the decisions with a `ManualClock`.
   */
  constructor(timeout: number, timedOut: () => unknown, clock: Clock = systemClock) {
    this.#timeout = timeout;
    this.#timedOut = timedOut;
    this.#clock = clock;
  }

  /** Calls that have neither settled nor timed out. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Settles as `call` does, or rejects with the timeout error once the timeout has passed. */
  watch<T>(call: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const watched: Watched = {
        deadline: this.#clock.now() + this.#timeout,
        reject,
        settled: false,
        next: undefined,
      };
      if (this.#tail === undefined) this.#head = watched;
      else this.#tail.next = watched;
      this.#tail = watched;
      this.#inFlight += 1;
      if (this.#timer === undefined) this.#arm(this.#timeout);
      call.then(
        (value) => {
          if (this.#settle(watched)) resolve(value);
        },
        (error: unknown) => {
          if (this.#settle(watched)) reject(error);
        },
      );
    });
  }

  #settle(watched: Watched): boolean {
    if (watched.settled) return false;
    watched.settled = true;
    this.#inFlight -= 1;
    if (this.#inFlight === 0) {
      // Nothing left to watch: clear the timer so that it keeps no process alive.
      this.#head = this.#tail = undefined;
      const cancel = this.#timer;
      this.#timer = undefined;
      cancel?.();
    }
    return true;
  }

  #arm(ms: number): void {
    const cancel: () => void = schedule(this.#clock, ms, () => {
      if (this.#timer === cancel) this.#expire();
    });
    this.#timer = cancel;
  }

  #expire(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    let watched = this.#head;
    while (watched !== undefined && (watched.settled || watched.deadline <= now)) {
      if (!watched.settled) {
        const { reject } = watched;
        // Settling may clear the list; read the next one first.
        const next = watched.next;
        this.#settle(watched);
        reject(this.#timedOut());
        watched = this.#inFlight === 0 ? undefined : next;
      } else {
        watched = watched.next;
      }
    }
    this.#head = watched;
    if (watched === undefined) this.#tail = undefined;
    else this.#arm(watched.deadline - now);
  }
}
