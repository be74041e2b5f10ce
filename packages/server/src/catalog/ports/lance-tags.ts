/**
 * The tags of a Lance table (lance-namespace 0.13: ListTableTags, GetTableTagVersion, CreateTableTag, UpdateTableTag,
 * DeleteTableTag). A tag lives in the dataset, `_refs/tags/<tag>.json`, written by Lance, for a table of
 * catalog-managed versions and a registered dataset that manages its own alike; the catalog reads and writes them
 * through the Lance library, which checks the version exists and writes the ref as any Lance client does. The in-tree
 * adapter is lance-optimize/lancedb-tags.ts (LanceDB's `Table.tags()` on the catalog's private loopback namespace).
 *
 * Errors: a tag the dataset does not have is ERR_TAG_NOT_FOUND, one it has already (create) ERR_TAG_EXISTS, a version
 * it does not have ERR_TABLE_VERSION_NOT_FOUND, a request Lance refuses as given ERR_VALIDATION, a tag file that is
 * no Lance tag (corrupted in storage) ERR_ILLEGAL_ARGUMENT (never retried: reading it again reads the same bytes);
 * storage or the library failing ERR_UNAVAILABLE.
 */
import { CatalogError } from '../../errors/catalog-error.js';
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
  /** The version one tag names, or undefined when the dataset has no such tag: one tag file read, not the whole list. */
  version(target: LanceTagTarget, tag: string): Promise<number | undefined>;
  create(target: LanceTagTarget, tag: string, version: number): Promise<void>;
  update(target: LanceTagTarget, tag: string, version: number): Promise<void>;
  delete(target: LanceTagTarget, tag: string): Promise<void>;
}

/**
 * Tags in memory (unit tests, the port's contract): each table's tags by name, its versions as given (`versions`:
 * the versions a table holds, which create and update check as Lance does), the same errors as the library's.
 */
export class MemoryLanceTagStore implements LanceTagStore {
  private readonly tables = new Map<string, Map<string, LanceTagInfo>>();

  constructor(private readonly versions: (target: LanceTagTarget) => readonly number[]) {}

  async unavailable(): Promise<string | undefined> {
    return undefined;
  }

  async list(target: LanceTagTarget): Promise<ReadonlyMap<string, LanceTagInfo>> {
    return new Map([...this.of(target)].map(([name, info]) => [name, { ...info }]));
  }

  async version(target: LanceTagTarget, tag: string): Promise<number | undefined> {
    return this.of(target).get(tag)?.version;
  }

  async create(target: LanceTagTarget, tag: string, version: number): Promise<void> {
    if (this.of(target).has(tag)) throw new CatalogError('ERR_TAG_EXISTS', `tag ${tag} already exists`);
    this.put(target, tag, version);
  }

  async update(target: LanceTagTarget, tag: string, version: number): Promise<void> {
    if (!this.of(target).has(tag)) throw new CatalogError('ERR_TAG_NOT_FOUND', `tag ${tag} does not exist`);
    this.put(target, tag, version);
  }

  async delete(target: LanceTagTarget, tag: string): Promise<void> {
    if (!this.of(target).delete(tag)) throw new CatalogError('ERR_TAG_NOT_FOUND', `tag ${tag} does not exist`);
  }

  private put(target: LanceTagTarget, tag: string, version: number): void {
    if (!this.versions(target).includes(version)) throw new CatalogError('ERR_TABLE_VERSION_NOT_FOUND', `version main:${version} does not exist`);
    this.of(target).set(tag, { version, manifestSize: 0 });
  }

  private of(target: LanceTagTarget): Map<string, LanceTagInfo> {
    const key = JSON.stringify([target.warehouse, target.namespace, target.name]);
    let tags = this.tables.get(key);
    if (tags === undefined) this.tables.set(key, (tags = new Map()));
    return tags;
  }
}
