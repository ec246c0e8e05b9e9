import type { RedisArgument, RedisClientAdapter } from './redis-client.js';

/** A Lua script and its SHA1 (computed when the package is built; a test checks it). */
export interface RedisScript {
  readonly lua: string;
  /** The SHA1 of `lua`, in lowercase hex, as `SCRIPT LOAD` would answer. */
  readonly sha: string;
}

/** Runs one script: one round trip in the common case. */
export type ScriptRunner = (keys: readonly string[], args: readonly RedisArgument[]) => Promise<unknown>;

function isNoScript(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message.startsWith('NOSCRIPT');
}

/**
 * Runs `script` by `EVALSHA`. When the server does not have it cached (`NOSCRIPT`: a fresh or
 * restarted server, `SCRIPT FLUSH`, or a cluster node that never ran it), the same call is sent
 * once by `EVAL`, which runs it and caches it on exactly the node that owns the keys. The script
 * runs once either way.
 */
export function createScriptRunner(redis: RedisClientAdapter, script: RedisScript): ScriptRunner {
  const { lua, sha } = script;
  return async (keys, args) => {
    try {
      return await redis.evalsha(sha, keys, args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return redis.eval(lua, keys, args);
    }
  };
}
