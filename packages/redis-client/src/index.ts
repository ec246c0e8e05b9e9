export {
  toRedisAdapter,
  type IoredisLike,
  type NodeRedisLike,
  type RedisArgument,
  type RedisClient,
  type RedisClientAdapter,
  type RedisSubscription,
  type SubscriptionHandlers,
} from './redis-client.js';
export { createScriptRunner, type RedisScript, type ScriptRunner } from './redis-script.js';
export { StoreDeadline } from './store-deadline.js';
