// The Redis test setup lives in @cemaf/test-utils, shared by every Redis package.
export { CLIENT_KINDS, connect, redisServer, uniquePrefix, useRedis, type ClientKind } from '@cemaf/test-utils/redis';
