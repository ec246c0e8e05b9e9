// One redis-server for the whole run, unless REDIS_URL names one (see @cemaf/test-utils).
export { setup, teardown } from '@cemaf/test-utils/redis-global-setup';
