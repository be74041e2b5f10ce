/**
 * What the catalog repository keeps in memory between reads, each only while
 * the database says it is current: listing pages and metadata JSON.
 *
 * Listing pages.
 * A listing page is read again only when its namespace's listing version
 * (migration 0011: a counter raised by triggers, in the same transaction,
 * by every create, register, drop or rename in or out of the namespace)
 * differs from the one it was read under. Checking costs one point read of
 * one row instead of reading and decoding every row of the page (about
 * 1 µs a row on SQLite, more on PostgreSQL: docs/benchmarks.md), and it is
 * as fresh as the database for every process on it, not only for this one:
 * the version is read before the page, so a page read while a change lands
 * is kept under the older version and never served under the newer one.
 *
 * Bounded: pages of more than MAX_PAGE_ROWS rows are not kept, and when the
 * rows kept would exceed maxRows the oldest pages go first. The default holds
 * the first pages (101 rows with the look-ahead row) of about 2,500
 * namespaces, a few tens of MB: at 100,000 rows the first pages of a catalog
 * of 1,000 namespaces did not fit, and listing them at random read a page
 * from the database on a few percent of requests (docs/benchmarks-scale.md).
 */
import { Doorkeeper } from '../catalog/doorkeeper.js';

export interface ListedObject {
  readonly id: string;
  readonly namespace: string[];
  readonly name: string;
}

interface Entry {
  version: string;
  rows: readonly ListedObject[];
}

const MAX_PAGE_ROWS = 1_000;

export class ListingCache {
  private readonly entries = new Map<string, Entry>();
  private rows = 0;

  constructor(private readonly maxRows = 250_000) {}

  /** The page read under `version`, if it is kept; a copy of the list (its items are frozen). */
  get(key: string, version: string): ListedObject[] | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.version !== version) {
      this.drop(key, entry);
      return undefined;
    }
    return entry.rows.slice();
  }

  set(key: string, version: string, rows: readonly ListedObject[]): void {
    const old = this.entries.get(key);
    if (old !== undefined) this.drop(key, old);
    if (rows.length > MAX_PAGE_ROWS || this.maxRows === 0) return;
    for (const row of rows) Object.freeze(row);
    // Every row of a page shares its namespace's array: freeze it once.
    if (rows[0] !== undefined) Object.freeze(rows[0].namespace);
    this.rows += rows.length;
    this.entries.set(key, { version, rows });
    for (const [k, e] of this.entries) {
      if (this.rows <= this.maxRows) break;
      this.drop(k, e);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private drop(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.rows -= entry.rows.length;
  }
}

/** The key of a listing page: which objects of which namespace, and where the page starts and how long it is. */
export const listingKey = (warehouse: string, namespace: string, kind: string, after: string | undefined, limit: number): string =>
  // U+0000 cannot occur in names (catalog/identifiers.ts refuses control characters).
  `${warehouse}\u0000${namespace}\u0000${kind}\u0000${after === undefined ? '\u0001' : `\u0002${after}`}\u0000${limit}`;

/**
 * The metadata JSON last read for each catalog object name, with the object's catalog id and metadata location it
 * belongs to. A metadata location names one immutable file and a commit always moves the pointer to a new one, so
 * while a row holds the same (id, metadata location) its metadata column holds the same text. A load therefore asks
 * the database for the row with its metadata *only if* the row's (id, metadata location) differ from the ones kept
 * here (`case when … then null else metadata end`): one query either way, and for an unchanged table the database
 * neither reads (PostgreSQL: de-TOASTs and decompresses) nor sends kilobytes of JSON. Only names read at least
 * twice are kept (see `doorkeeper`); bounded by the characters kept, the oldest going first.
 */
export interface KnownMetadata {
  id: string;
  metadataLocation: string;
  json: string;
}

export class MetadataCache {
  private readonly entries = new Map<string, KnownMetadata>();
  private chars = 0;
  /** A name's JSON is kept only when the name is read again while the doorkeeper remembers its first read. */
  private readonly doorkeeper: Doorkeeper;

  constructor(
    private readonly maxChars = 16 * 1024 * 1024,
    maxSeen = 16_384,
  ) {
    this.doorkeeper = new Doorkeeper(maxSeen);
  }

  get(key: string): KnownMetadata | undefined {
    return this.entries.get(key);
  }

  /** Keeps the JSON read for a name, if the name was read before (or its JSON was kept until now). */
  set(key: string, known: KnownMetadata): void {
    const again = this.entries.has(key) || this.doorkeeper.admit(key);
    this.delete(key);
    if (!again) return;
    if (known.json.length > this.maxChars / 16) return;
    this.entries.set(key, known);
    this.chars += known.json.length;
    for (const [k, v] of this.entries) {
      if (this.chars <= this.maxChars) break;
      this.entries.delete(k);
      this.chars -= v.json.length;
    }
  }

  delete(key: string): void {
    const old = this.entries.get(key);
    if (old === undefined) return;
    this.entries.delete(key);
    this.chars -= old.json.length;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The key of an object's name (U+0000 cannot occur in names). */
export const objectKey = (warehouse: string, namespace: string, name: string): string => `${warehouse}\u0000${namespace}\u0000${name}`;

/** What a store's repository keeps between reads (never inside transactions, which read what they see). */
export interface ReadCaches {
  listings: ListingCache;
  metadata: MetadataCache;
}

export const newReadCaches = (): ReadCaches => ({ listings: new ListingCache(), metadata: new MetadataCache() });
