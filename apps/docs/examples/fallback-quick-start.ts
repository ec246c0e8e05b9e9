import { FallbackPolicy } from '@cemaf/fallback';

export interface Product {
  readonly id: string;
  readonly name: string;
}

/** An answer that no fallback should hide: the request itself is wrong. */
export class BadRequestError extends Error {}

// Recommendations are a nice-to-have: when the service fails, show none instead of an error page.
const orNone = new FallbackPolicy({
  fallback: (): Product[] => [], // a function, so every caller gets an array of its own
  isFailure: (error) => !(error instanceof BadRequestError), // our own bugs still surface
});

// Log what the fallback hides, so that a dead service does not go unnoticed.
orNone.on('fallback', ({ error }) => console.warn('recommendations unavailable:', error));

export function recommendationsFor(userId: string): Promise<Product[]> {
  return orNone.execute(async ({ signal }) => {
    const response = await fetch(`https://api.example.com/recommendations/${userId}`, { signal });
    if (response.status === 400) throw new BadRequestError(await response.text());
    if (!response.ok) throw new Error(`recommendations: HTTP ${response.status}`);
    return (await response.json()) as Product[];
  });
}
