/**
 * A DuckDB-written policy-enforced file's counts and ranges (what file-ranges.ts reports of the Parquet rewriter's),
 * computed by DuckDB over the file it wrote instead of reading it back in JavaScript: values and nulls counted, the
 * least and greatest value in values.ts's form (a date in days, a long as bigint, a timestamp as bigint microseconds,
 * strings in UTF-8 byte order, which is DuckDB's). A file with float or double columns gets undefined (its caller
 * reads it back): NaN and -0 have their own order there (file-ranges.ts), which this does not repeat.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnRange } from '../catalog/planning/rewrite-ports.js';
import type { Value } from '../catalog/planning/values.js';
import { type DuckColumn, ident } from './duckdb-sql.js';

export interface DuckStats {
  records: number;
  valueCounts: Map<number, number>;
  nullValueCounts: Map<number, number>;
  ranges: Map<number, ColumnRange>;
}

/** A bound of the column as text (a date as its days since 1970, a timestamp as its epoch microseconds). */
function bound(col: DuckColumn, agg: 'min' | 'max'): string {
  const x = `${agg}(${ident(col.name)})`;
  if (col.type === 'DATE') return `CAST(${x} - DATE '1970-01-01' AS VARCHAR)`;
  if (col.type.startsWith('TIMESTAMP')) return `CAST(epoch_us(${x}) AS VARCHAR)`;
  return `CAST(${x} AS VARCHAR)`;
}

function valueOf(col: DuckColumn, s: string): Value | undefined {
  switch (col.type) {
    case 'INTEGER':
    case 'DATE':
      return Number(s);
    case 'BIGINT':
    case 'TIMESTAMP':
    case 'TIMESTAMP WITH TIME ZONE':
      return BigInt(s);
    case 'VARCHAR':
      return s;
    case 'BOOLEAN':
      return s === 'true';
    default:
      return undefined;
  }
}

export async function duckStats(c: DuckDBConnection, file: string, columns: readonly DuckColumn[]): Promise<DuckStats | undefined> {
  if (columns.some((col) => valueOf(col, '0') === undefined)) return undefined;
  const parts = ['CAST(count(*) AS VARCHAR)'];
  for (const col of columns) parts.push(`CAST(count(${ident(col.name)}) AS VARCHAR)`, bound(col, 'min'), bound(col, 'max'));
  const row = (await c.runAndReadAll(`SELECT ${parts.join(', ')} FROM read_parquet(${file})`)).getRows()[0];
  if (row === undefined) return undefined;
  const records = Number(row[0]);
  const out: DuckStats = { records, valueCounts: new Map(), nullValueCounts: new Map(), ranges: new Map() };
  for (const [i, col] of columns.entries()) {
    const [count, lo, hi] = [row[1 + 3 * i], row[2 + 3 * i], row[3 + 3 * i]];
    out.valueCounts.set(col.fieldId, records);
    out.nullValueCounts.set(col.fieldId, records - Number(count));
    if (typeof lo !== 'string' || typeof hi !== 'string') continue;
    const [lower, upper] = [valueOf(col, lo)!, valueOf(col, hi)!];
    out.ranges.set(col.fieldId, { lower, upper, ...(col.type.startsWith('TIMESTAMP') ? { unit: 'us' as const } : {}) });
  }
  return out;
}
