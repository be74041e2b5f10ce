/**
 * Reads manifest lists and manifests (Iceberg spec v1, v2 and v3) from a table's storage. Written once, for
 * scan planning and later table maintenance. Refuses any file outside the table's locations: a manifest list
 * names manifests, and a hostile or broken list must not make the catalog read (or vend) other tables' files.
 * Every failure (missing, corrupt, too large, outside) is a CatalogError with the file named, never a crash.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { isUnderRoot } from '../locations.js';
import type { ManifestCache } from './manifest-cache.js';
import { openAvro } from './read-avro.js';
import type { ContentFile, EntryStatus, FieldSummary, ManifestCounts, ManifestEntry, ManifestFile, ManifestSource } from '../ports/manifests.js';

/** Largest manifest list or manifest read (a manifest of ~100k entries is a few tens of MB). */
export const MAX_MANIFEST_BYTES = 128 * 1024 * 1024;

export class ManifestReader {
  constructor(
    private readonly source: ManifestSource,
    /** The table's location (and any other location its files may live under): nothing outside is read. */
    private readonly allowed: readonly string[],
    /** Decoded manifests shared between readers (and so between plans); optional. */
    private readonly cache?: ManifestCache,
    /** Names whose cache entries these are (warehouse and table): a cache shared across tables never mixes them. */
    private readonly cacheScope = '',
  ) {}

  private checkAllowed(uri: string): void {
    if (!this.allowed.some((root) => isUnderRoot(root, uri))) {
      throw new CatalogError('ERR_VALIDATION', `Manifest file ${uri} lies outside the table's location`);
    }
  }

  private async bytes(uri: string): Promise<Uint8Array> {
    this.checkAllowed(uri);
    try {
      return await this.source.read(uri, MAX_MANIFEST_BYTES);
    } catch (e) {
      if (e instanceof CatalogError && e.code === 'ERR_PAYLOAD_TOO_LARGE')
        throw new CatalogError('ERR_VALIDATION', `Manifest file ${uri} is too large to read`);
      if (e instanceof CatalogError) throw new CatalogError('ERR_VALIDATION', `Cannot read manifest file ${uri}: it does not exist or cannot be opened`);
      throw e;
    }
  }

  /** The manifests a snapshot's manifest list names. */
  async readManifestList(uri: string): Promise<ManifestFile[]> {
    this.checkAllowed(uri);
    const cached = this.cache?.getList(uri, this.cacheScope);
    // A copy: the caller may filter or sort its own array, never the kept one.
    if (cached !== undefined) return cached.slice();
    const avro = await openAvro(uri, await this.bytes(uri));
    const out: ManifestFile[] = [];
    for await (const r of avro.records) {
      out.push({
        path: str(r.manifest_path, uri),
        length: num(r.manifest_length),
        partitionSpecId: num(r.partition_spec_id),
        content: r.content === 1 ? 1 : 0,
        sequenceNumber: num(r.sequence_number ?? 0),
        minSequenceNumber: num(r.min_sequence_number ?? 0),
        addedSnapshotId: BigInt(r.added_snapshot_id as bigint),
        partitions: Array.isArray(r.partitions) ? (r.partitions as Record<string, unknown>[]).map(summary) : null,
        ...(r.added_files_count !== undefined && r.added_files_count !== null ? { counts: counts(r) } : {}),
        ...(r.first_row_id !== undefined && r.first_row_id !== null && r.content !== 1 ? { firstRowId: num(r.first_row_id) } : {}),
      });
    }
    this.cache?.putList(uri, out.slice(), this.cacheScope);
    return out;
  }

  /**
   * The live entries (added and existing, not deleted) of one manifest, one at a time, with the sequence
   * numbers inherited from the manifest list where the file leaves them null, and (v3) each data file's first row id
   * inherited where the file has none: the manifest's `first_row_id` plus the record counts of the live files before it
   * that had none (spec: "First Row ID Inheritance"). The inheritance is applied here and not kept in the cache: the
   * same manifest may be listed without a first_row_id (a v2 list) and with one (after an upgrade to v3).
   */
  async *readManifest(manifest: ManifestFile): AsyncGenerator<ManifestEntry> {
    const first = manifest.content === 0 ? manifest.firstRowId : null;
    if (first === null || first === undefined) {
      yield* this.readEntries(manifest);
      return;
    }
    let next = first;
    for await (const e of this.readEntries(manifest)) {
      if (e.file.firstRowId !== null) yield e;
      else {
        yield { ...e, file: { ...e.file, firstRowId: next } };
        next += e.file.recordCount;
      }
    }
  }

  private async *readEntries(manifest: ManifestFile): AsyncGenerator<ManifestEntry> {
    // The location rule holds for cached manifests too: the cache is shared, this reader's table is not.
    this.checkAllowed(manifest.path);
    const cached = this.cache?.get(manifest, this.cacheScope);
    if (cached !== undefined) {
      yield* cached;
      return;
    }
    let kept: ManifestEntry[] | null = this.cache ? [] : null;
    const avro = await openAvro(manifest.path, await this.bytes(manifest.path));
    for await (const r of avro.records) {
      const status = num(r.status) as EntryStatus;
      if (status === 2) continue;
      const inherit = status === 1 ? manifest.sequenceNumber : null;
      const entry: ManifestEntry = {
        status,
        snapshotId: r.snapshot_id === null || r.snapshot_id === undefined ? manifest.addedSnapshotId : BigInt(r.snapshot_id as bigint),
        sequenceNumber: optNum(r.sequence_number) ?? inherit ?? (manifest.content === 0 && manifest.sequenceNumber === 0 ? 0 : null),
        fileSequenceNumber: optNum(r.file_sequence_number) ?? inherit,
        file: contentFile(r.data_file as Record<string, unknown>, manifest.path),
      };
      kept?.push(entry);
      // Too large to be kept: stop holding it (the cache would refuse it anyway).
      if (kept && kept.length > this.cache!.maxEntries / 4) kept = null;
      yield entry;
    }
    // Only a manifest read to its end is complete enough to keep (a consumer may stop early).
    if (kept) this.cache?.put(manifest, kept, this.cacheScope);
  }
}

function contentFile(f: Record<string, unknown>, uri: string): ContentFile {
  if (typeof f !== 'object' || f === null) throw new CatalogError('ERR_VALIDATION', `Manifest file ${uri} has an entry without data_file`);
  const content = optNum(f.content) ?? 0;
  if (content !== 0 && content !== 1 && content !== 2)
    throw new CatalogError('ERR_VALIDATION', `Manifest file ${uri} has an entry of unknown content ${content}`);
  return {
    content,
    filePath: str(f.file_path, uri),
    fileFormat: str(f.file_format, uri).toLowerCase(),
    partition: f.partition && typeof f.partition === 'object' ? Object.values(f.partition as Record<string, unknown>) : [],
    recordCount: num(f.record_count),
    fileSizeInBytes: num(f.file_size_in_bytes),
    columnSizes: countMap(f.column_sizes),
    valueCounts: countMap(f.value_counts),
    nullValueCounts: countMap(f.null_value_counts),
    nanValueCounts: countMap(f.nan_value_counts),
    lowerBounds: bytesMap(f.lower_bounds),
    upperBounds: bytesMap(f.upper_bounds),
    keyMetadata: f.key_metadata instanceof Uint8Array ? f.key_metadata : null,
    splitOffsets: Array.isArray(f.split_offsets) ? f.split_offsets.map(num) : null,
    equalityIds: Array.isArray(f.equality_ids) ? f.equality_ids.map(num) : null,
    sortOrderId: optNum(f.sort_order_id),
    firstRowId: optNum(f.first_row_id),
    referencedDataFile: typeof f.referenced_data_file === 'string' ? f.referenced_data_file : null,
    contentOffset: optNum(f.content_offset),
    contentSizeInBytes: optNum(f.content_size_in_bytes),
  };
}

function counts(r: Record<string, unknown>): ManifestCounts {
  const n = (v: unknown) => (v === null || v === undefined ? 0 : num(v));
  return {
    addedFiles: n(r.added_files_count),
    existingFiles: n(r.existing_files_count),
    deletedFiles: n(r.deleted_files_count),
    addedRows: n(r.added_rows_count),
    existingRows: n(r.existing_rows_count),
    deletedRows: n(r.deleted_rows_count),
  };
}

function summary(s: Record<string, unknown>): FieldSummary {
  return {
    containsNull: s.contains_null === true,
    containsNan: typeof s.contains_nan === 'boolean' ? s.contains_nan : null,
    lowerBound: s.lower_bound instanceof Uint8Array ? s.lower_bound : null,
    upperBound: s.upper_bound instanceof Uint8Array ? s.upper_bound : null,
  };
}

/** Iceberg stores maps with int keys as arrays of {key, value} records (Avro maps need string keys). */
function countMap(v: unknown): Map<number, number> | null {
  if (!Array.isArray(v)) return null;
  return new Map(v.map((kv: { key: unknown; value: unknown }) => [num(kv.key), num(kv.value)]));
}

function bytesMap(v: unknown): Map<number, Uint8Array> | null {
  if (!Array.isArray(v)) return null;
  return new Map(
    v.filter((kv: { value: unknown }) => kv.value instanceof Uint8Array).map((kv: { key: unknown; value: Uint8Array }) => [num(kv.key), kv.value]),
  );
}

/** Counts, sizes and sequence numbers as numbers (exact below 2^53, which they never reach). */
function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

function optNum(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}

function str(v: unknown, uri: string): string {
  if (typeof v !== 'string') throw new CatalogError('ERR_VALIDATION', `Manifest file ${uri} has a malformed entry`);
  return v;
}
