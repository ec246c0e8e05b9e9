import { pipeline, type ExecuteOptions, type Policy, type Task } from '@cemaf/core';

export const trace: string[] = [];

interface TracedOptions extends ExecuteOptions {
  /** Extra per-call options reach every policy in a pipeline. */
  requestId?: string;
}

// Any object with an execute() method is a policy: this one logs around each call.
function traced(name: string): Policy<TracedOptions> {
  return {
    async execute<T>(fn: Task<T>, options?: TracedOptions): Promise<T> {
      const attempt = options?.attempt ?? 1;
      trace.push(`${name}: start ${options?.requestId} (attempt ${attempt})`);
      try {
        return await fn({ signal: options?.signal ?? new AbortController().signal, attempt });
      } finally {
        trace.push(`${name}: end`);
      }
    },
  };
}

// The first policy is the outermost.
const resilient = pipeline(traced('outer'), traced('inner'));

export const answer = await resilient.execute(
  ({ attempt }) => {
    trace.push(`fn: attempt ${attempt}`);
    return 42;
  },
  { requestId: 'r-1' },
);
// trace: outer: start r-1 (attempt 1), inner: start r-1 (attempt 1), fn: attempt 1, inner: end, outer: end

// wrap() gives a function with the same parameters that calls through the pipeline.
const getUser = resilient.wrap((id: number) => ({ id, name: 'Ada' }));
export const user = await getUser(7); // { id: 7, name: 'Ada' }
