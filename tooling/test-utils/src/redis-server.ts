import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemProgram, type SystemProgram } from './system-program.js';

/** Whether `redis-server` can be run here (skips loudly without it; throws under `CI=true`). */
export function redisServerProgram(): SystemProgram {
  return systemProgram('redis-server', 'redis-server');
}

/** Whether `redis-cli` can be run here (needed to build a cluster). */
export function redisCliProgram(): SystemProgram {
  return systemProgram('redis-cli', 'redis-tools');
}

/** A free TCP port on loopback: listen on port 0, read the number, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `reply` holds one complete RESP reply (a simple line, or a whole bulk string). */
function complete(reply: string): boolean {
  const end = reply.indexOf('\r\n');
  if (end < 0) return false;
  if (!reply.startsWith('$')) return true;
  const length = Number(reply.slice(1, end));
  return length < 0 || Buffer.byteLength(reply, 'utf8') >= end + 2 + length + 2;
}

/** Sends one inline command over a fresh connection and returns its reply, raw. */
export function redisCommand(port: number, command: string, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host });
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis ${host}:${port} did not answer ${command}`));
    }, 2_000);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (complete(reply)) {
        clearTimeout(timer);
        socket.end();
        resolve(reply);
      }
    });
    socket.write(`${command}\r\n`);
  });
}

async function waitForPing(port: number, child: ChildProcess, deadlineMs = 15_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`redis-server on port ${port} exited with code ${child.exitCode} before answering`);
    }
    try {
      if ((await redisCommand(port, 'PING')).startsWith('+PONG')) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING in time`);
    await sleep(20);
  }
}

// Every server this process started, killed on exit even when a test run is cut short.
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const server of running) server.kill('SIGKILL');
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killed = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
  if (!killed) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** A `redis-server` child process on a loopback port. */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Whether the server is up (between start/restart and stop). */
  readonly running: boolean;
  /** Stops the server (SIGTERM, then SIGKILL); its data is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** The port; a free one when not given. */
  readonly port?: number;
  /** More `redis-server` arguments, e.g. `['--cluster-enabled', 'yes']`. */
  readonly args?: readonly string[];
  /** Working directory (for cluster config files); a fresh temporary one when not given. */
  readonly dir?: string;
}

/**
 * Starts `redis-server --port N --save '' --appendonly no` on a free loopback port and waits
 * until it answers PING. Stop it in teardown; it is also killed when this process exits.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'cemaf-redis-'));
  let child: ChildProcess | undefined;

  const start = async () => {
    mkdirSync(dir, { recursive: true });
    const spawned = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...(options.args ?? [])],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child = spawned;
    track(spawned);
    await new Promise<void>((resolve, reject) => {
      spawned.once('spawn', resolve);
      spawned.once('error', reject);
    });
    try {
      await waitForPing(port, spawned);
    } catch (error) {
      await stopChild(spawned);
      throw error;
    }
  };
  await start();

  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async stop() {
      if (child !== undefined) await stopChild(child);
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      if (child !== undefined) await stopChild(child);
      await start();
    },
  };
}

/** A Redis to test against: `REDIS_URL` when given, else a fresh server of our own. */
export interface TestRedis {
  readonly url: string;
  /** Stops the server if this process started it. */
  stop(): Promise<void>;
}

/** `REDIS_URL` when set, else {@link startRedisServer}. */
export async function testRedis(): Promise<TestRedis> {
  const given = process.env.REDIS_URL;
  if (given !== undefined && given !== '') return { url: given, stop: () => Promise.resolve() };
  const server = await startRedisServer();
  return { url: server.url, stop: () => server.stop() };
}

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
