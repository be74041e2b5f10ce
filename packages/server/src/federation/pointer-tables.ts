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
import { stringifyJson } from '../catalog/json.js';
import { readMetadataFile, writeMetadataFile } from '../catalog/metadata-files.js';
import type { RemoteMetadataFiles, RemoteTable, StagedRemoteTable } from '../catalog/ports/remote-catalog.js';

export type LoadedTable = RemoteTable & { metadata: TableMetadata };

export class PointerTables {
  /**
   * Metadata files read, by location (immutable once written). Bounded by size too: one table's metadata can be
   * megabytes (a long snapshot log), so 10,000 of them were not a memory bound. Each is charged its JSON text and
   * the parsed object (about three times the text, as catalog/planning/plan-cache.ts measures).
   */
  private readonly read = new BoundedMap<string, LoadedTable>({
    maxEntries: 10_000,
    maxSize: 64 * 1024 * 1024,
    sizeOf: (t) => 4 * t.metadataJson.length,
  });

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
    const metadata = this.firstMetadata(request, location);
    return this.write(nextMetadataLocation(metadata, null, crypto.randomUUID()), metadata);
  }

  /**
   * A pointer remote's createTable: writes the first metadata file (at the request's location, else at
   * `defaultLocation(name)`), then has the remote `register` its pointer to it.
   */
  async createRegistered(
    request: Record<string, unknown>,
    defaultLocation: (name: string) => string,
    register: (name: string, written: LoadedTable) => Promise<void>,
  ): Promise<RemoteTable> {
    const name = String(request.name);
    const location = typeof request.location === 'string' ? request.location : defaultLocation(name);
    const written = await this.create(request, location);
    await register(name, written);
    return PointerTables.answer(written);
  }

  /** A stage-create (CTAS): the metadata a create would write at LOCATION, nothing written and nothing registered. */
  stage(request: Record<string, unknown>, location: string): StagedRemoteTable {
    const metadata = this.firstMetadata(request, location);
    return { metadataJson: stringifyJson(metadata), uuid: metadata['table-uuid'], location: metadata.location };
  }

  /**
   * A create transaction's commit (assert-create, after a stage-create): the requirements checked against no table, the
   * updates applied to nothing (DEFAULT_LOCATION when they set none), the first metadata file written, then REGISTER
   * creates the remote's pointer to it, which the remote refuses when a table of the name exists. A table created there
   * meanwhile is a commit conflict (the client's 409), and a refused registration leaves nothing behind: the file is
   * deleted. Only when the remote's answer is unknown (down, timed out: it may have registered it) the file stays, so
   * that a pointer is never left to a missing file.
   */
  async createByCommit(
    requirements: readonly unknown[],
    updates: readonly unknown[],
    defaultLocation: string,
    register: (written: LoadedTable) => Promise<void>,
  ): Promise<LoadedTable> {
    checkTableRequirements(null, requirements);
    const { metadata } = applyTableUpdatesDetailed(null, updates, {
      nowMs: Date.now(),
      newUuid: () => crypto.randomUUID(),
      defaultLocation: () => stripTrailingSlash(defaultLocation),
    });
    if (!this.storageFiles().allows(metadata.location))
      throw new CatalogError('ERR_FORBIDDEN', `The table's location ${metadata.location} lies outside this warehouse's storage`);
    const written = await this.write(nextMetadataLocation(metadata, null, crypto.randomUUID()), metadata);
    try {
      await register(written);
    } catch (e) {
      if (e instanceof CatalogError && e.code === 'ERR_UNAVAILABLE') throw e;
      await (await this.storageFiles().storage()).delete(written.metadataLocation).catch(() => undefined);
      if (e instanceof CatalogError && e.code === 'ERR_TABLE_EXISTS')
        throw new CatalogError('ERR_COMMIT_CONFLICT', `Requirement failed: the ${this.remoteName} table was created concurrently (assert-create)`);
      throw e;
    }
    return written;
  }

  private firstMetadata(request: Record<string, unknown>, location: string): TableMetadata {
    return newTableMetadata({
      schema: request.schema,
      partitionSpec: request['partition-spec'],
      sortOrder: request['write-order'],
      location: stripTrailingSlash(location),
      properties: request.properties,
      nowMs: Date.now(),
    } as Parameters<typeof newTableMetadata>[0]);
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
