/**
 * Writing for people: colours only on a terminal that wants them (NO_COLOR, TERM=dumb and
 * non-TTY output turn them off; FORCE_COLOR turns them on), numbers with thousands separators,
 * durations, hex bytes.
 */

import type { Writable } from 'node:stream';

export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

type Stream = Writable & { readonly isTTY?: boolean };

export function colorsWanted(stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function styleFor(stream: Stream, env: NodeJS.ProcessEnv = process.env): Style {
  const enabled = colorsWanted(stream, env);
  const sgr = (open: number, close: number) => (text: string): string => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { enabled, bold: sgr(1, 22), dim: sgr(2, 22), green: sgr(32, 39), red: sgr(31, 39), yellow: sgr(33, 39), cyan: sgr(36, 39) };
}

/** stdout and stderr with their styles. */
export interface Console {
  readonly out: Stream;
  readonly err: Stream;
  readonly style: Style;
  readonly errStyle: Style;
  line(text?: string): void;
  error(text: string): void;
  /** Set by a command that finished but must report a failure (e.g. `cluster status` of a down cluster). */
  exitCode?: number;
}

export function makeConsole(out: Stream = process.stdout, err: Stream = process.stderr): Console {
  const style = styleFor(out);
  const errStyle = styleFor(err);
  return {
    out,
    err,
    style,
    errStyle,
    line: (text = '') => void out.write(text + '\n'),
    error: (text) => void err.write(text + '\n'),
  };
}

/**
 * A reader that stops early (`tessera tables | head -1`) closes the pipe, and the next write
 * fails with EPIPE. The rest of the output is unwanted, not an error: exit at once, quietly and
 * successfully, as the command's work is done by the time it writes. Other write errors stay
 * loud.
 */
export function exitQuietlyWhenOutputCloses(stream: Writable, exit: (code: number) => void = (code) => process.exit(code)): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    exit(0);
  });
}

const grouped = new Intl.NumberFormat('en-US');

/** 12345 → "12,345"; bigints too. */
export function formatCount(n: number | bigint): string {
  return grouped.format(n);
}

/** A number with at most `digits` fraction digits, grouped: 128.4567 → "128.46". */
export function formatNumber(n: number, digits = 2): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(n);
}

export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** "3f a2 09 …" */
export function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Rows of cells as aligned columns (the first row is the header when `header` is set). */
export function table(rows: readonly (readonly string[])[], options: { indent?: string; header?: boolean; style?: Style } = {}): string {
  const visible = (s: string): number => s.replace(/\u001b\[[0-9;]*m/g, '').length;
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell))));
  const indent = options.indent ?? '';
  return rows
    .map((row, r) => {
      const text = row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i] - visible(cell)))).join('  ');
      return indent + (options.header && r === 0 && options.style ? options.style.bold(text) : text);
    })
    .join('\n');
}
