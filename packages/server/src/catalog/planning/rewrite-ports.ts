/**
 * The data-file rewriter port (issue 53's policy-enforced files; issue 59's managed compaction will reuse it): read
 * N data files with the delete files that apply to them, keep the rows a predicate admits, transform columns by field
 * id, and write the result as new data files of the same schema (types and field ids included, so every Iceberg
 * reader maps the columns). The adapter (policy-files/parquet-rewriter.ts) streams a row group at a time, so memory
 * is bounded by the largest row group and not by the file, except for the deleted positions and equality-delete keys
 * of the inputs, which are held as sets (a delete file is small beside the data it deletes from).
 *
 * A rewrite that cannot honour every part of its request (a corrupt deletion vector, a filter on a column type not
 * evaluated yet, a transform naming a column the file lacks) throws: it never writes a file that shows more than asked.
 */
import type { BoundExpression } from '../kit/expression.js';
import type { ContentFile } from '../ports/manifests.js';
import type { MaskAction } from '../ports/policies.js';
import type { Value } from './values.js';

/** One delete file that applies to the inputs (decided by the plan's delete index, delete-index.ts). */
export interface RewriteDelete {
  uri: string;
  /** 1: position deletes (file_path, pos, or a deletion vector); 2: equality deletes on `equalityIds`. */
  content: 1 | 2;
  /** parquet, or puffin for a deletion vector (its blob at `contentOffset`, `contentSizeInBytes` long). */
  format: string;
  equalityIds?: readonly number[];
  /** A deletion vector: the one data file it deletes from, where its blob is, and how many positions it holds. */
  referencedDataFile?: string;
  contentOffset?: number;
  contentSizeInBytes?: number;
  recordCount?: number;
}

/** A delete file's manifest entry as a rewrite input's delete (the one mapping, for planning and compaction alike). */
export function rewriteDeleteOf(d: ContentFile): RewriteDelete {
  return {
    uri: d.filePath,
    content: d.content === 2 ? 2 : 1,
    format: d.fileFormat,
    recordCount: d.recordCount,
    ...(d.equalityIds ? { equalityIds: d.equalityIds } : {}),
    ...(d.referencedDataFile !== null ? { referencedDataFile: d.referencedDataFile } : {}),
    ...(d.contentOffset !== null ? { contentOffset: d.contentOffset } : {}),
    ...(d.contentSizeInBytes !== null ? { contentSizeInBytes: d.contentSizeInBytes } : {}),
  };
}

export interface RewriteInput {
  /** The data file, as its manifest entry names it (position deletes match on this exact string). */
  uri: string;
  format: string;
  deletes: readonly RewriteDelete[];
  /**
   * v3 row lineage (a v3 table's compaction and policy-enforced files): what the file's rows inherit (its first_row_id,
   * null when not assigned, and its data sequence number); the output then holds `_row_id` and
   * `_last_updated_sequence_number` for every row, on its position in the input before deletes and the filter.
   * Given for every input of a request or for none.
   */
  lineage?: { firstRowId: number | null; dataSequenceNumber: number } | undefined;
}

/** A per-column transform: one of the read-restriction actions (apache/iceberg#13879). */
export interface ColumnTransform {
  fieldId: number;
  action: MaskAction;
  /** mask-to-fixed-value only. */
  value?: unknown;
}

/**
 * One key of the order the output's rows are written in (a table sort order's field, compaction's sort strategy):
 * the transform of the source column's value (identity, truncate[W], year, month, day, hour; bucket[N] and void are
 * resolved by the caller: refused, dropped), ascending or descending, nulls first or last.
 */
export interface RewriteSortKey {
  fieldId: number;
  /** The source column's Iceberg type (the transform's input: timestamps in micros, dates in days). */
  sourceType: string;
  transform: string;
  descending: boolean;
  nullsFirst: boolean;
}

/**
 * Compaction's z-order (Spark's `sort_order => 'zorder(a, b)'`): rows ordered by the interleaved bits of the columns'
 * order-preserving bytes (Iceberg's ZOrderByteUtils; policy-files/zorder-bytes.ts).
 */
/** Bytes a fixed-width column contributes to the z-order key (ZOrderByteUtils.PRIMITIVE_BUFFER_SIZE). */
export const ZORDER_FIXED_BYTES = 8;

/** Whether a column of this Iceberg type can be z-ordered (Spark's z-order takes the same set). */
export const zorderable = (type: string): boolean =>
  ['boolean', 'int', 'long', 'float', 'double', 'date', 'string', 'binary'].includes(type) || /^timestamp(tz)?(_ns)?$/.test(type);

/** Bytes one column contributes to the key: 8 for fixed-width types, `varLength` for strings and binary. */
export const zorderColumnBytes = (type: string, varLength: number): number => (type === 'string' || type === 'binary' ? varLength : ZORDER_FIXED_BYTES);

export interface RewriteZOrder {
  /** The columns, in the order their bits interleave, each with its Iceberg type. */
  columns: readonly { fieldId: number; sourceType: string }[];
  /** Bytes a string or binary column contributes (Iceberg's var-length-contribution; default 8). */
  varLengthContribution: number;
  /** Bytes of the interleaved key at most (Iceberg's max-output-size; default: every column's bytes). */
  maxOutputSize: number;
}

export interface RewriteRequest {
  inputs: readonly RewriteInput[];
  /** The rows kept, evaluated on the original values (before any transform); undefined keeps every row. */
  filter?: BoundExpression | undefined;
  transforms: readonly ColumnTransform[];
  /**
   * Rows written in this order, across every input (compaction's sort strategy): the rewrite then holds the group's
   * rows in memory (the caller bounds the group); undefined or empty keeps the inputs' order, streaming.
   */
  sort?: readonly RewriteSortKey[] | undefined;
  /** Rows written in z-order instead (held in memory as a sort is); not with `sort`. */
  zorder?: RewriteZOrder | undefined;
  /**
   * Where the output file goes (the caller's catalog-owned location); the rewriter never overwrites an object. With
   * `targetFileSizeBytes`, further files go beside it (`outputAt(output, n)`).
   */
  output: string;
  /**
   * Output cut into files of about this size (compaction's target): each file holds a contiguous run of the rows in
   * the order written (a range of the sort or z-order key), the rows per file estimated from the bytes a row took in
   * the file being written (once a row group of it is), else in the files written so far, else in the inputs.
   * Undefined: one file.
   */
  targetFileSizeBytes?: number | undefined;
  /** sha-256-query-local: the secret its hashes are keyed with (32 bytes). */
  querySalt: Uint8Array;
  /** Aborts the rewrite (it rejects with the signal's reason and publishes nothing): a compaction whose lease was lost. */
  signal?: AbortSignal | undefined;
}

/** Where the n-th file of a rewrite cut into several goes (n from 0: the request's output itself). */
export const outputAt = (output: string, n: number): string => (n === 0 ? output : output.replace(/(\.parquet)?$/, (ext) => `-${n}${ext}`));

/**
 * A column's least and greatest value in a written file (nulls and NaN aside), in values.ts's form as the file stores
 * it: a 32-bit int or a date (days) as number, a 64-bit int as bigint, float and double as number, string, boolean,
 * binary as Uint8Array, a timestamp as bigint in the file's `unit`. Only for top-level columns of those types; the
 * caller encodes them for the column's Iceberg type, or keeps other bounds where the form does not fit the type.
 */
export interface ColumnRange {
  lower: Value;
  upper: Value;
  unit?: 'us' | 'ns' | undefined;
}

/** A written data file, with what a manifest entry or a plan's file scan task needs of it. */
export interface RewrittenFile {
  uri: string;
  format: 'parquet';
  recordCount: number;
  fileSizeInBytes: number;
  /** By field id: bytes on disk, values (nulls included) and nulls of each top-level column. */
  columnSizes: ReadonlyMap<number, number>;
  valueCounts: ReadonlyMap<number, number>;
  nullValueCounts: ReadonlyMap<number, number>;
  /** By field id: the column's range in this file (columns of the types ColumnRange lists that hold a value). */
  ranges?: ReadonlyMap<number, ColumnRange> | undefined;
  /**
   * A request with `targetFileSizeBytes` whose rows took more than one file: the further files, in the order their
   * rows were written (this one holds the first rows). Each is published; none is committed by the rewriter.
   */
  more?: readonly RewrittenFile[] | undefined;
}

export interface DataFileRewriter {
  rewrite(request: RewriteRequest): Promise<RewrittenFile>;
  /** How many rewrites it runs at once (its threads); absent: 1. A compaction keeps that many groups going. */
  readonly parallelism?: number | undefined;
}
