import type { TestRedis } from './redis-server.d.mts';

/** The value after `--name` on the command line, or `fallback`. */
export declare function argument(name: string, fallback: string): string;
export declare function argument(name: string, fallback?: string): string | undefined;

/** The middle value (the upper one of the two middle values for an even count). */
export declare function median(values: readonly number[]): number;

/**
 * The Redis a benchmark runs against: `REDIS_URL` when set, else a `redis-server` of its own on a
 * free loopback port, killed when the process exits, also on SIGINT or SIGTERM.
 */
export declare function benchRedis(): Promise<TestRedis>;
