import type { RedisArgument, RedisClientAdapter, SubscriptionHandlers } from '@cemaf/redis-client';

/** A script call the breaker made: its op and the op's own arguments. */
export interface Sent {
  readonly op: string;
  /** The time argument: '' for the server's time, else the clock's reading. */
  readonly now: string;
  readonly args: readonly RedisArgument[];
}

/** A shared state as the script writes it (see breaker.lua). */
export function stateText({
  generation = 1,
  state = 'c',
  remaining = 0,
  streak = 0,
  successes = 0,
  taken = 0,
  next = -1,
  view = '0',
}: {
  generation?: number;
  state?: 'c' | 'o' | 'h' | 'i';
  remaining?: number;
  streak?: number;
  successes?: number;
  taken?: number;
  next?: number;
  view?: string;
} = {}): string {
  return `${generation} ${state} ${remaining} ${streak} ${successes} ${taken} ${next} ${view}`;
}

/**
 * An adapter whose answers the test gives: `answer(sent)` per script call returns the reply (or
 * rejects). With `subscribe`, it also takes a subscription whose handlers the test calls.
 */
export function fakeRedis(answer: (sent: Sent) => Promise<unknown>, { subscribe = true } = {}) {
  const sent: Sent[] = [];
  const subscriptions: { channel: string; handlers: SubscriptionHandlers; closed: boolean }[] = [];
  const run = (_script: string, _keys: readonly string[], args: readonly RedisArgument[]) => {
    const call = { op: String(args[0]), now: String(args[1]), args: args.slice(4) };
    sent.push(call);
    return answer(call);
  };
  const redis: RedisClientAdapter = { evalsha: run, eval: run };
  if (subscribe) {
    redis.subscribe = (channel, handlers) => {
      const subscription = { channel, handlers, closed: false };
      subscriptions.push(subscription);
      return {
        close: () => {
          subscription.closed = true;
          return Promise.resolve();
        },
      };
    };
  }
  return {
    redis,
    sent,
    subscriptions,
    /** Sends a message on the breaker's channel, as a transition in another process would. */
    publish(text: string) {
      for (const subscription of subscriptions) if (!subscription.closed) subscription.handlers.message(text);
    },
  };
}

/** A reply of the script: the time, the state, and whether a trial slot was granted. */
export const reply = (state: string, granted = 0, now = 0): Promise<unknown> => Promise.resolve([String(now), state, granted]);

export const down = (): Promise<never> => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
export const never = (): Promise<never> => new Promise<never>(() => undefined);
