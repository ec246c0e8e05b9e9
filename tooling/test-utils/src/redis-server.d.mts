/** A free TCP port on loopback: listen on port 0, read the number, close. */
export declare function freePort(): Promise<number>;

/** Sends one inline command over a fresh connection and returns its reply, raw. */
export declare function redisCommand(port: number, command: string, host?: string): Promise<string>;

/** A `redis-server` child process on a loopback port. */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Whether the server is up (between start/restart and stop). */
  readonly running: boolean;
  /** Stops the server (SIGTERM, then SIGKILL); its data is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** The port; a free one when not given. */
  readonly port?: number;
  /** More `redis-server` arguments, e.g. `['--cluster-enabled', 'yes']`. */
  readonly args?: readonly string[];
  /** Working directory (for cluster config files); a fresh temporary one when not given. */
  readonly dir?: string;
}

/**
 * Starts `redis-server --port N --save '' --appendonly no` on a free loopback port and waits
 * until it answers PING. Stop it in teardown; it is also killed when this process exits.
 */
export declare function startRedisServer(options?: RedisServerOptions): Promise<RedisServer>;

/** A Redis to test against: `REDIS_URL` when given, else a fresh server of our own. */
export interface TestRedis {
  readonly url: string;
  /** Stops the server if this process started it. */
  stop(): Promise<void>;
}

/** `REDIS_URL` when set, else {@link startRedisServer}. */
export declare function testRedis(): Promise<TestRedis>;
