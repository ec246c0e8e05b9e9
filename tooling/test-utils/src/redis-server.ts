import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, redisCommand, startRedisServer, type RedisServer } from './redis-server.mjs';
import { systemProgram, type SystemProgram } from './system-program.js';

export { freePort, redisCommand, startRedisServer, testRedis, type RedisServer, type RedisServerOptions, type TestRedis } from './redis-server.mjs';

/** Whether `redis-server` can be run here (skips loudly without it; throws under `CI=true`). */
export function redisServerProgram(): SystemProgram {
  return systemProgram('redis-server', 'redis-server');
}

/** Whether `redis-cli` can be run here (needed to build a cluster). */
export function redisCliProgram(): SystemProgram {
  return systemProgram('redis-cli', 'redis-tools');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Redis Cluster of servers on loopback, one master per node and no replicas. */
export interface RedisCluster {
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  stop(): Promise<void>;
}

/**
 * Starts `size` servers with `--cluster-enabled yes`, joins them with `redis-cli --cluster
 * create ... --cluster-replicas 0 --cluster-yes`, and waits until every node reports
 * `cluster_state:ok`.
 */
export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'cemaf-redis-cluster-'));
  const servers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < size; index += 1) {
      const port = await freePort();
      // The cluster bus defaults to port + 10000, which may be taken or out of range.
      const busPort = await freePort();
      servers.push(
        await startRedisServer({
          port,
          dir,
          args: ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-port', String(busPort), '--cluster-node-timeout', '5000'],
        }),
      );
    }
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...servers.map((server) => `127.0.0.1:${server.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (created.status !== 0) {
      throw new Error(`redis-cli --cluster create failed: ${created.stdout}\n${created.stderr}`);
    }
    const deadline = Date.now() + 30_000;
    for (const server of servers) {
      for (;;) {
        const info = await redisCommand(server.port, 'CLUSTER INFO').catch(() => '');
        if (info.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) throw new Error(`cluster node ${server.port} did not reach cluster_state:ok`);
        await sleep(50);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: servers.map(({ host, port }) => ({ host, port })), stop };
}
