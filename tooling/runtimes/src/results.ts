/** One smoke check in one runtime. */
export interface CheckResult {
  readonly module: string;
  readonly check: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly ms: number;
}

/** What one runtime of the matrix did. */
export interface RuntimeRun {
  readonly label: string;
  /** The version the runtime reported, e.g. `node 18.20.8`. */
  readonly version: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly results: readonly CheckResult[];
  /** Why it was skipped, or what went wrong outside the checks. */
  readonly note?: string;
  readonly seconds: number;
}

/** The line the smoke entry prints last (smoke/harness.js RESULT_MARKER). */
export const RESULT_MARKER = 'CEMAF_SMOKE_RESULT ';

export function statusOf(results: readonly CheckResult[]): 'passed' | 'failed' {
  return results.length > 0 && results.every((result) => result.ok) ? 'passed' : 'failed';
}
