/**
 * DescribeTable's `load_detailed_metadata` (lance-namespace 0.13): what only opening the dataset tells, its version
 * and its schema in the spec's JSON Arrow form (its stats the catalog reads from that version's manifest:
 * catalog/lance/detailed-metadata.ts). The catalog opens either the table (through its own Lance routes,
 * as the other LanceDB adapters do, acting for the caller it authorized) or, for a caller a row/column policy
 * restricts, the policy-derived dataset it answers that caller with (catalog/lance/policy-reads.ts), never the
 * table's own. The in-tree adapter is lance-optimize/lancedb-describer.ts.
 */
import type { Caller } from './index.js';

/** A JSON Arrow data type of the spec: its name (`int32`, `utf8`, `fixed_size_list`...), children and length. */
export interface LanceJsonArrowType {
  type: string;
  fields?: LanceJsonArrowField[];
  length?: number;
}

export interface LanceJsonArrowField {
  name: string;
  nullable: boolean;
  type: LanceJsonArrowType;
  metadata?: Record<string, string>;
}

export interface LanceJsonArrowSchema {
  fields: LanceJsonArrowField[];
  metadata?: Record<string, string>;
}

export interface LanceDatasetDetails {
  /** The version opened (the dataset's own for a derived dataset). */
  version: number;
  schema: LanceJsonArrowSchema;
}

/** The spec's TableBasicStats of the version opened (the catalog reads them from that version's manifest). */
export interface LanceTableBasicStats {
  numDeletedRows: number;
  numFragments: number;
}

/** The table as the catalog's routes serve it, at a branch and version (the latest when undefined). */
export interface LanceDescribedTable {
  kind: 'table';
  warehouse: string;
  namespace: string[];
  name: string;
  branch: string;
  version: number | undefined;
  /** Who opens it: the caller DescribeTable authorized. */
  reader: Caller;
}

/** A dataset the catalog wrote (a policy-derived one): `<directory>/<name>.lance`, read with `storageOptions`. */
export interface LanceDescribedDataset {
  kind: 'dataset';
  directory: string;
  name: string;
  storageOptions: Record<string, string>;
}

export interface LanceDatasetDescriber {
  /** Why it cannot be done here (the Lance library does not load), as the 406's message, or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  /** Opens the dataset and reads its version and schema; ERR_UNPROCESSABLE when it cannot be opened or converted. */
  describe(source: LanceDescribedTable | LanceDescribedDataset): Promise<LanceDatasetDetails>;
}
