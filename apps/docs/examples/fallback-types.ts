import { FallbackPolicy } from '@cemaf/fallback';

export interface User {
  readonly id: string;
  readonly name: string;
}

async function fetchUser(id: string, signal: AbortSignal): Promise<User> {
  const response = await fetch(`https://api.example.com/users/${id}`, { signal });
  if (!response.ok) throw new Error(`users: HTTP ${response.status}`);
  return (await response.json()) as User;
}

const orNull = new FallbackPolicy({ fallback: null }); // a FallbackPolicy<null>

/** The user, or null when the lookup fails. */
export function findUser(id: string): Promise<User | null> {
  return orNull.execute(({ signal }) => fetchUser(id, signal)); // resolves to User | null
}
