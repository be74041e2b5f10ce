/**
 * Lance data written by the catalog (issue 58): CreateTable with an Arrow IPC body, the rows becoming the new table's
 * first version. As with optimize (ports/lance-optimizer.ts), the adapter must commit through the table's managed
 * versions (CreateTableVersion's checks, compare-and-swap, event and audit record), never by writing `_versions/`
 * itself: the in-tree adapter (lance-optimize/lancedb-table-writer.ts) drives LanceDB through a private loopback Lance
 * namespace, acting for the caller, so the table is declared and its version committed by the catalog's own routes.
 */
import type { Caller } from './index.js';

export interface LanceCreateTarget {
  warehouse: string;
  namespace: string[];
  name: string;
  /** Who declares the table and commits its version: the caller CreateTable was authorized for. */
  committer: Caller;
  /**
   * What the table is declared with (CreateTable's own, checked already): its location (undefined: the catalog picks
   * one, as for any DeclareTable without one) and properties. The writer's DeclareTable must carry them.
   */
  declare: { location: string | undefined; properties: Record<string, string> };
}

/** What an Arrow IPC stream holds, as read before anything is stored. */
export interface LanceIpcSummary {
  columns: number;
  rows: number;
}

export interface LanceTableWriter {
  /** Why data cannot be written here (the Lance library does not load), as the 406's message naming it, or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  /** Reads an Arrow IPC stream without storing anything; ERR_VALIDATION when it is not one, or has no column. */
  check(ipc: Uint8Array): Promise<LanceIpcSummary>;
  /**
   * Declares the table and writes the stream's rows as its first version, through the catalog's Lance namespace.
   * ERR_NOT_IMPLEMENTED without the library; another client's first version of the declared table landing before
   * this one is ERR_COMMIT_CONFLICT (the caller keeps that table and version); any other failure of the library is
   * ERR_UNAVAILABLE (the caller removes what was declared, unless it holds a version).
   */
  create(target: LanceCreateTarget, ipc: Uint8Array): Promise<{ version: number }>;
}

/** One field's metadata change of UpdateFieldMetadata (lance-namespace 0.13), checked already. */
export interface LanceFieldMetadataChange {
  /** The path as the client sent it (handed to the library), and its segments (catalog/lance/field-paths.ts). */
  path: string;
  segments: string[];
  /** Keys to set; null deletes the key. */
  metadata: Record<string, string | null>;
  /** The field's metadata becomes exactly `metadata` (its null keys left out), instead of merged into. */
  replace: boolean;
}

export interface LanceFieldMetadataTarget {
  warehouse: string;
  namespace: string[];
  name: string;
  /** The branch the version is committed on (MAIN_BRANCH, or one the catalog holds versions of). */
  branch: string;
  /** Who commits the version: the caller UpdateFieldMetadata was authorized for (`table:write-data`). */
  committer: Caller;
}

/**
 * UpdateFieldMetadata written by the catalog: as with CreateTable with data, the adapter must commit the new version
 * through the table's managed versions (CreateTableVersion), never by writing `_versions/` itself.
 */
export interface LanceFieldMetadataWriter {
  /** Why it cannot be done here (the Lance library does not load), as the 406's message, or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  /**
   * Applies the changes, in order, as one new version of the branch, and answers that version and each changed field's
   * metadata after it, by canonical path. A path naming no field of the table is ERR_VALIDATION, before anything is
   * written; a concurrent commit it lost to (that Lance could not rebase on) is ERR_COMMIT_CONFLICT, the other
   * version kept; any other failure of the library is ERR_UNAVAILABLE (nothing was committed unless
   * CreateTableVersion answered).
   */
  update(
    target: LanceFieldMetadataTarget,
    changes: readonly LanceFieldMetadataChange[],
  ): Promise<{ version: number; fields: Record<string, Record<string, string>> }>;
}

/** The table and the new branch of CreateTableBranch, and who commits its first version (`table:write-data`). */
export type LanceBranchTarget = LanceFieldMetadataTarget;

/** Where CreateTableBranch starts its branch: a version of a branch the catalog holds, checked already. */
export interface LanceBranchSource {
  /** MAIN_BRANCH, or another branch the catalog holds versions of. */
  branch: string;
  version: number;
}

/**
 * CreateTableBranch done by the catalog: Lance writes the branch's ref and first manifest, and the adapter commits that
 * version through the table's managed versions (CreateTableVersion with the new branch), never by writing
 * `_versions/` itself.
 */
export interface LanceBranchCreator {
  /** Why it cannot be done here (the Lance library does not load), as the 406's message, or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  /**
   * Creates branch `target.branch` from `source`, and answers the branch's first version. A branch Lance has already
   * (its ref) is ERR_BRANCH_EXISTS; another failure of the library is ERR_UNAVAILABLE.
   */
  create(target: LanceBranchTarget, source: LanceBranchSource): Promise<{ version: number }>;
}

/** One new column of AlterTableAddColumns (lance-namespace 0.13), checked already. */
export interface LanceNewColumn {
  name: string;
  /** The SQL expression. */
  sql: string;
}

/**
 * AlterTableAddColumns written by the catalog: as with UpdateFieldMetadata, the adapter commits the new version
 * through the table's managed versions (CreateTableVersion), never by writing `_versions/` itself.
 */
export interface LanceColumnAdder {
  /** Why it cannot be done here (the Lance library does not load), as the 406's message, or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  /**
   * Adds the columns as one new version of the branch: `computed` declares them (all-null, each expression kept as its
   * binding for a refresh), otherwise each expression is evaluated once over the existing rows. A name the table
   * already has, or an expression the table cannot evaluate, is ERR_VALIDATION before anything is written; a
   * concurrent commit it lost to is ERR_COMMIT_CONFLICT; any other failure of the library is ERR_UNAVAILABLE.
   */
  add(target: LanceFieldMetadataTarget, columns: readonly LanceNewColumn[], computed: boolean): Promise<{ version: number }>;
}
