export { systemProgram, type SystemProgram } from './system-program.js';
export { CHROMIUM_FLAGS, findChromium } from './chromium.js';
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
export {
  describeRateLimiterConformance,
  type ConformanceClock,
  type ConformanceLimiter,
  type ConformanceLimiterOptions,
  type RateLimiterConformanceSetup,
} from './rate-limiter-conformance.js';
export {
  capacityOf,
  fullAt,
  RateLimitModel,
  withinLimit,
  type ModelAlgorithm,
  type ModelConfig,
  type ModelDecision,
  type ModelOutcome,
  type Permit,
} from './rate-limit-model.js';
export { boom, deferred, errorOf, eventually, flush, outcome, sleep, type Deferred } from './promises.js';
export { describeReadmeExamples, muteConsole, stubSilentFetch, type ReadmeExamplesOptions } from './readme-examples.js';
