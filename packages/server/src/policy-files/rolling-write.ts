/**
 * A rewrite's output cut into files near a target size (compaction's `target-file-size-bytes`; Iceberg's rolling
 * writers do the same): the batches, in the order they come (sorted, z-ordered or as read), are written to one local
 * Parquet file after another, each file a contiguous run of them, so a sorted rewrite's files hold disjoint ranges of
 * the key. Rows per file are estimated from the bytes a row took in the files written so far, else from the inputs'
 * bytes a row (the caller's estimate: compressed input bytes over rows read); when the rows in all are known (a sort
 * holds them), the remaining rows are spread evenly over the files they need, so the last file is not a sliver.
 * A batch is sliced where a file ends. Memory: one batch in hand beyond what the source holds; each file is on disk
 * once written (the writer streams a row group at a time, parquet-io.ts).
 */
import type { RecordBatch } from 'apache-arrow';
import { FileRanges } from './file-ranges.js';
import { writeParquet } from './parquet-io.js';

export interface WrittenPart {
  path: string;
  size: number;
  rows: number;
  stats: FileRanges;
}

export interface RollingOptions {
  /** Bytes a file is cut at (estimated); undefined: one file. */
  targetBytes?: number | undefined;
  /** Every row the source will yield, once known (a sort's held rows); undefined: not known. */
  totalRows?: () => number | undefined;
  /** The inputs' bytes a row so far (undefined before an input was read whole). */
  inputBytesPerRow: () => number | undefined;
  /** A fresh local path for the next file. */
  scratch: () => Promise<string>;
}

export async function writeRolling(source: AsyncIterable<RecordBatch>, o: RollingOptions): Promise<WrittenPart[]> {
  const parts: WrittenPart[] = [];
  const it = source[Symbol.asyncIterator]();
  let pending: RecordBatch | undefined;
  let ended = false;
  let doneRows = 0;
  let doneBytes = 0;
  const pull = async (): Promise<boolean> => {
    if (pending !== undefined) return true;
    if (ended) return false;
    const next = await it.next();
    if (next.done) ended = true;
    else pending = next.value;
    return !ended;
  };
  const budget = (): number => {
    if (o.targetBytes === undefined) return Infinity;
    const perRow = doneRows > 0 ? doneBytes / doneRows : o.inputBytesPerRow();
    if (perRow === undefined || !(perRow > 0)) return Infinity;
    const perFile = Math.max(1, Math.floor(o.targetBytes / perRow));
    const total = o.totalRows?.();
    if (total === undefined) return perFile;
    const remaining = Math.max(1, total - doneRows);
    return Math.ceil(remaining / Math.max(1, Math.ceil(remaining / perFile)));
  };
  try {
    for (;;) {
      // A further file only for rows left (batches of no rows after the last file are not a file).
      if (parts.length > 0) {
        while ((await pull()) && pending!.numRows === 0) pending = undefined;
        if (pending === undefined) break;
      }
      const stats = new FileRanges();
      let rows = 0;
      async function* slice(): AsyncGenerator<RecordBatch> {
        while (rows < budget() && (await pull())) {
          const batch = pending!;
          const take = Math.min(batch.numRows, budget() - rows);
          const out = take === batch.numRows ? batch : batch.slice(0, take);
          pending = take === batch.numRows ? undefined : batch.slice(take);
          rows += take;
          stats.observe(out);
          yield out;
        }
      }
      const path = await o.scratch();
      const size = await writeParquet(path, slice());
      parts.push({ path, size, rows, stats });
      doneRows += rows;
      doneBytes += size;
      if (!(await pull())) break;
    }
  } finally {
    await it.return?.();
  }
  return parts;
}
