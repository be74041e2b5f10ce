/**
 * A compaction's `sort-order` from text, as Spark's rewrite_data_files `sort_order` is written (the CLI's
 * `lakegate maintain --compact --sort-order`, the console's maintenance panel): terms
 * separated by commas, each a column or a transform of one, then ASC or DESC (default ASC) and NULLS FIRST or NULLS
 * LAST (default: first for ASC, last for DESC, as Spark's). Transforms: `truncate(N, col)` or `truncate(col, N)`,
 * `bucket(N, col)`, and `year`/`month`/`day`/`hour` (or `years`, `months`, `days`, `hours`) of a column. Columns are
 * named as in the table's current schema (top-level), and turned into the Iceberg sort fields the management API
 * takes (source ids): written by hand because the grammar is this small and no library parses Spark's order text.
 * `zorder(a, b)` (Spark's z-order) is read by `parseCompactionOrder`.
 */

/** Text that is not a sort order, or names a column the table lacks: its message says which term and why. */
export class SortOrderTextError extends Error {
  override readonly name = 'SortOrderTextError';
}

/** An Iceberg sort field, as the management API's `sort-order.fields` takes it. */
export interface SortFieldSpec {
  transform: string;
  'source-id': number;
  direction: 'asc' | 'desc';
  'null-order': 'nulls-first' | 'nulls-last';
}

const TIME = new Map([
  ['year', 'year'],
  ['years', 'year'],
  ['month', 'month'],
  ['months', 'month'],
  ['day', 'day'],
  ['days', 'day'],
  ['date', 'day'],
  ['hour', 'hour'],
  ['hours', 'hour'],
]);

const TERM = /^(?:([A-Za-z_]+)\s*\(\s*([^)]*?)\s*\)|("[^"]+"|`[^`]+`|[^\s(),]+))(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?$/i;

/** `text` split at the commas outside parentheses and quotes. */
function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

const unquote = (name: string) => (/^(["`]).*\1$/.test(name) ? name.slice(1, -1) : name);

/** The sort fields for `text`, with `idOf` naming a column's field id (undefined: no such column); SortOrderTextError for bad text. */
export function parseSortOrder(text: string, idOf: (column: string) => number | undefined): SortFieldSpec[] {
  const terms = splitTop(text).map((t) => t.trim());
  if (terms.length === 0 || terms.some((t) => t.length === 0))
    throw new SortOrderTextError(`a sort order needs terms separated by commas, got ${JSON.stringify(text)}`);
  return terms.map((term) => {
    const m = TERM.exec(term);
    if (!m) throw new SortOrderTextError(`sort order: cannot read ${JSON.stringify(term)} (e.g. "id DESC NULLS LAST, truncate(4, name)")`);
    const [, fn, args, plain, dir, nulls] = m;
    let transform = 'identity';
    let column = plain;
    if (fn !== undefined) {
      const parts = (args ?? '').split(/\s*,\s*/).filter((p) => p.length > 0);
      const name = fn.toLowerCase();
      if (name === 'truncate' || name === 'bucket') {
        const n = parts.find((p) => /^\d+$/.test(p));
        column = parts.find((p) => !/^\d+$/.test(p));
        if (parts.length !== 2 || n === undefined || column === undefined)
          throw new SortOrderTextError(`sort order: ${name} takes a width and a column, got ${JSON.stringify(term)}`);
        transform = `${name}[${Number(n)}]`;
      } else if (TIME.has(name)) {
        if (parts.length !== 1) throw new SortOrderTextError(`sort order: ${name} takes one column, got ${JSON.stringify(term)}`);
        transform = TIME.get(name)!;
        column = parts[0];
      } else {
        throw new SortOrderTextError(`sort order: unknown transform ${JSON.stringify(fn)} (truncate, bucket, year, month, day, hour)`);
      }
    }
    const name = unquote(column!);
    const id = idOf(name);
    if (id === undefined) throw new SortOrderTextError(`sort order: the table has no column ${JSON.stringify(name)}`);
    const direction = dir?.toLowerCase() === 'desc' ? 'desc' : 'asc';
    const nullsFirst = nulls === undefined ? direction === 'asc' : nulls.toLowerCase() === 'first';
    return { transform, 'source-id': id, direction, 'null-order': nullsFirst ? 'nulls-first' : 'nulls-last' };
  });
}

/** A compaction request's `sort-order`: sort fields, or a z-order's columns by field id. */
export type CompactionOrderSpec = { fields: SortFieldSpec[] } | { zorder: { 'source-ids': number[] } };

const ZORDER = /^\s*zorder\s*\((.*)\)\s*$/is;

/**
 * A compaction's `sort-order` from Spark's sort_order text: `zorder(a, b)` (columns, no direction: Spark's z-order)
 * or sort terms (`parseSortOrder`); SortOrderTextError for bad text or a column the table lacks.
 */
export function parseCompactionOrder(text: string, idOf: (column: string) => number | undefined): CompactionOrderSpec {
  const z = ZORDER.exec(text);
  if (!z) return { fields: parseSortOrder(text, idOf) };
  const names = splitTop(z[1]!).map((t) => t.trim());
  if (names.some((n) => n.length === 0 || !/^("[^"]+"|`[^`]+`|[^\s(),]+)$/.test(n)))
    throw new SortOrderTextError(`zorder takes columns separated by commas (no directions or transforms), got ${JSON.stringify(text)}`);
  return {
    zorder: {
      'source-ids': names.map((n) => {
        const id = idOf(unquote(n));
        if (id === undefined) throw new SortOrderTextError(`zorder: the table has no column ${JSON.stringify(unquote(n))}`);
        return id;
      }),
    },
  };
}
