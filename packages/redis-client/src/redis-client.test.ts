import { execFile } from 'node:child_process';
import { startRedisServer } from '@cemaf/test-utils';
import { Redis, Cluster } from 'ioredis';
import { createClient, createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_KINDS, connect, redisServer, uniquePrefix, useRedis } from '@cemaf/test-utils/redis';
import { toRedisAdapter, type RedisClientAdapter, type RedisSubscription } from './redis-client.js';
import { createScriptRunner } from './redis-script.js';

describe('toRedisAdapter', () => {
  it('adapts ioredis and node-redis clients and clusters without connecting', () => {
    const ioredis = new Redis({ lazyConnect: true });
    const ioredisCluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    const nodeRedis = createClient();
    const nodeRedisCluster = createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:1' }] });
    for (const client of [ioredis, ioredisCluster, nodeRedis, nodeRedisCluster]) {
      const adapter = toRedisAdapter(client);
      expect(typeof adapter.evalsha).toBe('function');
      expect(typeof adapter.eval).toBe('function');
      expect(typeof adapter.scan).toBe('function');
      expect(typeof adapter.subscribe).toBe('function');
      expect(adapter).not.toBe(client);
    }
    ioredis.disconnect();
    ioredisCluster.disconnect();
  });

  it('takes an adapter as it is', () => {
    const adapter: RedisClientAdapter = { evalsha: () => Promise.resolve(1), eval: () => Promise.resolve(1) };
    expect(toRedisAdapter(adapter)).toBe(adapter);
  });

  it('refuses anything else with a TypeError naming the caller', () => {
    expect(() => toRedisAdapter({ get: () => undefined }, 'Caller')).toThrow(
      new TypeError(
        'Caller: redis must be an ioredis or node-redis client or cluster, or a RedisClientAdapter (evalsha() and eval()), got an object',
      ),
    );
    expect(() => toRedisAdapter(null)).toThrow(TypeError);
  });
});

describe.skipIf(!redisServer.available)('the adapters against a real redis-server', () => {
  const redis = useRedis();

  describe.each(CLIENT_KINDS)('%s', (kind) => {
    let connection: Awaited<ReturnType<typeof connect>>;
    let adapter: RedisClientAdapter;
    beforeAll(async () => {
      connection = await connect(kind, redis.url);
      adapter = toRedisAdapter(connection.client);
    });
    afterAll(() => connection.close());

    it('runs EVAL and EVALSHA with keys and arguments, numbers as strings', async () => {
      const lua = 'return {KEYS[1], ARGV[1], ARGV[2]}';
      await expect(adapter.eval(lua, ['the-key'], ['one', 2])).resolves.toEqual(['the-key', 'one', '2']);
      const run = createScriptRunner(adapter, { lua: 'return "hello"', sha: await shaOf(adapter, 'return "hello"') });
      await expect(run([], [])).resolves.toBe('hello');
      await expect(adapter.evalsha('f'.repeat(40), [], [])).rejects.toThrow(/^NOSCRIPT/);
    });

    it('reloads a script the server forgot (SCRIPT FLUSH) and runs it once', async () => {
      const key = `${uniquePrefix(kind)}counter`;
      const lua = "return redis.call('INCR', KEYS[1])";
      const run = createScriptRunner(adapter, { lua, sha: await shaOf(adapter, lua) });
      await expect(run([key], [])).resolves.toBe(1);
      await flushScripts(redis.url);
      await expect(run([key], [])).resolves.toBe(2);
      await expect(run([key], [])).resolves.toBe(3);
    });

    it('scans the keys that match a pattern', async () => {
      const prefix = uniquePrefix(kind);
      for (let index = 0; index < 25; index++) await adapter.eval("return redis.call('SET', KEYS[1], 1)", [`${prefix}${index}`], []);
      const names: string[] = [];
      for await (const name of adapter.scan!(`${prefix}*`)) names.push(name);
      expect(names.sort()).toEqual(Array.from({ length: 25 }, (_, index) => `${prefix}${index}`).sort());
    });

    it('subscribes on one connection of its own per client, shared by its subscriptions, and never closes the client', async () => {
      const channel = `${uniquePrefix(kind)}channel`;
      const other = `${channel}:other`;
      const heard: string[] = [];
      const subscribed = (name: string, who: string) =>
        new Promise<RedisSubscription>((resolve) => {
          const subscription: RedisSubscription = adapter.subscribe!(name, {
            message: (message) => heard.push(`${who}: ${message}`),
            ready: () => resolve(subscription),
          });
        });
      const before = await clientCount(redis.url);
      const first = await subscribed(channel, 'first');
      const second = await subscribed(channel, 'second');
      // Another adapter of the same client shares the connection too.
      const third = await new Promise<RedisSubscription>((resolve) => {
        const subscription = toRedisAdapter(connection.client).subscribe!(other, {
          message: (message) => heard.push(`third: ${message}`),
          ready: () => resolve(subscription),
        });
      });
      expect(await clientCount(redis.url)).toBe(before + 1);
      const publish = (name: string, message: string) => adapter.eval("return redis.call('PUBLISH', KEYS[1], ARGV[1])", [name], [message]);
      await publish(channel, 'one');
      await publish(other, 'two');
      await until(() => heard.length === 3);
      expect(heard.sort()).toEqual(['first: one', 'second: one', 'third: two']);

      await first.close();
      await first.close();
      await publish(channel, 'three');
      await until(() => heard.length === 4);
      expect(heard.at(-1)).toBe('second: three');
      await second.close();
      await publish(channel, 'four');
      expect(await clientCount(redis.url)).toBe(before + 1);
      await third.close();
      // The last one gone, so is the connection.
      await until(async () => (await clientCount(redis.url)) === before);
      await publish(other, 'five');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(heard).toHaveLength(4);
      // The client the subscriptions were made through still works, and can subscribe again.
      await expect(adapter.eval('return 7', [], [])).resolves.toBe(7);
      const again = await subscribed(channel, 'again');
      await publish(channel, 'six');
      await until(() => heard.length === 5);
      await again.close();
    });

    it('keeps no process alive: a process whose own client quit exits with a subscription open', async () => {
      const script =
        kind === 'ioredis'
          ? `import { Redis } from 'ioredis';
             const client = new Redis(process.env.URL);`
          : `import { createClient } from 'redis';
             const client = createClient({ url: process.env.URL });
             await client.connect();`;
      const child = `${script}
        import { toRedisAdapter } from '@cemaf/redis-client';
        const adapter = toRedisAdapter(client);
        await new Promise((ready) => adapter.subscribe('keep-alive-test', { message() {}, ready }));
        await client.quit();
        console.log('subscribed, client closed');`;
      const started = performance.now();
      const output = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--input-type=module', '-e', child],
          { cwd: new URL('..', import.meta.url), env: { ...process.env, URL: redis.url }, timeout: 20_000 },
          (error, stdout) => (error ? reject(error) : resolve(stdout)),
        );
      });
      expect(output).toContain('subscribed, client closed');
      expect(performance.now() - started).toBeLessThan(15_000);
    });
  });
});

describe.skipIf(!redisServer.available)('a subscription while the server goes away and comes back', () => {
  it.each(CLIENT_KINDS)('%s: subscribes again after the reconnect, and says so with ready', async (kind) => {
    const server = await startRedisServer();
    let client: unknown;
    let closeClient: () => void;
    if (kind === 'ioredis') {
      const ioredis = new Redis(server.url, { retryStrategy: () => 50 });
      ioredis.on('error', () => undefined);
      client = ioredis;
      closeClient = () => ioredis.disconnect();
    } else {
      const nodeRedis = createClient({ url: server.url, socket: { reconnectStrategy: () => 50 } });
      nodeRedis.on('error', () => undefined);
      await nodeRedis.connect();
      client = nodeRedis;
      closeClient = () => nodeRedis.destroy();
    }
    try {
      const adapter = toRedisAdapter(client);
      const heard: string[] = [];
      let readies = 0;
      const subscription = adapter.subscribe!('restart', {
        message: (message) => heard.push(message),
        ready: () => readies++,
        error: () => undefined,
      });
      await until(() => readies >= 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const before = readies;
      await server.restart();
      await until(() => readies > before);
      await until(async () => {
        await adapter.eval("return redis.call('PUBLISH', 'restart', 'after')", [], []).catch(() => undefined);
        return heard.includes('after');
      });
      await subscription.close();
    } finally {
      closeClient();
      await server.stop();
    }
  });
});

/** Connections the server has, this test's own excluded. */
async function clientCount(url: string): Promise<number> {
  const client = new Redis(url);
  try {
    const list = (await client.client('LIST')) as string;
    return list.trim().split('\n').length - 1;
  } finally {
    client.disconnect();
  }
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The SHA1 the server gives a script: SCRIPT LOAD's answer, got through EVAL. */
async function shaOf(adapter: RedisClientAdapter, lua: string): Promise<string> {
  return (await adapter.eval("return redis.sha1hex(ARGV[1])", [], [lua])) as string;
}

/** Empties the server's script cache, as a restart or failover does. */
async function flushScripts(url: string): Promise<void> {
  const client = new Redis(url);
  await client.script('FLUSH');
  await client.quit();
}
