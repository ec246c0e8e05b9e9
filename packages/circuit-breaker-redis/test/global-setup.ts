import { redisServerProgram, startRedisServer, type RedisServer } from '@cemaf/test-utils';

let server: RedisServer | undefined;

/**
 * One redis-server for the whole run, unless REDIS_URL names one: test files (and the examples,
 * which read REDIS_URL as users do) share it, each under prefixes of its own. Tests that stop
 * their server start their own.
 */
export async function setup(): Promise<void> {
  if (process.env.REDIS_URL || !redisServerProgram().available) return;
  server = await startRedisServer();
  process.env.REDIS_URL = server.url;
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
