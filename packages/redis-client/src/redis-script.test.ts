import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { RedisClientAdapter } from './redis-client.js';
import { createScriptRunner } from './redis-script.js';

const script = { lua: 'return 1', sha: 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db' };

function adapter(evalsha: RedisClientAdapter['evalsha']) {
  return { evalsha: vi.fn(evalsha), eval: vi.fn(() => Promise.resolve('ran by EVAL')) };
}

describe('createScriptRunner', () => {
  it('runs the script by EVALSHA: one round trip', async () => {
    const redis = adapter(() => Promise.resolve('ran by EVALSHA'));
    const run = createScriptRunner(redis, script);
    await expect(run(['k'], ['a', 1])).resolves.toBe('ran by EVALSHA');
    expect(redis.evalsha).toHaveBeenCalledWith(script.sha, ['k'], ['a', 1]);
    expect(redis.eval).not.toHaveBeenCalled();
  });

  it('sends the script by EVAL once when the server does not have it (NOSCRIPT)', async () => {
    const redis = adapter(() => Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.')));
    const run = createScriptRunner(redis, script);
    await expect(run(['k'], ['a'])).resolves.toBe('ran by EVAL');
    expect(redis.eval).toHaveBeenCalledTimes(1);
    expect(redis.eval).toHaveBeenCalledWith(script.lua, ['k'], ['a']);
  });

  it('passes any other error on, without running the script again', async () => {
    const error = new Error('ERR Error running script');
    const redis = adapter(() => Promise.reject(error));
    await expect(createScriptRunner(redis, script)(['k'], [])).rejects.toBe(error);
    expect(redis.eval).not.toHaveBeenCalled();
    const thrown = 'not an Error';
    await expect(createScriptRunner(adapter(() => Promise.reject(thrown)), script)([], [])).rejects.toBe(thrown);
  });
});

describe('a script and its SHA1', () => {
  it('go together, as SCRIPT LOAD would answer', () => {
    expect(createHash('sha1').update(script.lua).digest('hex')).toBe(script.sha);
  });
});
