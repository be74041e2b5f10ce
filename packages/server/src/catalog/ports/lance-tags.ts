/**
 * The tags of a Lance table (lance-namespace 0.13: ListTableTags, GetTableTagVersion, CreateTableTag, UpdateTableTag,
 * DeleteTableTag). A tag lives in the dataset, `_refs/tags/<tag>.json`, written by Lance, for a table of
 * catalog-managed versions and a registered dataset that manages its own alike; the catalog reads and writes them
 * through the Lance library, which checks the version exists and writes the ref as any Lance client does. The in-tree
 * adapter is lance-optimize/lancedb-tags.ts (LanceDB's `Table.tags()` on the catalog's private loopback namespace).
 *
 * Errors: a tag the dataset does not have is ERR_TAG_NOT_FOUND, one it has already (create) ERR_TAG_EXISTS, a version
 * it does not have ERR_TABLE_VERSION_NOT_FOUND, a request Lance refuses as given ERR_VALIDATION; storage or the library
 * failing ERR_UNAVAILABLE.
 */
import type { Caller } from './index.js';

/** The table, and the caller the library acts for (authorized by the service before). */
export interface LanceTagTarget {
  warehouse: string;
  namespace: string[];
  name: string;
  actor: Caller;
}

/** A tag as the spec's TagContents gives it. */
export interface LanceTagInfo {
  /** The branch of the tagged version; undefined for main. */
  branch?: string;
  version: number;
  manifestSize: number;
}

export interface LanceTagStore {
  /** Why the library cannot be used here (the refusal's message), or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  /**
   * Every tag by name. A Map, not an object: a tag may be named `__proto__` or `constructor` (Lance takes both), which
   * an object would turn into its prototype, or answer from it when the tag is absent.
   */
  list(target: LanceTagTarget): Promise<ReadonlyMap<string, LanceTagInfo>>;
  create(target: LanceTagTarget, tag: string, version: number): Promise<void>;
  update(target: LanceTagTarget, tag: string, version: number): Promise<void>;
  delete(target: LanceTagTarget, tag: string): Promise<void>;
}
