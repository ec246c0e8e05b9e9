import { Redis } from 'ioredis';
import { ManualClock, RedisCircuitBreaker } from '@cemaf/circuit-breaker-redis';
import { expect, it, vi } from 'vitest';

// With `clock`, the circuit's times are the clock's instead of the Redis server's: a ManualClock
// shared by two breakers (two "processes") makes a test against a real Redis exact. Give each
// test a circuit of its own.
it.skipIf(!process.env.REDIS_URL)('opens for every process on the 5th failure, and closes for all after a trial', async () => {
  const clock = new ManualClock();
  const name = `test-${Date.now()}`;
  const [first, second] = [new Redis(process.env.REDIS_URL!), new Redis(process.env.REDIS_URL!)];
  const options = { name, failureThreshold: 5, resetTimeout: 60_000, clock };
  const here = new RedisCircuitBreaker({ redis: first, ...options });
  const there = new RedisCircuitBreaker({ redis: second, ...options });
  const service = vi.fn().mockRejectedValue(new Error('service down'));

  for (let call = 0; call < 5; call++) await expect(here.execute(service)).rejects.toThrow('service down');
  // The 5th failure waited for Redis: the circuit is open here, and soon in the other process.
  await expect(here.execute(service)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN', retryAfter: 60_000 });
  await vi.waitFor(() => expect(there.state).toBe('open'));

  await clock.advance(60_000);
  service.mockResolvedValue('back');
  await expect(there.execute(service)).resolves.toBe('back');
  await vi.waitFor(() => expect(here.state).toBe('closed'));
  expect(service).toHaveBeenCalledTimes(6);

  await Promise.all([here.close(), there.close()]);
  await Promise.all([first.quit(), second.quit()]);
});
