import { redisServerProgram, startRedisServer, type RedisServer } from './redis-server.js';

let server: RedisServer | undefined;

/**
 * Vitest global setup: one redis-server for the whole run, unless REDIS_URL names one. Test files
 * (and the examples, which read REDIS_URL as users do) share it, each under prefixes of its own.
 * Tests that stop their server start their own.
 */
export async function setup(): Promise<void> {
  if (process.env.REDIS_URL || !redisServerProgram().available) return;
  server = await startRedisServer();
  process.env.REDIS_URL = server.url;
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
