/**
 * The kit of the remote kinds that keep only a table's metadata pointer (Glue, Hive): Lakegate reads and writes the
 * metadata files itself, with the warehouse's storage profile, as for its own tables; the remote keeps the pointer.
 * A location the remote names outside the warehouse's storage is never read with its credentials (ERR_FORBIDDEN).
 * Metadata files are immutable: one read is kept by location (bounded, cleared when full).
 */
import { CatalogError } from '../errors/catalog-error.js';
import { BoundedMap } from '../catalog/bounded-map.js';
import {
  applyTableUpdatesDetailed,
  checkTableRequirements,
  nextMetadataLocation,
  newTableMetadata,
  parseTableMetadata,
  stripTrailingSlash,
  type TableMetadata,
  withMetadataLog,
} from '../catalog/metadata/index.js';
import { readMetadataFile, writeMetadataFile } from '../catalog/metadata-files.js';
import type { RemoteMetadataFiles, RemoteTable } from '../catalog/ports/remote-catalog.js';

export type LoadedTable = RemoteTable & { metadata: TableMetadata };

export class PointerTables {
  private readonly read = new BoundedMap<string, LoadedTable>({ maxEntries: 10_000 });

  constructor(
    /** The remote's name in messages ("The Hive table's ..."). */
    private readonly remoteName: string,
    private readonly files: RemoteMetadataFiles | undefined,
    /** The remote's own "answer is not valid" error. */
    private readonly invalid: (reason: string) => CatalogError,
  ) {}

  private storageFiles(): RemoteMetadataFiles {
    if (!this.files) throw new TypeError(`a ${this.remoteName} remote without metadata files was asked for a table`);
    return this.files;
  }

  get root(): string {
    return stripTrailingSlash(this.storageFiles().root);
  }

  /** The metadata file at a location the remote named, checked to be Iceberg metadata (kept once read). */
  async load(metadataLocation: string): Promise<LoadedTable> {
    const kept = this.read.get(metadataLocation);
    if (kept) return kept;
    if (!this.storageFiles().allows(metadataLocation))
      throw new CatalogError('ERR_FORBIDDEN', `The ${this.remoteName} table's metadata file lies outside this warehouse's storage: Lakegate does not serve it`);
    let json: string;
    let metadata: TableMetadata;
    try {
      const file = await readMetadataFile(await this.storageFiles().storage(), metadataLocation);
      json = file.json;
      metadata = parseTableMetadata(file.metadata);
    } catch (e) {
      if (e instanceof CatalogError && (e.code === 'ERR_UNAVAILABLE' || e.code === 'ERR_FORBIDDEN')) throw e;
      throw this.invalid(`the metadata file at ${metadataLocation} is not valid Iceberg table metadata (${(e as Error).message.slice(0, 300)})`);
    }
    const table = { metadataLocation, metadataJson: json, uuid: metadata['table-uuid'], location: metadata.location, metadata };
    this.read.set(metadataLocation, table);
    return table;
  }

  async write(metadataLocation: string, metadata: TableMetadata): Promise<LoadedTable> {
    const json = await writeMetadataFile(await this.storageFiles().storage(), metadataLocation, metadata);
    return { metadataLocation, metadataJson: json, uuid: metadata['table-uuid'], location: metadata.location, metadata };
  }

  /** The first metadata file of a table created from an Iceberg CreateTableRequest, at LOCATION. */
  async create(request: Record<string, unknown>, location: string): Promise<LoadedTable> {
    const metadata = newTableMetadata({
      schema: request.schema,
      partitionSpec: request['partition-spec'],
      sortOrder: request['write-order'],
      location: stripTrailingSlash(location),
      properties: request.properties,
      nowMs: Date.now(),
    } as Parameters<typeof newTableMetadata>[0]);
    return this.write(nextMetadataLocation(metadata, null, crypto.randomUUID()), metadata);
  }

  /**
   * The client's requirements checked against BASE, the updates applied and the next metadata file written; undefined
   * when the updates change nothing (the pointer stays).
   */
  async next(base: LoadedTable, requirements: readonly unknown[], updates: readonly unknown[]): Promise<LoadedTable | undefined> {
    checkTableRequirements(base.metadata, requirements);
    const { metadata } = applyTableUpdatesDetailed(base.metadata, updates, { nowMs: Date.now(), newUuid: () => crypto.randomUUID() });
    if (metadata === base.metadata) return undefined;
    const next = withMetadataLog(base.metadata, base.metadataLocation, metadata);
    return this.write(nextMetadataLocation(next, base.metadataLocation, crypto.randomUUID()), next);
  }

  static answer(t: RemoteTable): RemoteTable {
    return { metadataLocation: t.metadataLocation, metadataJson: t.metadataJson, uuid: t.uuid, location: t.location };
  }
}
