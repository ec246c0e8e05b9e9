export { systemProgram, type SystemProgram } from './system-program.js';
export {
  freePort,
  redisCliProgram,
  redisCommand,
  redisServerProgram,
  startRedisCluster,
  startRedisServer,
  testRedis,
  type RedisCluster,
  type RedisServer,
  type RedisServerOptions,
  type TestRedis,
} from './redis-server.js';
