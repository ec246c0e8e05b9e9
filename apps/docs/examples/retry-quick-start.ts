import { isTransientError, RetryPolicy } from '@cemaf/retry';

export interface User {
  readonly id: string;
  readonly name: string;
}

// One policy for every call to the users API: up to 4 attempts, 500 ms, 1 s and 2 s apart,
// and only for failures that may pass (connection refused or reset, DNS, timeouts).
const policy = new RetryPolicy({ maxAttempts: 4, initialDelay: 500, retryIf: isTransientError });

export function getUser(id: string): Promise<User> {
  return policy.execute(async ({ signal }) => {
    const response = await fetch(`https://api.example.com/users/${encodeURIComponent(id)}`, { signal });
    if (!response.ok) throw new Error(`GET /users/${id} answered ${response.status}`);
    return (await response.json()) as User;
  });
}
