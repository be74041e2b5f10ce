/**
 * A rewrite's output cut into files near a target size (compaction's `target-file-size-bytes`; Iceberg's rolling
 * writers do the same): the batches, in the order they come (sorted, z-ordered or as read), are written to one local
 * Parquet file after another, each file a contiguous run of them, so a sorted rewrite's files hold disjoint ranges of
 * the key. Rows per file are estimated from the bytes a row took in the file being written, once a row group of it is
 * on disk (the writer tells each one, parquet-io.ts), else in the files written so far, else from the inputs' bytes a
 * row (the caller's estimate: compressed input bytes over rows read, which another codec can miss by far: ZSTD input
 * written as Snappy made a first file 1.38 times the target); when the rows in all are known (a sort holds them), the
 * remaining rows are spread evenly over the files they need, so the last file is not a sliver.
 * For the file's own bytes to correct its estimate in time, a file is written in row groups of an eighth of the rows
 * a full file is estimated to hold (at most ROW_GROUP_ROWS, at least MIN_GROUP_BYTES by the estimate): its first row
 * group is on disk before an eighth of it, so an estimate up to 8 times too many rows a file is corrected before the
 * file passes the target; a full file holds about 8 row groups (16 MiB ones at Iceberg's 128 MiB default target,
 * capped at ROW_GROUP_ROWS rows as before; 128 KiB ones at compaction's least target, 1 MiB).
 * A batch is sliced where a file or a row group ends. Memory: one batch in hand beyond what the source holds; each file
 * is on disk once written (the writer streams a row group at a time).
 */
import type { RecordBatch } from 'apache-arrow';
import { FileRanges } from './file-ranges.js';
import { ROW_GROUP_ROWS, type WriteProgress, writeParquet } from './parquet-io.js';

/** Row groups a file is written in, at least: its first is on disk before this share of its estimated rows. */
const GROUPS_PER_FILE = 8;
/** Estimated bytes of a row group at least: far above what the writer keeps in its buffer (8 KiB, parquet-io.ts). */
const MIN_GROUP_BYTES = 64 * 1024;

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
  /** The file being written: its row groups on disk so far. */
  let current: WriteProgress = { rows: 0, bytes: 0 };
  const bytesPerRow = (): number | undefined => {
    const perRow = current.rows > 0 ? current.bytes / current.rows : doneRows > 0 ? doneBytes / doneRows : o.inputBytesPerRow();
    return perRow !== undefined && perRow > 0 ? perRow : undefined;
  };
  const budget = (): number => {
    const perRow = bytesPerRow();
    if (o.targetBytes === undefined || perRow === undefined) return Infinity;
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
      current = { rows: 0, bytes: 0 };
      // The file's row-group size from its estimate, made once a batch is in hand (the first input's footer read).
      // A batch must not cross a row group's end: the writer tells a row group's bytes before the next batch is pulled.
      await pull();
      const perRow = o.targetBytes === undefined ? undefined : bytesPerRow();
      const groupBytes = Math.max(MIN_GROUP_BYTES, (o.targetBytes ?? 0) / GROUPS_PER_FILE);
      const groupRows = perRow === undefined ? ROW_GROUP_ROWS : Math.min(ROW_GROUP_ROWS, Math.max(1, Math.ceil(groupBytes / perRow)));
      async function* slice(): AsyncGenerator<RecordBatch> {
        for (let left = budget() - rows; left > 0 && (await pull()); left = budget() - rows) {
          const batch = pending!;
          const take = Math.min(batch.numRows, left, groupRows - (rows % groupRows));
          const out = take === batch.numRows ? batch : batch.slice(0, take);
          pending = take === batch.numRows ? undefined : batch.slice(take);
          rows += take;
          stats.observe(out);
          yield out;
        }
      }
      const path = await o.scratch();
      // Without a target (a policy-enforced file, one file) the writer is as it was: nothing to tell.
      const size = await writeParquet(path, slice(), o.targetBytes === undefined ? {} : { rowGroupRows: groupRows, flushed: (p) => (current = p) });
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
