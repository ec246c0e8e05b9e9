import { TimeoutPolicy } from '@cemaf/timeout';

export interface Profile {
  readonly id: string;
  readonly name: string;
}

// One policy serves every call; each call gets a deadline of its own.
const deadline = new TimeoutPolicy({ timeout: 2_000 });

/** A user's profile, or undefined when the API has not answered within 2 s. */
export async function loadProfile(id: string): Promise<Profile | undefined> {
  try {
    return await deadline.execute(async ({ signal }) => {
      // The deadline covers the headers and the body: fetch and json() both honour the signal.
      const response = await fetch(`https://api.example.com/users/${id}`, { signal });
      return (await response.json()) as Profile;
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'TIMEOUT') return undefined;
    throw error;
  }
}
