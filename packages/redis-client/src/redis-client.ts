import { describe } from '@cemaf/core/internal';
import { subscribeThrough } from './subscriber.js';

/** A script argument: Redis receives every argument as a string. */
export type RedisArgument = string | number;

/**
 * The two commands cemaf needs from a Redis client. `ioredis` (`Redis`, `Cluster`) and `redis`
 * (node-redis: `createClient()`, `createCluster()`) clients are adapted automatically; write one
 * of these for any other client.
 *
 * In a cluster, both commands must go to the node that owns `keys[0]` (every key of one call
 * shares a hash slot).
 */
export interface RedisClientAdapter {
  /**
   * `EVALSHA sha numkeys ...keys ...args`. Resolves with the script's reply; rejects with the
   * server's error, whose message starts with `NOSCRIPT` when the server does not have the
   * script cached.
   */
  evalsha(sha: string, keys: readonly string[], args: readonly RedisArgument[]): Promise<unknown>;
  /** `EVAL script numkeys ...keys ...args`: runs the script and caches it on that server. */
  eval(script: string, keys: readonly string[], args: readonly RedisArgument[]): Promise<unknown>;
  /**
   * The names of the keys that match a glob `pattern`, on every master (`SCAN MATCH`). Optional:
   * only `RedisRateLimiter.reset()` without a key needs it.
   */
  scan?(pattern: string): AsyncIterable<string>;
  /**
   * Subscribes to `channel` on a connection of its own (the client's `duplicate()`, unref'd
   * where the client allows, so that it keeps no process alive), and keeps the subscription
   * through reconnects. The adapters of `ioredis` and node-redis share one such connection
   * between every subscription made through one client, and end it with the last. Optional: only
   * `RedisCircuitBreaker` needs it, to hear of transitions at once.
   */
  subscribe?(channel: string, handlers: SubscriptionHandlers): RedisSubscription;
}

/** What a subscription reports. Handlers are called after `close()` no more. */
export interface SubscriptionHandlers {
  /** A message published on the channel. */
  message(message: string): void;
  /**
   * The subscription is in place: once subscribed, and again after every reconnect (messages
   * published while it was not in place are lost).
   */
  ready?(): void;
  /** The subscription's connection failed or dropped; the client reconnects by itself. */
  error?(error: unknown): void;
}

/** A subscription made by {@link RedisClientAdapter.subscribe}. */
export interface RedisSubscription {
  /**
   * Unsubscribes; the connection the subscriptions of the client share ends with the last of
   * them (the client's own connection is never touched). Calling it again does nothing.
   */
  close(): Promise<void>;
}

/**
 * An `ioredis` `Redis` or `Cluster`, as far as cemaf uses it (and `duplicate()`, `subscribe()`,
 * `on()` and `disconnect()` for subscriptions).
 */
export interface IoredisLike {
  evalsha(...args: never[]): Promise<unknown>;
  eval(...args: never[]): Promise<unknown>;
  defineCommand(...args: never[]): unknown;
}

/**
 * A node-redis client or cluster (`redis` 4 and later), as far as cemaf uses it (and
 * `duplicate()`, `connect()`, `subscribe()`, `on()` and `destroy()` for subscriptions).
 */
export interface NodeRedisLike {
  evalSha(...args: never[]): Promise<unknown>;
  eval(...args: never[]): Promise<unknown>;
  sendCommand(...args: never[]): Promise<unknown>;
}

/** What the `redis` option takes: an `ioredis` or node-redis client or cluster, or an adapter. */
export type RedisClient = IoredisLike | NodeRedisLike | RedisClientAdapter;

type Loose = Record<string, unknown>;
type Call = (...args: unknown[]) => Promise<unknown>;
type Method<R> = (this: unknown, ...args: unknown[]) => R;

function ioredisAdapter(client: Loose): RedisClientAdapter {
  const evalsha = client['evalsha'] as Call;
  const evalScript = client['eval'] as Call;
  const adapter: RedisClientAdapter = {
    evalsha: (sha, keys, args) => evalsha.call(client, sha, keys.length, ...keys, ...args),
    eval: (script, keys, args) => evalScript.call(client, script, keys.length, ...keys, ...args),
    async *scan(pattern) {
      // A Cluster scans each master; a single server scans itself.
      const nodes =
        typeof client['nodes'] === 'function' ? (client['nodes'] as Method<Loose[]>).call(client, 'master') : [client];
      for (const node of nodes) {
        const stream = (node['scanStream'] as Method<AsyncIterable<string[]>>).call(node, { match: pattern, count: 1_000 });
        for await (const names of stream) yield* names;
      }
    },
  };
  if (typeof client['duplicate'] === 'function') {
    adapter.subscribe = (channel, handlers) => subscribeThrough(client, 'ioredis', channel, handlers);
  }
  return adapter;
}

function nodeRedisAdapter(client: Loose): RedisClientAdapter {
  const evalSha = client['evalSha'] as Call;
  const evalScript = client['eval'] as Call;
  // node-redis wants strings; its cluster routes by `keys[0]`.
  const options = (keys: readonly string[], args: readonly RedisArgument[]) => ({
    keys: keys as string[],
    arguments: args.map(String),
  });
  const adapter: RedisClientAdapter = {
    evalsha: (sha, keys, args) => evalSha.call(client, sha, options(keys, args)),
    eval: (script, keys, args) => evalScript.call(client, script, options(keys, args)),
    async *scan(pattern) {
      // A cluster scans each master; a single client scans itself.
      const masters = client['masters'];
      const nodes = Array.isArray(masters)
        ? await Promise.all(masters.map((master) => (client['nodeClient'] as Method<Promise<Loose>>).call(client, master)))
        : [client];
      for (const node of nodes) {
        const pages = (node['scanIterator'] as Method<AsyncIterable<string[]>>).call(node, { MATCH: pattern, COUNT: 1_000 });
        for await (const names of pages) yield* names;
      }
    },
  };
  if (typeof client['duplicate'] === 'function') {
    adapter.subscribe = (channel, handlers) => subscribeThrough(client, 'node-redis', channel, handlers);
  }
  return adapter;
}

/**
 * Adapts an `ioredis` or node-redis client (or cluster) to {@link RedisClientAdapter}; an
 * adapter is returned as it is. Throws a `TypeError` naming `owner` for anything else.
 */
export function toRedisAdapter(client: unknown, owner = 'toRedisAdapter'): RedisClientAdapter {
  const given = (typeof client === 'object' && client !== null ? client : {}) as Loose;
  const has = (name: string) => typeof given[name] === 'function';
  // node-redis has camelCase evalSha and sendCommand; ioredis has defineCommand; an adapter
  // has neither.
  if (has('evalSha') && has('sendCommand') && has('eval')) return nodeRedisAdapter(given);
  if (has('evalsha') && has('defineCommand') && has('eval')) return ioredisAdapter(given);
  if (has('evalsha') && has('eval')) return given as unknown as RedisClientAdapter;
  throw new TypeError(
    `${owner}: redis must be an ioredis or node-redis client or cluster, or a RedisClientAdapter (evalsha() and eval()), got ${describe(client)}`,
  );
}
