/**
 * Policy-enforced reads of Lance tables (issue 53 on the Lance protocol): a caller a row-filter or column-mask policy
 * restricts is answered, by DescribeTable, with a Lance dataset the catalog derived from the table (only the rows the
 * filter admits, the masked columns masked), never with the table's own dataset (catalog/lance/policy-reads.ts). The
 * adapter reads the table as the catalog (through the catalog's own Lance routes, as the other LanceDB adapters do),
 * one batch at a time, and writes the derived dataset where the catalog says, with the storage options it hands over.
 * The in-tree adapter is lance-optimize/lancedb-policy-deriver.ts.
 */
import type { Schema } from '../metadata/types.js';
import type { Caller } from './index.js';
import type { ColumnMask } from './policies.js';

/** One column of a Lance table (a top-level one, or a field of a struct) as the Lance library describes it. */
export interface LanceColumn {
  name: string;
  /**
   * The column's type in the Iceberg names the policy rules check against (`string`, `int`, `long`, `float`,
   * `double`, `boolean`, `date`, `timestamp`, `timestamptz`, `binary`; a dictionary-encoded column its values'
   * type), `struct` (its fields in `fields`), `list` for lists and fixed-size lists (vectors), `map` (its key and
   * value in `key` and `value`), or `nested` for anything else no policy may mask or filter on (unions, lists of
   * 64-bit offsets).
   */
  type: string;
  nullable: boolean;
  /** A struct's fields, in order. */
  fields?: LanceColumn[];
  /**
   * A list's element (its name is the list's child's, `item`), whose every value a mask of `<list>.element` masks;
   * none for a fixed-size list (a vector: masked whole only).
   */
  element?: LanceColumn;
  /** A map's key (never masked: it identifies its entry) and value (masked in every entry by `<map>.value`). */
  key?: LanceColumn;
  value?: LanceColumn;
  /**
   * Why the policy-derived dataset cannot carry this column (its type, or one inside it, the deriver cannot copy or
   * the Lance library cannot read back: a fixed-size list of more than one struct), or undefined when it can: a table
   * with such a column takes no policy (catalog/lance/policy-columns.ts, uncarried).
   */
  uncarried?: string;
  /**
   * The column's own type when it holds fewer values than `type` names (`int8`, `int16`, `uint8`, `uint16`, `uint32`,
   * `uint64`, `float16`; a timestamp in another unit than microseconds: `timestamp_ns`, `timestamptz_ms`, …): a mask's fixed value must be one
   * of them (policy-columns.ts, checkNarrowMasks), else the policy-derived dataset would hold another value.
   */
  narrow?: string;
}

/**
 * A Lance table's columns as its policies are checked when written: the Schema (lanceSchema in policy-columns.ts), the
 * field ids of the columns narrower than their type (LanceColumn.narrow), and each column's path with Lance's own
 * field id of it (native-fields.ts).
 */
export interface LancePolicySchema {
  schema: Schema;
  narrow: ReadonlyMap<number, string>;
  nativeIds: ReadonlyMap<string, number>;
}

export interface LanceSource {
  warehouse: string;
  namespace: string[];
  name: string;
  /** The branch to read (its name); undefined: main. */
  branch?: string | undefined;
  /** The version to read (of the branch); undefined: the latest. */
  version?: number | undefined;
  /** Who reads it: the catalog's own derivation caller (no policy applies to it), never the restricted caller. */
  reader: Caller;
}

export interface LanceDerivedTarget {
  /** The directory the dataset is created in, and the dataset's name there (`<directory>/<name>.lance`). */
  directory: string;
  name: string;
  /** Object store options that may write there (and only there). */
  storageOptions: Record<string, string>;
}

export interface LanceRowPolicy {
  /**
   * The effective row filter bound to the columns (field ids of catalog/lance/policy-columns.ts): a BoundExpression of
   * catalog/kit/expression.ts (typed loosely here: ports depend on no service folder); undefined: every row.
   */
  filter?: unknown;
  /** Masks by field id (a top-level column's position + 1; a struct's fields numbered after them, policy-columns.ts). */
  masks: readonly Pick<ColumnMask, 'fieldId' | 'action' | 'value'>[];
  /** The key of `sha-256-query-local` hashes: one per policy version. */
  salt: Uint8Array;
}

export interface LancePolicyDeriver {
  /** Why it cannot be done here (the Lance library does not load), or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  /** The version (the latest when none is asked) and its columns (structs with their fields); ERR_UNPROCESSABLE when it cannot be opened. */
  inspect(source: LanceSource): Promise<{ version: number; columns: LanceColumn[] }>;
  /**
   * Writes `target` from `source` at `source.version` with the policy applied, streaming batches (bounded memory);
   * fails (nothing answered for it) rather than write a column unmasked or a row unfiltered. `signal`: aborted when the
   * table is dropped meanwhile (catalog/lance/policy-lifecycle.ts): stop between two batches, failing with its reason.
   */
  derive(source: LanceSource & { version: number }, target: LanceDerivedTarget, policy: LanceRowPolicy, signal?: AbortSignal): Promise<{ rows: number }>;
}
