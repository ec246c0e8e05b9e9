// @cemaf/fallback: FallbackPolicy with a value, a function and isFailure.
import { assert, track } from './harness.js';

export default {
  packages: ['@cemaf/fallback', '@cemaf/core'],
  checks(packages, check) {
    const { FallbackPolicy } = packages['@cemaf/fallback'];

    check('a value replaces a failure; a success passes through', async () => {
      const policy = new FallbackPolicy({ fallback: 'cached' });
      assert.equal(await policy.execute(() => Promise.reject(new Error('down'))), 'cached', 'after a rejection');
      const sync = track(
        policy.execute(() => {
          throw new Error('sync');
        }),
      );
      assert.equal(await sync, 'cached', 'after a sync throw');
      assert.equal(await policy.execute(() => 'fresh'), 'fresh', 'after a success');
    });

    check('a function gets the error and the context', async () => {
      const seen = [];
      const policy = new FallbackPolicy({
        fallback: (error, ctx) => {
          seen.push([error, ctx.attempt]);
          return 'from the function';
        },
      });
      const failure = new Error('down');
      assert.equal(await policy.execute(() => Promise.reject(failure)), 'from the function', 'result');
      assert.equal(
        await policy.execute(() => Promise.reject('plain string')),
        'from the function',
        'result for a string',
      );
      assert.deepEqual(
        seen.map(([, attempt]) => attempt),
        [1, 1],
        'ctx.attempt',
      );
      assert.equal(seen[0][0], failure, 'the error');
      assert.equal(seen[1][0], 'plain string', 'a non-Error throwable, unchanged');
    });

    check('isFailure decides what falls back; an abort is not replaced', async () => {
      const policy = new FallbackPolicy({ fallback: 'default', isFailure: (error) => error?.code !== 'NOT_FOUND' });
      const notFound = Object.assign(new Error('no such user'), { code: 'NOT_FOUND' });
      assert.equal(
        await assert.rejects(
          policy.execute(() => Promise.reject(notFound)),
          'excluded',
        ),
        notFound,
        'an excluded error',
      );
      const reason = new Error('cancelled');
      let calls = 0;
      const early = track(policy.execute(() => calls++, { signal: AbortSignal.abort(reason) }));
      assert.equal(await assert.rejects(early, 'already aborted'), reason, 'rejection is signal.reason');
      assert.equal(calls, 0, 'fn calls');
    });

    check('wrap() keeps the arguments', async () => {
      const policy = new FallbackPolicy({ fallback: 0 });
      assert.equal(await policy.wrap((a, b) => a + b)(2, 3), 5, 'wrapped call');
    });

    check('options are validated', () => {
      const error = assert.throws(() => new FallbackPolicy({ fallback: 1, isFailure: 5 }), 'isFailure: 5');
      assert.error(error, TypeError, 'FallbackPolicy: isFailure must be a function, got 5', 'isFailure: 5');
    });
  },
};
