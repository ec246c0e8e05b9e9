/** What a span of a timeline row shows; each kind has its own colour in `TimelineChart`. */
export type SpanKind = 'ok' | 'failed' | 'wait' | 'rejected' | 'queued' | 'timeout' | 'fallback';

/** A stretch of time in a row of a timeline, in ms. */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly kind: SpanKind;
  /** Shown when the reader hovers the span. */
  readonly label?: string;
  /** A short text written above the span when it is wide enough: a backoff delay, say. */
  readonly note?: string;
}

/** A row of a timeline: one call, one key, one worker... */
export interface TimelineRow {
  readonly label: string;
  readonly spans: readonly Span[];
  /** Rows of one group sit together; a line separates a group from the one before it. */
  readonly group?: string;
}

/** A vertical line across the timeline: a window boundary, the moment a circuit opened. */
export interface TimelineMarker {
  readonly at: number;
  readonly label: string;
}

/** Legend text of each span kind. */
export const spanKindLabels: Readonly<Record<SpanKind, string>> = {
  ok: 'succeeded',
  failed: 'failed',
  wait: 'waiting',
  rejected: 'rejected',
  queued: 'queued',
  timeout: 'timed out',
  fallback: 'fallback answered',
};

/** The latest time on the timeline, in ms (0 when empty). */
export function timelineEnd(rows: readonly TimelineRow[], markers: readonly TimelineMarker[] = []): number {
  let end = 0;
  for (const row of rows) for (const span of row.spans) end = Math.max(end, span.end);
  for (const marker of markers) end = Math.max(end, marker.at);
  return end;
}

/**
 * Round tick values for an axis from 0 to `end`: steps of 1, 2 or 5 times a power of ten,
 * about `count` of them, the last one at or past `end`.
 */
export function ticks(end: number, count = 6): number[] {
  if (!(end > 0)) return [0];
  const raw = end / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= raw) ?? 10 * power;
  const values: number[] = [];
  for (let value = 0; value < end + step; value += step) values.push(value);
  return values;
}

/** A duration for axis labels and summaries: `850 ms`, `1.5 s`. */
export function formatMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1_000;
  return `${Number(seconds.toFixed(seconds < 10 ? 2 : 1))} s`;
}
