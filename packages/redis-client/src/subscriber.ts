import type { RedisSubscription, SubscriptionHandlers } from './redis-client.js';

type Loose = Record<string, unknown>;
type Method<R> = (this: unknown, ...args: unknown[]) => R;

/** Calls `object[name](...args)`. */
const invoke = <R>(object: Loose, name: string, ...args: unknown[]): R => (object[name] as Method<R>).apply(object, args);

/** Lets a Node socket (where there is one) not keep the process alive. */
const unrefSocket = (socket: unknown): void => void (socket as { unref?: () => void } | null | undefined)?.unref?.();

const RESOLVED: Promise<void> = Promise.resolve();
const ignore = (): void => undefined;

/** What a subscriber connection tells its hub. */
interface ConnectionEvents {
  readonly message: (channel: string, message: string) => void;
  /** (Re)connected: the subscriptions are being put in place again. */
  readonly ready: () => void;
  readonly error: (error: unknown) => void;
}

/** The one connection of a hub, as one client kind makes and drives it. */
interface SubscriberConnection {
  /** Subscribes to `channel`; resolves once the server has the subscription. */
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  /** Ends the connection at once, connected or not. */
  close(): void;
}

function ioredisConnection(client: Loose, events: ConnectionEvents): SubscriberConnection {
  const subscriber = invoke<Loose>(client, 'duplicate');
  // A Redis has its own socket; a Cluster subscribes through one internal connection.
  const unref = () => {
    unrefSocket(subscriber['stream']);
    unrefSocket((subscriber['subscriber'] as { getInstance?: () => Loose | null } | undefined)?.getInstance?.()?.['stream']);
  };
  invoke(subscriber, 'on', 'error', events.error);
  invoke(subscriber, 'on', 'connect', unref);
  invoke(subscriber, 'on', 'message', events.message);
  invoke(subscriber, 'on', 'ready', events.ready);
  return {
    subscribe: (channel) => invoke<Promise<unknown>>(subscriber, 'subscribe', channel).then(unref),
    unsubscribe: (channel) => invoke<Promise<unknown>>(subscriber, 'unsubscribe', channel),
    close: () => invoke(subscriber, 'disconnect'),
  };
}

function nodeRedisConnection(client: Loose, events: ConnectionEvents): SubscriberConnection {
  const subscriber = invoke<Loose>(client, 'duplicate');
  const listeners = new Map<string, (message: string) => void>();
  const listenerOf = (channel: string) => {
    let listener = listeners.get(channel);
    if (listener === undefined) listeners.set(channel, (listener = (message) => events.message(channel, message)));
    return listener;
  };
  invoke(subscriber, 'on', 'error', events.error);
  let connecting = true;
  // The first 'ready' is the connection the subscriptions below wait for; later ones, reconnects.
  invoke(subscriber, 'on', 'ready', () => connecting || events.ready());
  const connected = invoke<Promise<unknown>>(subscriber, 'connect').then(() => {
    connecting = false;
    // A client (not a cluster) can let its socket not keep the process alive, across reconnects.
    if (typeof subscriber['unref'] === 'function') invoke(subscriber, 'unref');
  });
  connected.catch(ignore);
  return {
    subscribe: (channel) => connected.then(() => invoke<Promise<unknown>>(subscriber, 'subscribe', channel, listenerOf(channel))),
    unsubscribe: (channel) => {
      const listener = listeners.get(channel);
      listeners.delete(channel);
      return invoke<Promise<unknown>>(subscriber, 'unsubscribe', channel, listener);
    },
    close: () => invoke(subscriber, 'destroy'),
  };
}

interface Entry {
  readonly handlers: SubscriptionHandlers;
  closed: boolean;
}

interface Channel {
  readonly entries: Set<Entry>;
  /** Settles once the server has the subscription. */
  subscribed: Promise<unknown>;
}

/**
 * The subscriptions made through one client, on one connection of their own (the client's
 * `duplicate()`), opened with the first and ended with the last.
 */
class SubscriberHub {
  readonly #open: (events: ConnectionEvents) => SubscriberConnection;
  readonly #emptied: () => void;
  readonly #channels = new Map<string, Channel>();
  #connection: SubscriberConnection | undefined;

  constructor(open: (events: ConnectionEvents) => SubscriberConnection, emptied: () => void) {
    this.#open = open;
    this.#emptied = emptied;
  }

  subscribe(name: string, handlers: SubscriptionHandlers): RedisSubscription {
    const connection = (this.#connection ??= this.#open({
      message: (channel, message) => {
        for (const entry of this.#channels.get(channel)?.entries ?? []) if (!entry.closed) entry.handlers.message(message);
      },
      // Both clients subscribe again by themselves after a reconnect; doing it once more tells when.
      ready: () => {
        for (const channel of this.#channels.keys()) this.#subscribe(channel);
      },
      error: (error) => {
        for (const { entries } of this.#channels.values()) for (const entry of entries) if (!entry.closed) entry.handlers.error?.(error);
      },
    }));
    const entry: Entry = { handlers, closed: false };
    let channel = this.#channels.get(name);
    if (channel === undefined) {
      this.#channels.set(name, (channel = { entries: new Set([entry]), subscribed: RESOLVED }));
      this.#subscribe(name);
    } else {
      channel.entries.add(entry);
      void channel.subscribed.then(
        () => entry.closed || entry.handlers.ready?.(),
        (error: unknown) => entry.closed || entry.handlers.error?.(error),
      );
    }
    const joined = channel;
    return {
      close: () => {
        if (entry.closed) return RESOLVED;
        entry.closed = true;
        joined.entries.delete(entry);
        if (joined.entries.size > 0 || this.#channels.get(name) !== joined) return RESOLVED;
        this.#channels.delete(name);
        if (this.#channels.size > 0) {
          connection.unsubscribe(name).catch(ignore);
        } else {
          // The last subscription: the connection goes, at once, whatever state it is in.
          this.#connection = undefined;
          this.#emptied();
          connection.close();
        }
        return RESOLVED;
      },
    };
  }

  /** Subscribes the connection to `name`, and tells its subscriptions when that is done. */
  #subscribe(name: string): void {
    const channel = this.#channels.get(name);
    const connection = this.#connection;
    if (channel === undefined || connection === undefined) return;
    const subscribed = connection.subscribe(name);
    channel.subscribed = subscribed;
    subscribed.then(
      () => {
        for (const entry of channel.entries) if (!entry.closed) entry.handlers.ready?.();
      },
      (error: unknown) => {
        for (const entry of channel.entries) if (!entry.closed) entry.handlers.error?.(error);
      },
    );
  }
}

const hubs = new WeakMap<object, SubscriberHub>();

/**
 * Subscribes to `channel` through `client`'s hub: every subscription made through one client
 * shares one connection of its own, opened with the first and ended with the last.
 */
export function subscribeThrough(client: Loose, kind: 'ioredis' | 'node-redis', channel: string, handlers: SubscriptionHandlers): RedisSubscription {
  let hub = hubs.get(client);
  if (hub === undefined) {
    const made = new SubscriberHub(
      (events) => (kind === 'ioredis' ? ioredisConnection(client, events) : nodeRedisConnection(client, events)),
      () => {
        if (hubs.get(client) === made) hubs.delete(client);
      },
    );
    hubs.set(client, (hub = made));
  }
  return hub.subscribe(channel, handlers);
}
