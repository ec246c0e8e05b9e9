import { redisServerProgram, startRedisServer, type RedisServer } from '@cemaf/test-utils';

let server: RedisServer | undefined;

/**
 * One redis-server for the run, unless REDIS_URL names one: the Redis examples read REDIS_URL
 * as users' code does. Without redis-server they are skipped loudly (a failure under CI=true).
 */
export async function setup(): Promise<void> {
  if (process.env.REDIS_URL || !redisServerProgram().available) return;
  server = await startRedisServer();
  process.env.REDIS_URL = server.url;
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
