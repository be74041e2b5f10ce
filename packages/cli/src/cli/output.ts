/**
 * Everything the CLI writes. Results go to stdout (aligned text for people, one JSON document with `--json` for
 * scripts); errors, warnings and progress go to stderr, progress only when stderr is a terminal so that logs and
 * pipes stay clean.
 */
import { stringify } from 'lossless-json';

/** A writable stream, as far as the CLI uses it. */
export interface Sink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Human or JSON output for one command run.
 *
 * @example
 * ```ts
 * const out = new Output({ json: false });
 * out.table([{ name: 't1' }], ['name']);
 * ```
 */
export class Output {
  readonly json: boolean;
  private readonly stdout: Sink;
  private readonly stderr: Sink;

  constructor(options: { json: boolean; stdout?: Sink; stderr?: Sink }) {
    this.json = options.json;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
  }

  /** Writes the result: `value` as JSON with --json, otherwise the text `human` renders. */
  result(value: unknown, human: () => string): void {
    if (this.json) this.stdout.write(`${toJson(value)}\n`);
    else {
      const text = human();
      if (text !== '') this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
  }

  /** A note for people (stderr), silent with --json. */
  note(text: string): void {
    if (!this.json) this.stderr.write(`${text}\n`);
  }

  /** A warning (stderr), also with --json. */
  warn(text: string): void {
    this.stderr.write(`lakegate: warning: ${text}\n`);
  }

  /** Reports a failure on stderr: one line for people, a JSON object with --json. */
  error(failure: { message: string; type: string; status?: number; exitCode: number }): void {
    if (this.json)
      this.stderr.write(
        `${JSON.stringify({ error: { message: failure.message, type: failure.type, ...(failure.status ? { status: failure.status } : {}), 'exit-code': failure.exitCode } })}\n`,
      );
    else this.stderr.write(`lakegate: error: ${failure.message}\n`);
  }

  /**
   * Runs `work`, showing a spinner with `label` on stderr when it takes more than a moment and stderr is a terminal.
   */
  async progress<T>(label: string, work: () => Promise<T>): Promise<T> {
    if (!this.stderr.isTTY) return work();
    const frames = ['|', '/', '-', '\\'];
    let frame = 0;
    let shown = false;
    const draw = () => {
      shown = true;
      this.stderr.write(`\r${frames[frame++ % frames.length]} ${label}…`);
    };
    // A delay first, so fast calls do not flicker.
    let timer: NodeJS.Timeout = setTimeout(function tick() {
      draw();
      timer = setTimeout(tick, 120);
    }, 250);
    try {
      return await work();
    } finally {
      clearTimeout(timer);
      if (shown) this.stderr.write('\r\x1b[K');
    }
  }
}

/** Stable JSON (2-space indent, 64-bit ids as exact digits: lossless-json writes a bigint as bare digits). */
export function toJson(value: unknown): string {
  return stringify(value, null, 2) ?? 'null';
}

/**
 * Renders rows as aligned columns with an upper-case header line.
 *
 * @example
 * ```ts
 * table([{ name: 'db', tables: 3 }], ['name', 'tables']); // "NAME  TABLES\ndb    3"
 * ```
 */
export function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  const cells = [columns.map((c) => c.toUpperCase()), ...rows.map((r) => columns.map((c) => cell(r[c])))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells
    .map((row) =>
      row
        .map((v, i) => (i === row.length - 1 ? v : v.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Renders `key value` lines with aligned values. */
export function keyValue(pairs: Array<[string, unknown]>, indent = ''): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${indent}${k.padEnd(width)}  ${cell(v)}`.trimEnd()).join('\n');
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.length ? value.join(', ') : '[]';
  return toJson(value).replace(/\s*\n\s*/g, ' ');
}

/** An epoch-millisecond time as ISO text plus how far from now ("in 59m", "3m ago"). */
export function describeTime(ms: number, now = Date.now()): string {
  const delta = ms - now;
  const abs = Math.abs(delta);
  const span =
    abs < 60_000
      ? `${Math.round(abs / 1000)}s`
      : abs < 3_600_000
        ? `${Math.round(abs / 60_000)}m`
        : abs < 172_800_000
          ? `${Math.round(abs / 3_600_000)}h`
          : `${Math.round(abs / 86_400_000)}d`;
  return `${new Date(ms).toISOString()} (${delta >= 0 ? `in ${span}` : `${span} ago`})`;
}
