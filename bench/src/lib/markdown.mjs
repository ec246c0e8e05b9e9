/** Markdown rendering helpers. */

/** `align` is a string with one letter per column, `l` or `r`; by default the first column is left, the rest right. */
export function table(headers, rows, align) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  const rule = headers.map((_, index) => ((align?.[index] ?? (index === 0 ? 'l' : 'r')) === 'l' ? '---' : '---:'));
  return [line(headers), line(rule), ...rows.map(line)].join('\n');
}

export const times = (value, digits = 2) => (Number.isFinite(value) ? `${value.toFixed(digits)}×` : '–');
export const ns = (value) => (value >= 10_000 ? `${(value / 1_000).toFixed(1)} µs` : `${value.toFixed(0)} ns`);
export const ms = (value, digits = 1) => `${value.toFixed(digits)} ms`;
export const int = (value) => Math.round(value).toLocaleString('en-US');

export function bytes(value) {
  const sign = value < 0 ? '−' : '';
  const size = Math.abs(value);
  if (size >= 1024 * 1024) return `${sign}${(size / 1024 / 1024).toFixed(1)} MiB`;
  if (size >= 10 * 1024) return `${sign}${(size / 1024).toFixed(0)} KiB`;
  return `${sign}${Math.round(size)} B`;
}
