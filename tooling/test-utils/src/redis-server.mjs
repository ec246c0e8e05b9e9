// Plain JavaScript so that the benchmarks, which Node runs directly, start their servers with the
// same code as the tests. Types: redis-server.d.mts.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** @typedef {import('./redis-server.d.mts').RedisServer} RedisServer */
/** @typedef {import('./redis-server.d.mts').RedisServerOptions} RedisServerOptions */
/** @typedef {import('./redis-server.d.mts').TestRedis} TestRedis */
/** @typedef {import('node:child_process').ChildProcess} ChildProcess */

/** @returns {Promise<number>} */
export function freePort() {
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

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether `reply` holds one complete RESP reply (a simple line, or a whole bulk string).
 * @param {string} reply
 */
function complete(reply) {
  const end = reply.indexOf('\r\n');
  if (end < 0) return false;
  if (!reply.startsWith('$')) return true;
  const length = Number(reply.slice(1, end));
  return length < 0 || Buffer.byteLength(reply, 'utf8') >= end + 2 + length + 2;
}

/**
 * @param {number} port
 * @param {string} command
 * @returns {Promise<string>}
 */
export function redisCommand(port, command, host = '127.0.0.1') {
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

/**
 * @param {number} port
 * @param {ChildProcess} child
 */
async function waitForPing(port, child, deadlineMs = 15_000) {
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

// Every server this process started, killed on exit even when a run is cut short.
/** @type {Set<ChildProcess>} */
const running = new Set();
let exitHookInstalled = false;
/** @param {ChildProcess} child */
function track(child) {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const server of running) server.kill('SIGKILL');
  });
}

/** @param {ChildProcess} child */
async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  /** @type {Promise<void>} */
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killed = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
  if (!killed) {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * @param {RedisServerOptions} [options]
 * @returns {Promise<RedisServer>}
 */
export async function startRedisServer(options = {}) {
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'cemaf-redis-'));
  /** @type {ChildProcess | undefined} */
  let child;

  const start = async () => {
    mkdirSync(dir, { recursive: true });
    const spawned = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...(options.args ?? [])],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child = spawned;
    track(spawned);
    await /** @type {Promise<void>} */ (
      new Promise((resolve, reject) => {
        spawned.once('spawn', resolve);
        spawned.once('error', reject);
      })
    );
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

/** @returns {Promise<TestRedis>} */
export async function testRedis() {
  const given = process.env.REDIS_URL;
  if (given !== undefined && given !== '') return { url: given, stop: () => Promise.resolve() };
  const server = await startRedisServer();
  return { url: server.url, stop: () => server.stop() };
}
